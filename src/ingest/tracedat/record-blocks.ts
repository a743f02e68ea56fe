import type { Diagnostic } from '../../model/diagnostic.js';
import type { FileSource } from './byte-reader.js';
import { type ChunkSource, FileChunks } from './chunk-source.js';
import { CpuStream } from './cpu-stream.js';
import type { Decompressor } from './decompress.js';
import { CpuHeap } from './merge.js';
import type { CpuData, TraceDatMeta } from './metadata.js';
import type { PageLayout } from './ring-buffer.js';

/** Records per block. */
export const BLOCK_RECORDS = 16384;

/**
 * Records of all CPUs merged in timestamp order, the pages holding them
 * copied into one byte array: everything a decoder needs, in plain typed arrays so a
 * worker thread can hand the block over without copying it again.
 */
export interface RecordBlock {
  count: number;
  /** The pages the records sit in, back to back. */
  bytes: Uint8Array;
  /** Raw ring-buffer timestamp of each record. */
  ts: Float64Array;
  /** Payload start in `bytes`. */
  offset: Int32Array;
  /** Payload length. */
  length: Int32Array;
  cpu: Int32Array;
  /** Diagnostics raised while reading the pages of this block. */
  diagnostics: Diagnostic[];
}

/** What `mergedBlocks` reads: plain data, so it can cross to a worker thread. */
export interface MergeInput {
  cpus: CpuData[];
  layout: PageLayout;
}

/** The MergeInput of a file. */
export function mergeInput(meta: TraceDatMeta): MergeInput {
  return {
    cpus: meta.cpus,
    layout: {
      pageSize: meta.pageSize,
      bigEndian: meta.bigEndian,
      commitSize: meta.header.commitSize,
      dataOffset: meta.header.dataOffset,
    },
  };
}

/**
 * The records of all CPUs in timestamp order (ties to the lower CPU, as
 * `trace-cmd report`), one at a time: a cursor over the per-CPU streams
 * (pages read and decompressed as needed), no object per record. After
 * `next()` returned true, `stream` holds the record: its page bytes in
 * `stream.buf`, the payload at `stream.records.offset[stream.index]`.
 */
export class RecordMerger {
  stream: CpuStream | undefined = undefined;
  private readonly streams: CpuStream[];
  private readonly heap = new CpuHeap();
  private started = false;

  /**
   * `decompress` for v7 compressed data (null: plain pages); `chunks` gives a CPU's
   * decompressed chunks from elsewhere (e.g. a decompressing thread) instead.
   */
  constructor(
    file: FileSource,
    input: MergeInput,
    decompress: Decompressor | null,
    diagnostics: Diagnostic[],
    chunks?: (cpu: CpuData) => ChunkSource,
  ) {
    const be = input.layout.bigEndian;
    const source = (c: CpuData) =>
      chunks ? chunks(c) : decompress ? new FileChunks(file, c, be, decompress) : null;
    this.streams = input.cpus
      .filter((c) => c.size > 0)
      .map((c) => new CpuStream(file, c, input.layout, source(c), diagnostics));
  }

  /** Where the streams' diagnostics go from now on. */
  set diagnostics(to: Diagnostic[]) {
    for (const s of this.streams) s.diagnostics = to;
  }

  get streamCount(): number {
    return this.streams.length;
  }

  /** Moves to the next record; false at the end (then `lostSummary` says what the pages lost). */
  next(): boolean {
    const s = this.stream;
    if (!this.started) {
      this.started = true;
      for (const c of this.streams) if (c.advance()) this.heap.push(c);
    } else if (s !== undefined) {
      if (s.advance()) {
        // a run of one CPU's records: while they come before every other CPU's next one, no heap work
        const ts = s.ts;
        if (ts < this.otherTs || (ts === this.otherTs && s.cpu < this.otherCpu)) return true;
        this.heap.update();
      } else this.heap.pop();
    }
    this.stream = this.heap.peek();
    const other = this.heap.second();
    this.otherTs = other === undefined ? Number.POSITIVE_INFINITY : other.ts;
    this.otherCpu = other === undefined ? 0 : other.cpu;
    return this.stream !== undefined;
  }

  /** The next record of the other CPUs: the earliest of the heap's second level. */
  private otherTs = Number.POSITIVE_INFINITY;
  private otherCpu = 0;

  /** Lost events past the first pages reported one by one, per CPU (at the end). */
  lostSummary(): Diagnostic[] {
    return this.streams
      .filter((s) => s.morePages > 0)
      .map((s) => ({
        code: 'tracedat-lost-events',
        message: `CPU ${s.cpu}: a further ${s.moreEvents} events lost before ${s.morePages} more pages`,
        line: null,
        count: s.moreEvents + s.moreUncounted,
      }));
  }
}

/**
 * The merged records in blocks of up to `BLOCK_RECORDS`, the pages holding
 * them copied into each block: what a worker thread hands over. The last
 * block carries the summary of lost events. A consumer done with a block may
 * push it onto `spare` to have it filled again (no garbage per block).
 */
export function* mergedBlocks(
  file: FileSource,
  input: MergeInput,
  decompress: Decompressor | null,
  spare: RecordBlock[] = [],
): Generator<RecordBlock> {
  let diagnostics: Diagnostic[] = [];
  const merger = new RecordMerger(file, input, decompress, diagnostics);
  const { pageSize } = input.layout;
  // the pages records come from are copied whole into the block (a memcpy per page, none per record);
  // per stream: the page serial copied into this block and where its byte 0 lands in `bytes`
  const copied = new Map<CpuStream, { serial: number; base: number }>();
  const capacity = Math.max(1 << 20, (merger.streamCount + 16) * pageSize);
  let block = newBlock(capacity, spare);
  let pos = 0;
  const nextBlock = () => {
    block = newBlock(capacity, spare);
    pos = 0;
    for (const c of copied.values()) c.serial = -1;
  };
  while (merger.next()) {
    const s = merger.stream!;
    let page = copied.get(s);
    if (page === undefined) {
      page = { serial: -1, base: 0 };
      copied.set(s, page);
    }
    if (page.serial !== s.pageSerial) {
      if (pos + pageSize > block.bytes.length) {
        yield finish(block);
        nextBlock();
      }
      const end = Math.min(s.pageStart + pageSize, s.buf.length);
      block.bytes.set(s.buf.subarray(s.pageStart, end), pos);
      page.serial = s.pageSerial;
      page.base = pos - s.pageStart;
      pos += pageSize;
    }
    const r = s.records;
    const i = s.index;
    const n = block.count++;
    block.ts[n] = r.ts[i]!;
    block.offset[n] = page.base + r.offset[i]!;
    block.length[n] = r.length[i]!;
    block.cpu[n] = s.cpu;
    if (block.count === BLOCK_RECORDS) {
      yield finish(block);
      nextBlock();
    }
  }
  for (const d of merger.lostSummary()) diagnostics.push(d);
  if (block.count > 0 || diagnostics.length > 0) yield finish(block);

  /** Hands the diagnostics so far to the block. */
  function finish(b: RecordBlock): RecordBlock {
    b.diagnostics = diagnostics;
    diagnostics = [];
    merger.diagnostics = diagnostics;
    return b;
  }
}

/** A spare block its consumer gave back, else a new one. */
function newBlock(bytes: number, spare: RecordBlock[]): RecordBlock {
  const old = spare.pop();
  if (old && old.bytes.length >= bytes) {
    old.count = 0;
    old.diagnostics = [];
    return old;
  }
  return {
    count: 0,
    bytes: new Uint8Array(bytes),
    ts: new Float64Array(BLOCK_RECORDS),
    offset: new Int32Array(BLOCK_RECORDS),
    length: new Int32Array(BLOCK_RECORDS),
    cpu: new Int32Array(BLOCK_RECORDS),
    diagnostics: [],
  };
}

/** The blocks of `mergedBlocks`, each reused once its consumer asks for the next one. */
export function* recycledBlocks(
  file: FileSource,
  input: MergeInput,
  decompress: Decompressor | null,
): Generator<RecordBlock> {
  const spare: RecordBlock[] = [];
  for (const block of mergedBlocks(file, input, decompress, spare)) {
    yield block;
    spare.push(block);
  }
}

/** The buffers of a block, to transfer it between threads. */
export function blockBuffers(b: RecordBlock): ArrayBuffer[] {
  return [b.bytes.buffer, b.ts.buffer, b.offset.buffer, b.length.buffer, b.cpu.buffer] as ArrayBuffer[];
}

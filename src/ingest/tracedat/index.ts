import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { TraceBatch } from '../../model/event-columns.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { asColumns } from '../columns-builder.js';
import { FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import { loadZstd } from './decompress.js';
import { type DecodeContext, EventDecoder, unknownEvent } from './event-decoder.js';
import { HexCache, StringInterner } from './interning.js';
import { Kallsyms } from './kallsyms.js';
import type { MergeWorkerData, MergeWorkerMessage } from './merge-worker.js';
import { readMetadata, type TraceDatMeta } from './metadata.js';
import { blockBuffers, type MergeInput, type RecordBlock, recycledBlocks } from './record-blocks.js';

const BATCH = 4096;

/** True when the bytes start with the trace.dat magic (`\x17\x08Dtracing`). */
export function isTraceDat(head: Uint8Array): boolean {
  const magic = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Options of `readTraceDat`. */
export interface ReadTraceDatOptions {
  /**
   * Read, decompress and merge the pages on a worker thread (true) or on this
   * thread (false). Default: this thread, unless the environment sets
   * `LOCKSCOPE_TRACEDAT_WORKER=1` (then a worker from 1 MiB of ring-buffer
   * data, when the compiled worker is there). On a busy 2-core machine the
   * worker cost more CPU and wall time than it saved; on idle cores it takes
   * the page work off the thread that decodes and analyzes.
   */
  worker?: boolean;
  /** Lock events as EventColumns rows (see model/event-columns.ts); default: TraceEvent objects. */
  columns?: boolean;
}

/** The compiled worker (absent when running the TypeScript sources, e.g. under vitest). */
const WORKER_URL = new URL('./merge-worker.js', import.meta.url);
const WORKER_MIN_BYTES = 1 << 20;
/** Blocks the worker may read ahead of the decoder (each ~1 MB). */
const WORKER_AHEAD = 3;

/**
 * Streams the events of a trace-cmd `trace.dat` (v6 or v7, plain, zlib or
 * zstd) in timestamp order across CPUs, in batches. Never throws on bad
 * content: problems become diagnostics (`line: null`) and a damaged or
 * truncated file yields the events before the damage.
 */
export function readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options?: ReadTraceDatOptions & { columns?: false },
): AsyncGenerator<TraceEvent[]>;
export function readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options: ReadTraceDatOptions,
): AsyncGenerator<TraceBatch>;
export async function* readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options: ReadTraceDatOptions = {},
): AsyncGenerator<TraceBatch> {
  await loadZstd();
  let file: FileSource;
  try {
    file = new FileSource(path);
  } catch (error) {
    diagnostics.push({ code: 'tracedat-open', message: (error as Error).message, line: null });
    return;
  }
  try {
    let meta: TraceDatMeta;
    try {
      meta = readMetadata(file, diagnostics);
    } catch (error) {
      if (!(error instanceof TruncatedError || error instanceof MalformedError)) throw error;
      const code = error instanceof TruncatedError ? 'tracedat-truncated' : 'tracedat-malformed';
      diagnostics.push({ code, message: `${path}: ${error.message}`, line: null });
      return;
    }
    const input: MergeInput = {
      cpus: meta.cpus,
      layout: {
        pageSize: meta.pageSize,
        bigEndian: meta.bigEndian,
        commitSize: meta.header.commitSize,
        dataOffset: meta.header.dataOffset,
      },
    };
    const bytes = meta.cpus.reduce((n, c) => n + c.size, 0);
    const useWorker =
      options.worker ??
      (process.env.LOCKSCOPE_TRACEDAT_WORKER === '1' &&
        bytes >= WORKER_MIN_BYTES &&
        existsSync(fileURLToPath(WORKER_URL)));
    const blocks = useWorker
      ? workerBlocks({ ...input, path, compression: meta.cpuCompression, ahead: WORKER_AHEAD })
      : recycledBlocks(file, input, meta.cpuDecompressor);
    const events = readEvents(meta, diagnostics, blocks);
    yield* options.columns ? asColumns(events) : events;
  } finally {
    file.close();
  }
}

/** Blocks from the merge worker; it is stopped when the consumer stops early. */
async function* workerBlocks(data: MergeWorkerData): AsyncGenerator<RecordBlock> {
  const worker = new Worker(WORKER_URL, { workerData: data });
  worker.unref();
  const queue: MergeWorkerMessage[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  worker.on('message', (m: MergeWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e: Error) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0) {
        if (failure) throw failure;
        if (exited) throw new Error('the trace.dat reader thread stopped before the end of the data');
        // referenced only while waiting on it: an abandoned reader never keeps the process alive
        worker.ref();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        worker.unref();
      }
      const m = queue.shift()!;
      if (m.kind === 'done') return;
      if (m.kind === 'error') {
        const error = new Error(`trace.dat reader thread: ${m.message}`);
        if (m.stack) error.stack = m.stack;
        throw error;
      }
      yield m.block;
      worker.postMessage(m.block, blockBuffers(m.block)); // decoded: back to the worker, to be refilled
    }
  } finally {
    void worker.terminate();
  }
}

async function* readEvents(
  meta: TraceDatMeta,
  diagnostics: Diagnostic[],
  blocks: AsyncIterable<RecordBlock> | Iterable<RecordBlock>,
) {
  let kallsyms: Kallsyms | null | undefined;
  const ctx: DecodeContext = {
    bigEndian: meta.bigEndian,
    hex: new HexCache(),
    strings: new StringInterner(),
    cmdlines: meta.cmdlines,
    kallsyms: () => {
      if (kallsyms === undefined) kallsyms = loadKallsyms(meta, diagnostics);
      return kallsyms;
    },
  };
  // compiled on first use: a file holds hundreds of formats, a trace uses a few
  // by event id (< 65536); filled up front so lookups stay on fast elements, not a hash table
  const decoders = new Array<EventDecoder | null | undefined>(1 << 16).fill(undefined);
  const decoderFor = (id: number): EventDecoder | null => {
    let d = decoders[id];
    if (d === undefined) {
      const format = meta.formats.get(id);
      d = format ? new EventDecoder(format, ctx) : null;
      decoders[id] = d;
    }
    return d;
  };
  const toNs = timestampConverter(meta);
  const unknownIds = new Set<number>();
  let line = 0;
  let batch: TraceEvent[] = [];
  const be = meta.bigEndian;
  for await (const block of blocks) {
    for (const d of block.diagnostics) diagnostics.push(d);
    const buf = Buffer.from(block.bytes.buffer, block.bytes.byteOffset, block.bytes.byteLength);
    const { count, ts, offset, length, cpu } = block;
    for (let i = 0; i < count; i++) {
      const off = offset[i]!;
      const len = length[i]!;
      line++;
      if (len < 2) continue;
      const id = be ? (buf[off]! << 8) | buf[off + 1]! : buf[off]! | (buf[off + 1]! << 8);
      const decoder = decoders[id] ?? decoderFor(id);
      if (decoder) batch.push(decoder.decode(buf, off, len, toNs(ts[i]!), cpu[i]!, line));
      else {
        if (!unknownIds.has(id)) {
          unknownIds.add(id);
          diagnostics.push({ code: 'tracedat-unknown-event', message: `no format for event id ${id}`, line });
        }
        batch.push(unknownEvent(id, buf, off, len, toNs(ts[i]!), cpu[i]!, line, ctx));
      }
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** Kallsyms for `%pS`, or null (with a diagnostic) when the file has none or it is damaged. */
function loadKallsyms(meta: TraceDatMeta, diagnostics: Diagnostic[]): Kallsyms | null {
  try {
    const text = meta.kallsyms();
    if (text) return Kallsyms.parse(text);
    diagnostics.push({
      code: 'tracedat-no-kallsyms',
      message: 'no kallsyms: symbols stay addresses',
      line: null,
    });
  } catch (error) {
    if (!(error instanceof TruncatedError || error instanceof MalformedError)) throw error;
    diagnostics.push({
      code: 'tracedat-no-kallsyms',
      message: `kallsyms unreadable: ${error.message}`,
      line: null,
    });
  }
  return null;
}

/** Raw ring-buffer time → ns as trace-cmd computes it (TSC2NSEC mult/shift, then the OFFSET option). */
function timestampConverter(meta: TraceDatMeta): (raw: number) => number {
  const offset = meta.tsOffset;
  const tsc = meta.tsc2nsec;
  if (tsc && tsc.mult > 0) {
    const mult = BigInt(tsc.mult);
    const shift = BigInt(tsc.shift);
    return (raw) => Number((BigInt(raw) * mult) >> shift) + offset;
  }
  return offset === 0 ? (raw) => raw : (raw) => raw + offset;
}

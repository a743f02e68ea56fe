import type { Diagnostic } from '../../model/diagnostic.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import { CpuStream } from './cpu-stream.js';
import { loadZstd } from './decompress.js';
import { type DecodeContext, EventDecoder, unknownEvent } from './event-decoder.js';
import { HexCache, StringInterner } from './interning.js';
import { Kallsyms } from './kallsyms.js';
import { CpuHeap } from './merge.js';
import { readMetadata, type TraceDatMeta } from './metadata.js';

const BATCH = 4096;

/** True when the bytes start with the trace.dat magic (`\x17\x08Dtracing`). */
export function isTraceDat(head: Uint8Array): boolean {
  const magic = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/**
 * Streams the events of a trace-cmd `trace.dat` (v6 or v7, plain, zlib or
 * zstd) in timestamp order across CPUs, in batches. Never throws on bad
 * content: problems become diagnostics (`line: null`) and a damaged or
 * truncated file yields the events before the damage.
 */
export async function* readTraceDat(path: string, diagnostics: Diagnostic[]): AsyncGenerator<TraceEvent[]> {
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
    yield* readEvents(file, meta, diagnostics);
  } finally {
    file.close();
  }
}

async function* readEvents(file: FileSource, meta: TraceDatMeta, diagnostics: Diagnostic[]) {
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
  const decoders: (EventDecoder | undefined)[] = [];
  for (const [id, format] of meta.formats) if (id < 65536) decoders[id] = new EventDecoder(format, ctx);
  const layout = {
    pageSize: meta.pageSize,
    bigEndian: meta.bigEndian,
    commitSize: meta.header.commitSize,
    dataOffset: meta.header.dataOffset,
  };
  const streams = meta.cpus
    .filter((c) => c.size > 0)
    .map((c) => new CpuStream(file, c, layout, meta.cpuDecompressor, diagnostics));
  const heap = new CpuHeap();
  for (const s of streams) if (s.advance()) heap.push(s);
  const toNs = timestampConverter(meta);
  const unknownIds = new Set<number>();
  let line = 0;
  let batch: TraceEvent[] = [];
  const be = meta.bigEndian;
  for (let s = heap.peek(); s !== undefined; s = heap.peek()) {
    const r = s.records;
    const off = r.offset[s.index]!;
    const len = r.length[s.index]!;
    const ts = toNs(r.ts[s.index]!);
    line++;
    if (len >= 2) {
      const id = be ? s.buf.readUInt16BE(off) : s.buf.readUInt16LE(off);
      const decoder = decoders[id];
      if (decoder) batch.push(decoder.decode(s.buf, off, len, ts, s.cpu, line));
      else {
        if (!unknownIds.has(id)) {
          unknownIds.add(id);
          diagnostics.push({ code: 'tracedat-unknown-event', message: `no format for event id ${id}`, line });
        }
        batch.push(unknownEvent(id, s.buf, off, len, ts, s.cpu, line, ctx));
      }
    }
    if (s.advance()) heap.update();
    else heap.pop();
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  for (const s of streams) {
    if (s.morePages > 0) {
      diagnostics.push({
        code: 'tracedat-lost-events',
        message: `CPU ${s.cpu}: a further ${s.moreEvents} events lost before ${s.morePages} more pages`,
        line: null,
      });
    }
  }
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

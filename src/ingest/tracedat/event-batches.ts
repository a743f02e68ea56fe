import type { Diagnostic } from '../../model/diagnostic.js';
import type { EventColumns } from '../../model/event-columns.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { ColumnsBuilder } from '../columns-builder.js';
import type { FileSource } from './byte-reader.js';
import type { ChunkSource } from './chunk-source.js';
import { decoderTable, plainTimestampOffset, timestampConverter } from './decoders.js';
import { LockRows, type LockRowWriter } from './lock-rows.js';
import type { CpuData, TraceDatMeta } from './metadata.js';
import { mergeInput, type RecordBlock, RecordMerger } from './record-blocks.js';

/** Events per TraceEvent batch. */
const BATCH = 4096;
/** Rows per EventColumns batch. */
export const COLUMN_ROWS = 16384;

/** The events of merged record blocks as TraceEvent batches. */
export async function* eventBatches(
  meta: TraceDatMeta,
  diagnostics: Diagnostic[],
  blocks: AsyncIterable<RecordBlock> | Iterable<RecordBlock>,
) {
  const { decoders, decoderFor, unknown } = decoderTable(meta, diagnostics);
  const toNs = timestampConverter(meta);
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
      else batch.push(unknown(id, buf, off, len, toNs(ts[i]!), cpu[i]!, line));
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * As `eventBatches`, with lock and contention records as EventColumns rows
 * (no object each), read straight off the merged pages (no record blocks).
 * With `plainOthers` the other events are plain objects (`toJSON`), as a
 * worker thread must post them.
 */
export function* columnBatches(
  meta: TraceDatMeta,
  diagnostics: Diagnostic[],
  file: FileSource,
  builder = new ColumnsBuilder(COLUMN_ROWS),
  plainOthers = false,
  chunks?: (cpu: CpuData) => ChunkSource,
): Generator<EventColumns> {
  const { decoders, decoderFor, unknown } = decoderTable(meta, diagnostics);
  const toNs = timestampConverter(meta);
  const plainOffset = plainTimestampOffset(meta);
  const lockRows = new LockRows(builder);
  const nextTs = builder.nextTs;
  const writers = new Array<LockRowWriter | null | undefined>(1 << 16).fill(undefined);
  const merger = new RecordMerger(file, mergeInput(meta), meta.cpuDecompressor, diagnostics, chunks);
  let line = 0;
  const be = meta.bigEndian;
  while (merger.next()) {
    const s = merger.stream!;
    const r = s.records;
    const buf = s.buf;
    const off = r.offset[s.index]!;
    const len = r.length[s.index]!;
    line++;
    if (len < 2) continue;
    const id = be ? (buf[off]! << 8) | buf[off + 1]! : buf[off]! | (buf[off + 1]! << 8);
    let writer = writers[id];
    if (writer === undefined) {
      const decoder = decoders[id] ?? decoderFor(id);
      writer = decoder ? lockRows.rowsFor(decoder, be) : null;
      writers[id] = writer;
    }
    const raw = r.ts[s.index]!;
    const ts = plainOffset !== null ? raw + plainOffset : toNs(raw);
    if (writer !== null) {
      nextTs[0] = ts; // the row's time (see ColumnsBuilder.nextTs)
      writer.add(buf, s.words, off, len, s.cpu, line);
    } else {
      const decoder = decoders[id] ?? decoderFor(id);
      const event = decoder
        ? decoder.decode(buf, off, len, ts, s.cpu, line)
        : unknown(id, buf, off, len, ts, s.cpu, line);
      builder.other(plainOthers ? plain(event) : event);
    }
    if (builder.full) yield builder.take();
  }
  for (const d of merger.lostSummary()) diagnostics.push(d);
  if (builder.count > 0) yield builder.take();
}

/** A TraceEvent as a plain object (a trace.dat event computes `payload` on demand and shares its kind). */
function plain(event: TraceEvent): TraceEvent {
  const json = (event as { toJSON?: () => TraceEvent }).toJSON;
  return json ? json.call(event) : event;
}

import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { EventColumns } from '../model/event-columns.js';
import { ColumnsBuilder, columnsBuffers } from './columns-builder.js';
import { FtraceParserCaches } from './ftrace/text-parser.js';
import { parseRange, type RangePlan, type RangeResult, rangeReader } from './text-ranges.js';
import { EventPacker, type PackedEvents, packedBuffers } from './text-ranges-packing.js';

/** What the reading thread gives a range worker at start. */
export interface RangeWorkerData {
  path: string;
  plan: RangePlan;
  /** It reads the ranges `rangeReader` gives worker `worker` of `workers` (its string stream is `worker + 1`). */
  worker: number;
  workers: number;
  capacity: number;
  /** Ranges it may send before the reading thread acknowledges one. */
  ahead: number;
  /** The events whose fields the consumer reads (see FtraceTextParserOptions.fieldsRead); null: all. */
  fieldsRead: string[] | null;
}

/** Messages to the reading thread: a range read (its batches' `others` packed), the end, or an error. */
export type RangeWorkerMessage =
  | { kind: 'range'; result: RangeResult; packed: PackedEvents[] }
  | { kind: 'error'; message: string; stack?: string };

/**
 * The worker side of `readTextRanges`: reads its ranges of the file in order,
 * each with a parser of its own, and sends each range's batches whole (their
 * typed arrays transferred, not copied). Flow control: at most `ahead` ranges
 * are unacknowledged; the reading thread acknowledges a range once it has
 * consumed it by sending its batches back, which lets this worker read one
 * more into them.
 */
async function main(port: NonNullable<typeof parentPort>, data: RangeWorkerData): Promise<void> {
  let credits = data.ahead;
  let wake: (() => void) | null = null;
  const builder = new ColumnsBuilder(data.capacity, data.worker + 1);
  // a consumed range comes back as its batches: filled again by the next ranges
  port.on('message', (batches: EventColumns[]) => {
    for (const b of batches) builder.recycle(b);
    credits++;
    wake?.();
  });
  const fd = openSync(data.path, 'r');
  const fieldsRead = data.fieldsRead === null ? undefined : new Set(data.fieldsRead);
  const caches = new FtraceParserCaches();
  // each other event packed as the parser makes it (it dies young), the packed ones cut per batch
  const packer = new EventPacker();
  const packedOf = new Map<EventColumns, PackedEvents>();
  builder.othersSink = { add: (ev) => packer.add(ev), taken: (b) => packedOf.set(b, packer.take()) };
  try {
    for (let k = 0; k < data.plan.count; k++) {
      if (rangeReader(k, data.workers) !== data.worker) continue;
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      credits--;
      const result = parseRange(fd, data.plan, k, builder, { fieldsRead, caches });
      const packed = result.batches.map((b) => packedOf.get(b)!);
      packedOf.clear();
      const transfer: ArrayBuffer[] = [];
      for (const b of result.batches) transfer.push(...columnsBuffers(b));
      for (const p of packed) transfer.push(...packedBuffers(p));
      port.postMessage({ kind: 'range', result, packed } satisfies RangeWorkerMessage, transfer);
    }
  } catch (error) {
    const e = error as Error;
    port.postMessage({ kind: 'error', message: e.message, stack: e.stack } satisfies RangeWorkerMessage);
  } finally {
    closeSync(fd);
    port.close();
  }
}

if (parentPort) void main(parentPort, workerData as RangeWorkerData);

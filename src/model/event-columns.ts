import type { TraceEvent } from './trace-event.js';

/**
 * The lock events, which are nearly all of a lock-traced capture, as columns
 * of plain typed arrays instead of one TraceEvent object each: a reader fills
 * them straight from its bytes and the analyzer reads them without an object
 * per event, and a worker thread hands a batch over without copying it.
 * Function-tracer calls travel as rows too (FUNCTION_CALL), and so do the
 * events a consumer only counts (COUNTED_EVENT, when it says which events it
 * reads: see FtraceTextParserOptions.fieldsRead). Any other event travels as
 * a TraceEvent in `others`.
 *
 * Strings (task names, latency flags, lock names, addresses as printed) are
 * ids into one string table per stream: a batch carries the strings first used
 * in it (`newStrings`, appended in id order), so the same lock name is one
 * string, decoded once.
 */
export interface EventColumns {
  kind: 'columns';
  /**
   * Which string table the ids index (a reader running several parsers, e.g.
   * one per worker thread, numbers their streams 0, 1, ...).
   */
  stream: number;
  /** Rows used (the arrays may be longer). */
  count: number;
  /** `LockOp` per row; `OTHER_EVENT` rows take the next event of `others`. */
  op: Uint8Array;
  /** 1-based input line (text) or record ordinal (trace.dat). */
  line: Float64Array;
  ts: Float64Array;
  cpu: Int32Array;
  pid: Int32Array;
  /** String ids; -1 for none (no latency-flags column, unnamed lock, no address). */
  comm: Int32Array;
  /** The latency-flags column as printed (`d..1.`). */
  flags: Int32Array;
  /**
   * Lock class name as printed (`lock_*` events; its address when unnamed); -1 on contention
   * events; FUNCTION_CALL: the function as printed (`ip`, `drm_gem_shmem_evict+0x10/0x9c`);
   * COUNTED_EVENT: the event name.
   */
  name: Int32Array;
  /** `lockdep_addr` (`lock_*`) or `lock_addr` (contention events), hex as tracefs prints it. */
  addr: Int32Array;
  /** lock_acquire: its flags (1 = try, 2 = read); contention_begin: the string id of its flags as printed (`SPIN|MUTEX`, or a number). */
  arg: Int32Array;
  /** The strings whose ids are first used in this batch, in id order. */
  newStrings: string[];
  others: TraceEvent[];
}

/** What the `op` column holds. */
export const OTHER_EVENT = 0;
export const LOCK_ACQUIRE = 1;
export const LOCK_RELEASE = 2;
export const LOCK_ACQUIRED = 3;
export const LOCK_CONTENDED = 4;
export const CONTENTION_BEGIN = 5;
export const CONTENTION_END = 6;
/** A function tracer line (`func <-parent`): `name` is the function (the event's `ip` field). */
export const FUNCTION_CALL = 7;
/** An event its consumer only counts: `name` is the event name (its payload is not in the row). */
export const COUNTED_EVENT = 8;

/** Event names of the ops, by op (index 0: other events carry their own names). */
export const LOCK_OP_NAMES = [
  '',
  'lock_acquire',
  'lock_release',
  'lock_acquired',
  'lock_contended',
  'contention_begin',
  'contention_end',
] as const;

const OPS: ReadonlyMap<string, number> = new Map(LOCK_OP_NAMES.map((name, op) => [name, op]));

/** The op of an event name (by name alone, as the analyzer follows events); OTHER_EVENT for any other. */
export function lockOpOf(name: string): number {
  return OPS.get(name) ?? OTHER_EVENT;
}

/** A batch of a trace stream: event objects, or columns. */
export type TraceBatch = TraceEvent[] | EventColumns;

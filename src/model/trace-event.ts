/**
 * One ftrace event, from any source (tracefs text, trace-cmd report text,
 * trace.dat). Timestamps are integer nanoseconds (or the raw counter when the
 * clock is a counter).
 */
export interface TraceEvent {
  /** 1-based input line for text sources; 1-based record ordinal for trace.dat. */
  line: number;
  ts: number;
  cpu: number;
  pid: number;
  tgid: number | null;
  comm: string;
  /** Latency flags as printed (`d..1.`), or null when absent. */
  flags: string | null;
  /** Event system when known (`lock`, `vmscan`), else null. */
  system: string | null;
  /** Event name without its system: `lock_acquire`, `mm_shrink_slab_start`, `function`. */
  name: string;
  /** The payload as printed (or as decoded) after `name: `. */
  payload: string;
  /** Typed fields from the payload table or the format file; `key=value` for other events. */
  fields: Record<string, string | number | boolean | null>;
}

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

/*
 * Field naming contract (shared by the text parser, the trace.dat reader and
 * the analyzers): `fields` use the kernel's TP_STRUCT / event `format` field
 * names, whatever the source, so one analyzer serves all of them.
 *   lock_acquire:   { lockdep_addr, flags (1 = try, 2 = read; number), name }
 *   lock_release, lock_contended, lock_acquired: { lockdep_addr, name }
 *   contention_begin: { lock_addr, flags (string as printed: `SPIN|READ`, or number from .dat) }
 *   contention_end:   { lock_addr, ret }
 *   mm_shrink_slab_start: { shrink (symbol as `%pS`: `lab_scan+0x0/0x90 [lab_lockdep]`, or `0x...` when
 *                           unresolved), shr, nid, nr_objects_to_shrink, gfp_flags, cache_items, delta,
 *                           total_scan, priority }
 *   mm_shrink_slab_end:   { shrink, shr, nid, unused_scan, new_scan, total_scan, retval }
 *   mm_vmscan_direct_reclaim_begin: { order, gfp_flags }   _end: { nr_reclaimed }
 *   mm_vmscan_kswapd_wake: { nid, zid?, order }   mm_vmscan_kswapd_sleep: { nid }
 *   mm_vmscan_wakeup_kswapd: { nid, zid?, order, gfp_flags }
 *   function: { ip, parent_ip } (symbols as printed)
 * Numbers are numbers; pointers are hex strings without `0x` as printed by tracefs.
 */

/** The lock class of a `lock_*` event as printed; its address when the name is empty. */
export function lockNameOf(ev: TraceEvent): string {
  const name = ev.fields.name;
  if (typeof name === 'string' && name !== '') return name;
  return String(ev.fields.lockdep_addr ?? '(unnamed)');
}

/** `lockdep_addr` (or any pointer field) as a string, or null (the text parser gives strings already). */
export function addrOf(v: TraceEvent['fields'][string] | undefined): string | null {
  return typeof v === 'string' ? v : v == null ? null : String(v);
}

/** lock_acquire flags: 1 = try, 2 = read (a number; the printed `try read ` prefix as a fallback). */
export function acquireFlagsOf(ev: TraceEvent): number {
  const flags = ev.fields.flags;
  if (typeof flags === 'number') return flags & 3;
  // Read the payload only here: a trace.dat event builds it on demand.
  const text = typeof flags === 'string' ? flags : ev.payload;
  return (/(?:^|\s)try\s/.test(text) ? 1 : 0) | (/(?:^|\s)read\s/.test(text) ? 2 : 0);
}

/** contention_begin flags as printed (`SPIN|MUTEX`), or the number as a string. */
export function contentionFlagsOf(ev: TraceEvent): string {
  const flags = ev.fields.flags;
  return typeof flags === 'string' ? flags : String(flags ?? '');
}

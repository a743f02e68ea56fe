import type { TraceEvent } from '../../../src/model/trace-event.js';

/** A hand-built TraceEvent: `ev(line, 'kswapd0-28', 0, 24.302511, 'lock_acquire', {...})`; ts in seconds. */
export function ev(
  line: number,
  task: string,
  cpu: number,
  seconds: number,
  name: string,
  fields: TraceEvent['fields'] = {},
  flags = '...1.',
): TraceEvent {
  const dash = task.lastIndexOf('-');
  return {
    line,
    ts: Math.round(seconds * 1e9),
    cpu,
    pid: Number(task.slice(dash + 1)),
    tgid: null,
    comm: task.slice(0, dash),
    flags,
    system: null,
    name,
    payload: '',
    fields,
  };
}

export const acquire = (addr: string, name: string, flags = 0) => ({ lockdep_addr: addr, flags, name });
export const release = (addr: string, name: string) => ({ lockdep_addr: addr, name });
export const shrinkStart = (shrink: string, shr: string, totalScan: number) => ({
  shrink,
  shr,
  nid: 0,
  nr_objects_to_shrink: 0,
  gfp_flags: 'GFP_KERNEL',
  cache_items: 4096,
  delta: totalScan,
  total_scan: totalScan,
  priority: 12,
});
export const shrinkEnd = (shrink: string, shr: string, totalScan: number, retval: number) => ({
  shrink,
  shr,
  nid: 0,
  unused_scan: 0,
  new_scan: 0,
  total_scan: totalScan,
  retval,
});

import type { TraceEvent } from '../../model/trace-event.js';
import { parseFunctionGraphBody } from './function-graph.js';
import { parseKeyValues } from './key-values.js';
import { normalizePointer, parseIntField } from './scan.js';

export type Fields = TraceEvent['fields'];

/** How a captured field is typed: numbers as numbers, pointers as hex without `0x` (see trace-event.ts). */
export type FieldType = 'int' | 'ptr' | 'bool';

/**
 * One row per event (or per TP_printk variant of an event): the payload
 * printed after `name: ` → the fields named as in the event's `format` file.
 * `pattern` is a regex with named groups, `'kv'` for a plain `key=value`
 * TP_printk, or a small function for the few shapes a regex would have to
 * backtrack on. Rows for one event are tried in order; the first match wins.
 */
export interface PayloadRow {
  system: string;
  events: readonly string[];
  pattern: RegExp | 'kv' | ((payload: string) => Fields | null);
  /** Field types; a field not listed stays the string as printed. */
  types?: Readonly<Record<string, FieldType>>;
  /** Printed key → format field name (`vdev` → `dev`, `high-prec` → `high_prec`). */
  rename?: Readonly<Record<string, string>>;
  /** For `'kv'` rows: the row matches only when these keys are present. */
  requires?: readonly string[];
  /** Derived fields (e.g. lock_acquire's `flags` from its `try `/`read ` words). */
  finish?: (fields: Fields) => void;
}

const PTR = String.raw`(?:0x)?[0-9a-fA-F]+|\(nil\)|\(____ptrval____\)`;
const INT = String.raw`-?\d+`;

export const PAYLOAD_TABLE: readonly PayloadRow[] = [
  // ---- vmscan (include/trace/events/vmscan.h) ----
  {
    system: 'vmscan',
    events: ['mm_shrink_slab_start'],
    // 6.1 tracefs:  mm_shrink_slab_start: lab_scan+0x0/0x47 [lab_lockdep] ffffffffa0002000: nid: 0 objects to shrink 0 gfp_flags GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO cache items 4096 delta 2 total_scan 2 priority 12
    // trace-cmd:    mm_shrink_slab_start: kfree_rcu_shrink_scan+0x0 0xffffffffaded6740: nid: 0 objects to shrink 4 gfp_flags GFP_KERNEL cache items 2 delta 4 total_scan 4 priority 0
    // 4.13 (<4.16): mm_shrink_slab_start: super_cache_scan+0x0/0x1b0 ffff8eefa4651830: nid: 0 objects to shrink 5895 gfp_flags GFP_TEMPORARY|__GFP_HIGHMEM pgs_scanned 90 lru_pgs 6992959 cache items 5049 delta 0 total_scan 2524
    pattern: new RegExp(
      String.raw`^(?<shrink>\S+(?: \[[^\] ]+\])?) (?<shr>${PTR}): (?:nid: (?<nid>${INT}) )?objects to shrink (?<nr_objects_to_shrink>${INT}) gfp_flags (?<gfp_flags>\S+) (?:pgs_scanned (?<pgs_scanned>\d+) lru_pgs (?<lru_pgs>\d+) )?cache items (?<cache_items>${INT}) delta (?<delta>${INT}) total_scan (?<total_scan>${INT})(?: priority (?<priority>${INT}))? *$`,
    ),
    types: {
      shr: 'ptr',
      nid: 'int',
      nr_objects_to_shrink: 'int',
      pgs_scanned: 'int',
      lru_pgs: 'int',
      cache_items: 'int',
      delta: 'int',
      total_scan: 'int',
      priority: 'int',
    },
  },
  {
    system: 'vmscan',
    events: ['mm_shrink_slab_end'],
    // 6.1 tracefs: mm_shrink_slab_end: lab_scan+0x0/0x47 [lab_lockdep] ffffffffa0002000: nid: 0 unused scan count 0 new scan count 2 total_scan 2 last shrinker return val 0
    // (pre-3.12 has no `nid: %d`: shape)
    pattern: new RegExp(
      String.raw`^(?<shrink>\S+(?: \[[^\] ]+\])?) (?<shr>${PTR}): (?:nid: (?<nid>${INT}) )?unused scan count (?<unused_scan>${INT}) new scan count (?<new_scan>${INT}) total_scan (?<total_scan>${INT}) last shrinker return val (?<retval>${INT}) *$`,
    ),
    types: { shr: 'ptr', nid: 'int', unused_scan: 'int', new_scan: 'int', total_scan: 'int', retval: 'int' },
  },
  {
    system: 'vmscan',
    events: [
      'mm_vmscan_direct_reclaim_begin',
      'mm_vmscan_memcg_reclaim_begin',
      'mm_vmscan_memcg_softlimit_reclaim_begin',
      'mm_vmscan_node_reclaim_begin',
    ],
    // ≥5.3 (shape): mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL
    // 4.13:         mm_vmscan_direct_reclaim_begin: order=0 may_writepage=1 gfp_flags=GFP_TEMPORARY|__GFP_HIGHMEM classzone_idx=2
    pattern: 'kv',
    requires: ['order'],
    types: { order: 'int', may_writepage: 'int', classzone_idx: 'int', nid: 'int' },
  },
  {
    system: 'vmscan',
    events: [
      'mm_vmscan_direct_reclaim_end',
      'mm_vmscan_memcg_reclaim_end',
      'mm_vmscan_memcg_softlimit_reclaim_end',
      'mm_vmscan_node_reclaim_end',
    ],
    // mm_vmscan_direct_reclaim_end: nr_reclaimed=44
    pattern: 'kv',
    requires: ['nr_reclaimed'],
    types: { nr_reclaimed: 'int' },
  },
  {
    system: 'vmscan',
    events: ['mm_vmscan_kswapd_wake'],
    // mm_vmscan_kswapd_wake: nid=0 order=0      (some 4.x: nid=0 zid=2 order=0, shape)
    pattern: 'kv',
    requires: ['nid'],
    types: { nid: 'int', zid: 'int', order: 'int' },
  },
  {
    system: 'vmscan',
    events: ['mm_vmscan_kswapd_sleep'],
    // mm_vmscan_kswapd_sleep: nid=0
    pattern: 'kv',
    requires: ['nid'],
    types: { nid: 'int' },
  },
  {
    system: 'vmscan',
    events: ['mm_vmscan_wakeup_kswapd'],
    // mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO
    pattern: 'kv',
    requires: ['nid'],
    types: { nid: 'int', zid: 'int', order: 'int' },
  },

  // ---- lock (include/trace/events/lock.h) ----
  {
    system: 'lock',
    events: ['lock_acquire'],
    // tracefs:   lock_acquire: ffffffff81ae6d98 read drm_unplug_srcu
    // trace-cmd: lock_acquire:         0xffff892b7cf32c20 lock
    pattern: new RegExp(`^(?<lockdep_addr>${PTR}) (?<try>try )?(?<read>read )?(?<name>.+)$`, 's'),
    types: { lockdep_addr: 'ptr' },
    finish: (f) => {
      f.flags = (f.try === undefined ? 0 : 1) | (f.read === undefined ? 0 : 2);
      delete f.try;
      delete f.read;
    },
  },
  {
    system: 'lock',
    events: ['lock_release', 'lock_contended', 'lock_acquired'],
    // lock_release: ffffffffa0002250 lab_shrinker_lock
    // lock_contended: ffff88803ebe9158 &rq->__lock
    pattern: new RegExp(`^(?<lockdep_addr>${PTR}) (?<name>.+)$`, 's'),
    types: { lockdep_addr: 'ptr' },
  },
  {
    system: 'lock',
    events: ['contention_begin'],
    // tracefs:   contention_begin: 00000000455ca088 (flags=SPIN|MUTEX)
    // trace-cmd: contention_begin:     0xffffffffadf48380 (flags=SPIN|MUTEX)
    pattern: new RegExp(String.raw`^(?<lock_addr>${PTR}) \(flags=(?<flags>[^)]*)\) *$`),
    types: { lock_addr: 'ptr' },
  },
  {
    system: 'lock',
    events: ['contention_end'],
    // trace-cmd: contention_end:       0xffffffffadf48380 (ret=0)
    pattern: new RegExp(String.raw`^(?<lock_addr>${PTR}) \(ret=(?<ret>${INT})\) *$`),
    types: { lock_addr: 'ptr', ret: 'int' },
  },

  // ---- dma_fence (include/trace/events/dma_fence.h; system `fence` before 4.10) ----
  {
    system: 'dma_fence',
    events: [
      'dma_fence_emit',
      'dma_fence_init',
      'dma_fence_destroy',
      'dma_fence_enable_signal',
      'dma_fence_signaled',
      'dma_fence_wait_start',
      'dma_fence_wait_end',
    ],
    // dma_fence_signaled: driver=virtio_gpu timeline=controlq context=1 seqno=1
    pattern: 'kv',
    requires: ['context', 'seqno'],
    types: { context: 'int', seqno: 'int' },
  },
  {
    system: 'fence',
    events: [
      'fence_emit',
      'fence_init',
      'fence_destroy',
      'fence_enable_signal',
      'fence_signaled',
      'fence_wait_start',
      'fence_wait_end',
    ],
    // fence_signaled: driver=sde_fence:crtc111:25602 timeline=crtc111 context=3 seqno=256022
    pattern: 'kv',
    requires: ['context', 'seqno'],
    types: { context: 'int', seqno: 'int' },
  },

  // ---- virtio_gpu (drivers/gpu/drm/virtio/virtgpu_trace.h) ----
  {
    system: 'virtio_gpu',
    events: ['virtio_gpu_cmd_queue', 'virtio_gpu_cmd_response'],
    // virtio_gpu_cmd_queue: vdev=0 vq=0 name=control type=0x101 flags=0x0 fence_id=0 ctx_id=0
    // (2022+, shape: ... ctx_id=1 num_free=254 seqno=9)
    pattern: 'kv',
    requires: ['vdev', 'type'],
    rename: { vdev: 'dev' },
    types: {
      dev: 'int',
      vq: 'int',
      type: 'int',
      flags: 'int',
      fence_id: 'int',
      ctx_id: 'int',
      num_free: 'int',
      seqno: 'int',
    },
  },

  // ---- drm (drivers/gpu/drm/drm_trace.h) ----
  {
    system: 'drm',
    events: ['drm_vblank_event'],
    // old: drm_vblank_event: crtc=0, seq=4233
    // ≥5.x (shape): drm_vblank_event: crtc=0, seq=123456, time=5123456789000, high-prec=true
    pattern: 'kv',
    requires: ['crtc', 'seq'],
    rename: { 'high-prec': 'high_prec' },
    types: { crtc: 'int', seq: 'int', time: 'int', high_prec: 'bool' },
  },
  {
    system: 'drm',
    events: ['drm_vblank_event_queued', 'drm_vblank_event_delivered'],
    // drm_vblank_event_delivered: file=0000000000000000, crtc=0, seq=0   (old, shape: pid=1234, crtc=0, seq=123457)
    pattern: 'kv',
    requires: ['crtc', 'seq'],
    types: { file: 'ptr', pid: 'int', crtc: 'int', seq: 'int' },
  },

  // ---- gpu_scheduler (drivers/gpu/drm/scheduler/gpu_scheduler_trace.h) ----
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_job', 'drm_run_job'],
    // ≤6.16 (real prefix + shape tail): drm_sched_job: entity=0000000076f0d517, id=1, fence=000000008dd56028, ring=gfx, job count:0, hw job count:1
    pattern: new RegExp(
      String.raw`^entity=(?<entity>${PTR}), id=(?<id>\d+), fence=(?<fence>${PTR}), ring=(?<name>[^,]*), job count:(?<job_count>\d+), hw job count:(?<hw_job_count>${INT}) *$`,
    ),
    types: { entity: 'ptr', id: 'int', fence: 'ptr', job_count: 'int', hw_job_count: 'int' },
  },
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_process_job'],
    // ≤6.16 (shape): drm_sched_process_job: fence=000000008dd56028 signaled
    pattern: new RegExp(`^fence=(?<fence>${PTR}) signaled *$`),
    types: { fence: 'ptr' },
  },
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_job_wait_dep'],
    // ≤6.16 (shape): drm_sched_job_wait_dep: job ring=gfx, id=5, depends fence=000000008dd56028, context=12, seq=345
    pattern: new RegExp(
      String.raw`^job ring=(?<name>[^,]*), id=(?<id>\d+), depends fence=(?<fence>${PTR}), context=(?<ctx>\d+), seq=(?<seqno>\d+) *$`,
    ),
    types: { id: 'int', fence: 'ptr', ctx: 'int', seqno: 'int' },
  },
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_job_queue', 'drm_sched_job_run'],
    // 6.17+ (shape): drm_sched_job_run: dev=0000:03:00.0, fence=12:345, ring=gfx_0.0.0, job count:0, hw job count:1, client_id:7
    pattern: new RegExp(
      String.raw`^dev=(?<dev>[^,]*), fence=(?<fence_context>\d+):(?<fence_seqno>\d+), ring=(?<name>[^,]*), job count:(?<job_count>\d+), hw job count:(?<hw_job_count>${INT}), client_id:(?<client_id>\d+) *$`,
    ),
    types: {
      fence_context: 'int',
      fence_seqno: 'int',
      job_count: 'int',
      hw_job_count: 'int',
      client_id: 'int',
    },
  },
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_job_done'],
    // 6.17+ (shape): drm_sched_job_done: fence=12:345 signaled
    pattern: new RegExp(String.raw`^fence=(?<fence_context>\d+):(?<fence_seqno>\d+) signaled *$`),
    types: { fence_context: 'int', fence_seqno: 'int' },
  },
  {
    system: 'gpu_scheduler',
    events: ['drm_sched_job_add_dep', 'drm_sched_job_unschedulable'],
    // 6.17+ (shape): drm_sched_job_add_dep: fence=12:345 depends on fence=3:77
    //                drm_sched_job_unschedulable: fence=12:345 depends on unsignalled fence=3:77
    pattern: new RegExp(
      String.raw`^fence=(?<fence_context>\d+):(?<fence_seqno>\d+) depends on (?:unsignalled )?fence=(?<ctx>\d+):(?<seqno>\d+) *$`,
    ),
    types: { fence_context: 'int', fence_seqno: 'int', ctx: 'int', seqno: 'int' },
  },

  // ---- sched (include/trace/events/sched.h) ----
  {
    system: 'sched',
    events: ['sched_switch'],
    // sched_switch: prev_comm=atrace prev_pid=14446 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
    pattern: 'kv',
    requires: ['prev_pid', 'next_pid'],
    types: { prev_pid: 'int', prev_prio: 'int', next_pid: 'int', next_prio: 'int' },
  },
  {
    system: 'sched',
    events: ['sched_switch'],
    // trace-cmd sched plugin: sched_switch:         swapper/0:0 [120] R ==> trace-cmd:89135 [120]
    pattern: parseSchedSwitchPlugin,
    types: { prev_pid: 'int', prev_prio: 'int', next_pid: 'int', next_prio: 'int' },
  },
  {
    system: 'sched',
    events: ['sched_waking', 'sched_wakeup', 'sched_wakeup_new'],
    // sched_wakeup: comm=ksoftirqd/0 pid=3 prio=120 success=1 target_cpu=000
    pattern: 'kv',
    requires: ['pid'],
    types: { pid: 'int', prio: 'int', success: 'int', target_cpu: 'int' },
  },
  {
    system: 'sched',
    events: ['sched_waking', 'sched_wakeup', 'sched_wakeup_new'],
    // trace-cmd sched plugin: sched_wakeup:         trace-cmd:89992 [120] CPU:005
    pattern: parseSchedWakeupPlugin,
    types: { pid: 'int', prio: 'int', success: 'int', target_cpu: 'int' },
  },

  // ---- ftrace internal events (kernel/trace/trace_entries.h) ----
  {
    system: 'ftrace',
    events: ['function'],
    // tracefs function tracer: drm_gem_shmem_fault <-__do_fault
    // trace-cmd:               function:             ktime_get <-- tick_check_idle   (or just: mutex_unlock)
    pattern: parseFunctionPayload,
  },
  {
    system: 'ftrace',
    events: ['print', 'bprint', 'bputs'],
    // tracefs marker:  tracing_mark_write: lab: phase drmfb start (frames=60)   (kept as name `print`)
    // trace-cmd:       print:                tracing_mark_write: lab: phase drmfb start (frames=60)
    // old trace-cmd:   bputs:                0xffff0000080feeb8s: equals_event: my_field=foo
    pattern: parsePrintPayload,
  },
  {
    system: 'ftrace',
    events: ['funcgraph_entry', 'funcgraph_exit'],
    // trace-cmd: funcgraph_entry:                  |  do_IRQ() {
    //            funcgraph_exit:       + 36.358 us |  }
    pattern: parseFunctionGraphBody,
  },
];

/** `swapper/0:0 [120] R ==> trace-cmd:89135 [120]` (comm may hold spaces and colons). */
function parseSchedSwitchPlugin(p: string): Fields | null {
  const arrow = p.indexOf(' ==> ');
  if (arrow < 0) return null;
  const prev = parseCommPidPrio(p.slice(0, arrow), true);
  const next = parseCommPidPrio(p.slice(arrow + 5), false);
  if (!prev || !next) return null;
  return {
    prev_comm: prev.comm,
    prev_pid: prev.pid,
    prev_prio: prev.prio,
    prev_state: prev.rest,
    next_comm: next.comm,
    next_pid: next.pid,
    next_prio: next.prio,
  };
}

/** `trace-cmd:89992 [120] CPU:005` or `… [120] success=1 CPU:005`. */
function parseSchedWakeupPlugin(p: string): Fields | null {
  const t = parseCommPidPrio(p, true);
  if (!t) return null;
  const cpuAt = t.rest.lastIndexOf('CPU:');
  if (cpuAt < 0) return null;
  const out: Fields = { comm: t.comm, pid: t.pid, prio: t.prio, target_cpu: t.rest.slice(cpuAt + 4).trim() };
  const success = /success=(\d)/.exec(t.rest.slice(0, cpuAt));
  if (success) out.success = success[1]!;
  return out;
}

function parseCommPidPrio(
  s: string,
  withRest: boolean,
): { comm: string; pid: string; prio: string; rest: string } | null {
  const open = s.indexOf(' [');
  const close = open < 0 ? -1 : s.indexOf(']', open);
  if (close < 0) return null;
  const head = s.slice(0, open);
  const colon = head.lastIndexOf(':');
  if (colon < 0) return null;
  const pid = head.slice(colon + 1);
  if (!/^\d+$/.test(pid)) return null;
  const rest = s.slice(close + 1).trim();
  if (!withRest && rest !== '' && !rest.startsWith('Latency:')) return null;
  return { comm: head.slice(0, colon), pid, prio: s.slice(open + 2, close), rest };
}

/** `func <-parent` (tracefs), `func <-- parent` (trace-cmd -O parent) or `func`. */
function parseFunctionPayload(p: string): Fields | null {
  const trimmed = p.trimEnd();
  const long = trimmed.indexOf(' <-- ');
  if (long >= 0) return { ip: trimmed.slice(0, long), parent_ip: trimmed.slice(long + 5) };
  const short = trimmed.indexOf(' <-');
  if (short >= 0) return { ip: trimmed.slice(0, short), parent_ip: trimmed.slice(short + 3) };
  if (trimmed === '' || trimmed.includes(' ')) return null;
  return { ip: trimmed, parent_ip: null };
}

/** `ip: text` → { ip, buf }. */
function parsePrintPayload(p: string): Fields | null {
  const sep = p.indexOf(': ');
  if (sep <= 0) {
    if (p.endsWith(':')) return { ip: p.slice(0, -1), buf: '' };
    return null;
  }
  return { ip: p.slice(0, sep), buf: p.slice(sep + 2) };
}

/** The rows per event name, in table order. */
export const ROWS_BY_EVENT: ReadonlyMap<string, readonly PayloadRow[]> = (() => {
  const m = new Map<string, PayloadRow[]>();
  for (const row of PAYLOAD_TABLE) {
    for (const e of row.events) {
      const list = m.get(e) ?? [];
      list.push(row);
      m.set(e, list);
    }
  }
  return m;
})();

/** The event's system from the table (`lock`, `vmscan`), or null for events the table does not know. */
export function systemOf(name: string): string | null {
  const rows = ROWS_BY_EVENT.get(name);
  return rows ? rows[0]!.system : null;
}

export type TableResult = { fields: Fields; matched: boolean };

/**
 * Parses a payload through the table. Events without a row get their
 * `key=value` fields (`matched: true`: there was nothing to mismatch); an
 * event whose rows all fail gets its `key=value` fields and `matched: false`.
 */
export function parsePayloadByTable(name: string, payload: string): TableResult {
  const rows = ROWS_BY_EVENT.get(name);
  if (!rows) return { fields: parseKeyValues(payload), matched: true };
  for (const row of rows) {
    const fields = applyRow(row, payload);
    if (fields) return { fields, matched: true };
  }
  return { fields: parseKeyValues(payload), matched: false };
}

/** Object.entries of each row's `types` and `rename`, computed once. */
const ENTRIES = new Map<PayloadRow, { types: [string, FieldType][]; rename: [string, string][] }>(
  PAYLOAD_TABLE.map((r) => [
    r,
    { types: Object.entries(r.types ?? {}), rename: Object.entries(r.rename ?? {}) },
  ]),
);

/**
 * The fields with keys renamed: the others in their order, then each renamed
 * one (as deleting and adding them would, but in a new object: a `delete`
 * turns an object into a slow dictionary for everyone who reads it after).
 */
function renamed(fields: Fields, rename: [string, string][]): Fields {
  let any = false;
  for (const [from] of rename) if (from in fields) any = true;
  if (!any) return fields;
  const out: Fields = {};
  for (const k in fields) if (!rename.some(([from]) => from === k)) out[k] = fields[k]!;
  for (const [from, to] of rename) if (from in fields) out[to] = fields[from]!;
  return out;
}

function applyRow(row: PayloadRow, payload: string): Fields | null {
  const { types, rename } = ENTRIES.get(row)!;
  let fields: Fields | null;
  if (row.pattern === 'kv') {
    fields = parseKeyValues(payload);
    if (rename.length > 0) fields = renamed(fields, rename);
    if (row.requires) {
      for (const k of row.requires)
        if (!(k in fields) && !(row.rename?.[k] && row.rename[k]! in fields)) return null;
    }
  } else if (typeof row.pattern === 'function') {
    fields = row.pattern(payload);
    if (!fields) return null;
  } else {
    const m = row.pattern.exec(payload);
    if (!m) return null;
    fields = {};
    const groups = m.groups ?? {};
    for (const k in groups) if (groups[k] !== undefined) fields[k] = groups[k]!;
  }
  for (const [k, t] of types) {
    const v = fields[k];
    if (typeof v === 'string') fields[k] = convert(v, t);
  }
  row.finish?.(fields);
  return fields;
}

function convert(v: string, t: FieldType): string | number | boolean | null {
  if (t === 'ptr') return normalizePointer(v);
  if (t === 'bool') return v === 'true' || v === '1';
  const n = parseIntField(v);
  return n === null ? v : n;
}

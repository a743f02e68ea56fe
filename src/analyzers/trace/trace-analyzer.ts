import type { TraceEvent } from '../../model/trace-event.js';
import { LogHistogram } from '../stats/log-histogram.js';
import { Reservoir } from '../stats/reservoir.js';
import { LockOrderGraph } from './lock-order-graph.js';
import {
  contentionFlagBits,
  isAnnotationMap,
  isRcuReadSection,
  type LockType,
  type LockTypeSource,
  lockTypeFromContention,
  lockTypeFromKnownClass,
  lockTypeFromLockdepUsage,
  lockTypeFromReleaseDepths,
  preemptDepth,
} from './lock-type.js';
import { parseShrinkerSymbol } from './shrinker-symbol.js';
import { acquiredAt, type HeldLock, MAX_HELD, newTaskState, type TaskState } from './task-state.js';
import type { EventRef, OrphanCounts, SpanRef, TraceAnalysis } from './trace-analysis.js';
import { buildFindings, HAZARD_STATE, type HazardState, noteHazard } from './trace-findings.js';

/** A /proc/lockdep class as `parseProcLockdep` gives it (only the fields used here). */
export interface LockdepHint {
  name: string;
  usage: string | null;
  deps: string[];
}

export interface TraceAnalyzerOptions {
  lockdep?: readonly LockdepHint[];
  /** Samples kept per lock class / shrinker for `trace diff`. */
  reservoirSize?: number;
}

export interface LockClassAcc {
  name: string;
  acquisitions: number;
  tryAcquisitions: number;
  readAcquisitions: number;
  /** lock_contended events (LOCK_STAT kernels). */
  contended: number;
  /** Acquisitions with a contention_begin attributed (every slow-path mutex_lock on lockdep kernels). */
  contentionBegins: number;
  wait: LogHistogram;
  hold: LogHistogram;
  waitSamples: Reservoir;
  holdSamples: Reservoir;
  contentionType: LockType;
  /** lock_release events above / at the task's baseline preempt depth. */
  releasesAboveBase: number;
  releasesAtBase: number;
  shrinkers: Set<string>;
  /** `isAnnotationMap(name)` and `isRcuReadSection(name)`: the regexes run once per class, not per event. */
  annotation: boolean;
  rcuRead: boolean;
}

interface ShrinkerAcc {
  name: string;
  module: string | null;
  invocations: number;
  scanned: number;
  freed: number;
  latency: LogHistogram;
  samples: Reservoir;
  locks: Set<string>;
  driverCalls: Map<string, number>;
}

interface AddressAcc {
  bits: number;
  flags: string;
  count: number;
  wait: LogHistogram;
}

/** Samples a `trace diff` compares, keyed `lock-wait:NAME`, `lock-hold:NAME`, `shrinker:NAME`, `reclaim:direct`. */
export type SampleSets = Map<string, number[]>;

const MAX_ADDRESSES = 4096;
// drm_gem_shmem_evict, drm_gem_shmem_purge, virtio_gpu_purge_object, ttm_bo_evict
const DRIVER_RECLAIM_FUNCTION = /(?:evict|purge)/;

/**
 * The trace analyzer: a pure state machine over TraceEvents (`push(events)`
 * any number of times, then `finish()`). It keeps per-task state (held-lock
 * stack, open shrinker and reclaim spans, pending contention) and per-class
 * aggregates, so memory is bounded by tasks, lock classes and shrinkers, not
 * by the number of events. Orphans are counted, never fatal.
 */
export class TraceAnalyzer {
  private total = 0;
  private readonly kinds = new Map<string, Kind>();
  private readonly tasks = new Map<number, TaskState>();
  private readonly locks = new Map<string, LockClassAcc>();
  private readonly shrinkers = new Map<string, ShrinkerAcc>();
  private readonly addresses = new Map<string, AddressAcc>();
  private readonly driverCalls = new Map<string, number>();
  private readonly graph = new LockOrderGraph();
  private readonly hazards: HazardState = HAZARD_STATE();
  private readonly directReclaim = new LogHistogram();
  private readonly directReclaimSamples: Reservoir;
  private readonly kswapd = new LogHistogram();
  private readonly orphans: OrphanCounts = {
    directReclaimBeginWithoutEnd: 0,
    directReclaimEndWithoutBegin: 0,
    kswapdWakeWithoutSleep: 0,
    kswapdSleepWithoutWake: 0,
    shrinkerStartWithoutEnd: 0,
    shrinkerEndWithoutStart: 0,
    acquireWithoutRelease: 0,
    releaseWithoutAcquire: 0,
    contentionBeginWithoutEnd: 0,
    contentionEndWithoutBegin: 0,
    lostEvents: 0,
  };
  private readonly lockdep = new Map<string, LockdepHint>();
  private readonly reservoirSize: number;
  /** One-entry caches in front of `kinds` and `tasks` (runs of one event name or one task are common). */
  private lastKindName = '';
  private lastKind: Kind | null = null;
  private lastTaskKey = 0;
  private lastTask: TaskState | null = null;

  constructor(options: TraceAnalyzerOptions = {}) {
    for (const c of options.lockdep ?? []) this.lockdep.set(c.name, c);
    this.reservoirSize = options.reservoirSize ?? 1000;
    this.directReclaimSamples = new Reservoir(this.reservoirSize);
  }

  push(events: readonly TraceEvent[]): void {
    for (const ev of events) {
      this.total++;
      // The counter and the handler of its name: no lookup when the name repeats (the parser
      // shares name strings, so the comparison is mostly by reference), else one map lookup.
      let kind = this.lastKind;
      if (ev.name !== this.lastKindName || kind === null) {
        kind = this.kinds.get(ev.name) ?? null;
        if (!kind) {
          kind = { count: 0, handler: HANDLERS.get(ev.name) ?? null };
          this.kinds.set(ev.name, kind);
        }
        this.lastKindName = ev.name;
        this.lastKind = kind;
      }
      kind.count++;
      const task = this.task(ev);
      const depth = preemptDepth(ev.flags);
      if (depth !== null && (task.baseDepth === null || depth < task.baseDepth)) task.baseDepth = depth;
      // Only the task's very next event after lock_acquire can be that acquisition's contention.
      if (task.pendingAcquire && task.pendingAcquire.line !== ev.line && ev.name !== 'contention_begin') {
        task.pendingAcquire = null;
      }
      kind.handler?.(this, ev, task);
    }
  }

  /** `[LOST N EVENTS]` and ring-buffer overruns reported by the reader. */
  noteLostEvents(n: number): void {
    this.orphans.lostEvents += n;
  }

  finish(): TraceAnalysis {
    for (const task of this.tasks.values()) {
      this.orphans.acquireWithoutRelease += task.held.length;
      this.orphans.shrinkerStartWithoutEnd += task.shrinkers.length;
      if (task.directReclaim) this.orphans.directReclaimBeginWithoutEnd++;
      if (task.kswapd) this.orphans.kswapdWakeWithoutSleep++;
      if (task.contention) this.orphans.contentionBeginWithoutEnd++;
    }
    const lockOrder = this.graph.finish();
    const hasLockContended = (this.kinds.get('lock_contended')?.count ?? 0) > 0;
    const typeOf = (name: string) => this.lockType(name);
    const lockdepDeps = new Map([...this.lockdep.values()].map((c) => [c.name, c.deps.map(depName)]));
    return {
      schemaVersion: 1,
      events: {
        total: this.total,
        byName: Object.fromEntries(
          [...this.kinds].map(([k, v]) => [k, v.count] as const).sort(([a], [b]) => cmp(a, b)),
        ),
      },
      findings: buildFindings(this.hazards, typeOf, lockdepDeps, lockOrder),
      locks: [...this.locks.values()]
        .sort((a, b) => b.acquisitions - a.acquisitions || cmp(a.name, b.name))
        .map((l) => ({
          name: l.name,
          ...this.lockType(l.name),
          acquisitions: l.acquisitions,
          tryAcquisitions: l.tryAcquisitions,
          readAcquisitions: l.readAcquisitions,
          contentions: hasLockContended ? l.contended : l.contentionBegins,
          wait: l.wait.summary(),
          hold: l.hold.summary(),
          shrinkers: [...l.shrinkers].sort(cmp),
        })),
      shrinkers: [...this.shrinkers.values()]
        .sort((a, b) => b.invocations - a.invocations || cmp(a.name, b.name))
        .map((s) => ({
          name: s.name,
          module: s.module,
          invocations: s.invocations,
          objectsScanned: s.scanned,
          objectsFreed: s.freed,
          latency: s.latency.summary(),
          locks: [...s.locks].sort(cmp),
          driverCalls: Object.fromEntries([...s.driverCalls].sort(([a], [b]) => cmp(a, b))),
        })),
      reclaim: {
        direct: { episodes: this.directReclaim.count, duration: this.directReclaim.summary() },
        kswapd: { episodes: this.kswapd.count, duration: this.kswapd.summary() },
      },
      lockOrder,
      contention: [...this.addresses]
        .sort(([, a], [, b]) => b.wait.total - a.wait.total || b.count - a.count)
        .slice(0, 50)
        .map(([addr, a]) => ({
          addr,
          flags: a.flags,
          lockType: lockTypeFromContention(a.bits),
          count: a.count,
          wait: a.wait.summary(),
        })),
      driverCalls: Object.fromEntries([...this.driverCalls].sort(([a], [b]) => cmp(a, b))),
      orphans: { ...this.orphans },
    };
  }

  /** The bounded samples `trace diff` tests with Mann–Whitney U. */
  samples(): SampleSets {
    const sets: SampleSets = new Map();
    for (const l of this.locks.values()) {
      sets.set(`lock-wait:${l.name}`, l.waitSamples.samples);
      sets.set(`lock-hold:${l.name}`, l.holdSamples.samples);
    }
    for (const s of this.shrinkers.values()) sets.set(`shrinker:${s.name}`, s.samples.samples);
    sets.set('reclaim:direct', this.directReclaimSamples.samples);
    return sets;
  }

  lockType(name: string): { lockType: LockType; lockTypeSource: LockTypeSource } {
    const observed = this.locks.get(name)?.contentionType ?? 'unknown';
    if (observed !== 'unknown') return { lockType: observed, lockTypeSource: 'contention' };
    const fromLockdep = lockTypeFromLockdepUsage(this.lockdep.get(name)?.usage);
    if (fromLockdep !== 'unknown') return { lockType: fromLockdep, lockTypeSource: 'lockdep' };
    const known = lockTypeFromKnownClass(name);
    if (known !== 'unknown') return { lockType: known, lockTypeSource: 'known-class' };
    const acc = this.locks.get(name);
    const fromDepth = acc ? lockTypeFromReleaseDepths(acc.releasesAboveBase, acc.releasesAtBase) : 'unknown';
    if (fromDepth !== 'unknown' && !isAnnotationMap(name))
      return { lockType: fromDepth, lockTypeSource: 'preempt-depth' };
    return { lockType: 'unknown', lockTypeSource: null };
  }

  // ---- state helpers used by the handlers ----

  task(ev: TraceEvent): TaskState {
    const key = ev.pid > 0 ? ev.pid : -1 - ev.cpu;
    let task = key === this.lastTaskKey ? this.lastTask : null;
    if (!task) {
      task = this.tasks.get(key) ?? null;
      if (!task) {
        task = newTaskState(ev.pid, ev.comm);
        this.tasks.set(key, task);
        this.lastTaskKey = key;
        this.lastTask = task;
        return task;
      }
      this.lastTaskKey = key;
      this.lastTask = task;
    }
    if (task.comm !== ev.comm && ev.comm !== '<...>') task.comm = ev.comm;
    return task;
  }

  lockClass(name: string): LockClassAcc {
    let acc = this.locks.get(name);
    if (!acc) {
      acc = {
        name,
        acquisitions: 0,
        tryAcquisitions: 0,
        readAcquisitions: 0,
        contended: 0,
        contentionBegins: 0,
        wait: new LogHistogram(),
        hold: new LogHistogram(),
        waitSamples: new Reservoir(this.reservoirSize),
        holdSamples: new Reservoir(this.reservoirSize),
        contentionType: 'unknown',
        releasesAboveBase: 0,
        releasesAtBase: 0,
        shrinkers: new Set(),
        annotation: isAnnotationMap(name),
        rcuRead: isRcuReadSection(name),
      };
      this.locks.set(name, acc);
    }
    return acc;
  }

  shrinker(name: string, module: string | null): ShrinkerAcc {
    let acc = this.shrinkers.get(name);
    if (!acc) {
      acc = {
        name,
        module,
        invocations: 0,
        scanned: 0,
        freed: 0,
        latency: new LogHistogram(),
        samples: new Reservoir(this.reservoirSize),
        locks: new Set(),
        driverCalls: new Map(),
      };
      this.shrinkers.set(name, acc);
    }
    return acc;
  }

  // ---- event handlers ----

  onLockAcquire(ev: TraceEvent, task: TaskState): void {
    const name = lockName(ev);
    const flags = acquireFlags(ev);
    const isTry = (flags & 1) !== 0;
    const isRead = (flags & 2) !== 0;
    const acc = this.lockClass(name);
    acc.acquisitions++;
    if (isTry) acc.tryAcquisitions++;
    if (isRead) acc.readAcquisitions++;
    const held: HeldLock = {
      name,
      addr: addrOf(ev.fields.lockdep_addr) ?? '',
      line: ev.line,
      ts: ev.ts,
      cpu: ev.cpu,
      pid: ev.pid,
      comm: task.comm,
      at: null,
      acquiredTs: null,
      try: isTry,
      read: isRead,
      contended: false,
      waitRecorded: false,
      annotation: acc.annotation,
      rcuRead: acc.rcuRead,
      cls: acc,
    };

    if (!isTry && !acc.rcuRead) {
      for (const h of task.held)
        if (!h.rcuRead && !this.graph.addAgain(h.name, name)) this.graph.add(h.name, name, acquiredAt(held));
    }
    // No out-of-bounds read on the (usually empty) span stack: it is slow in V8.
    const shrinker = task.shrinkers.length > 0 ? task.shrinkers[task.shrinkers.length - 1]! : null;
    if (shrinker) {
      acc.shrinkers.add(shrinker.name);
      this.shrinker(shrinker.name, shrinker.module).locks.add(name);
      noteHazard.inShrinker(this.hazards, name, shrinker, held, acquiredAt(held));
    } else if (!isTry && !acc.annotation && !irqsOff(ev) && !inReclaimContext(task)) {
      if (!noteHazard.heldOutsideReclaimAgain(this.hazards, name))
        noteHazard.heldOutsideReclaim(this.hazards, name, acquiredAt(held));
    }
    if (name === 'fs_reclaim') {
      for (const h of task.held) {
        // Once per reclaiming allocation: count a repeat without building its EventRefs.
        if (!h.annotation && !noteHazard.mayReclaimAgain(this.hazards, h.name, 'fs_reclaim'))
          noteHazard.mayReclaim(this.hazards, h.name, 'fs_reclaim', acquiredAt(held), acquiredAt(h), null);
      }
    }
    task.held.push(held);
    if (task.held.length > MAX_HELD) {
      task.held.shift();
      this.orphans.acquireWithoutRelease++;
    }
    // A trylock never waits; lockdep maps and RCU sections are not the lock a contention is on.
    task.pendingAcquire = isTry || acc.annotation ? null : held;
  }

  onLockAcquired(ev: TraceEvent, task: TaskState): void {
    const held = findHeld(task, ev);
    if (!held) return;
    if (held.acquiredTs === null) {
      held.acquiredTs = ev.ts;
      if (!held.waitRecorded) this.recordWait(held, ev.ts - held.ts);
    }
    if (task.pendingAcquire === held) task.pendingAcquire = null;
  }

  onLockContended(ev: TraceEvent, task: TaskState): void {
    const held = findHeld(task, ev);
    (held ? held.cls : this.lockClass(lockName(ev))).contended++;
  }

  onLockRelease(ev: TraceEvent, task: TaskState): void {
    const i = findHeldIndex(task, ev);
    if (i < 0) {
      this.orphans.releaseWithoutAcquire++;
      return;
    }
    const held = task.held[i]!;
    // Locks are mostly released in reverse order: pop, no splice (which allocates its result).
    if (i === task.held.length - 1) task.held.pop();
    else task.held.splice(i, 1);
    if (task.pendingAcquire === held) task.pendingAcquire = null;
    const acc = held.cls;
    const depth = preemptDepth(ev.flags);
    // At the baseline: this lock left preemption alone. Above it by more than the other held
    // locks could account for (one level each at most): this lock disabled preemption.
    if (depth !== null && task.baseDepth !== null) {
      if (depth === task.baseDepth) acc.releasesAtBase++;
      else if (depth > task.baseDepth + task.held.length) acc.releasesAboveBase++;
    }
    const hold = ev.ts - (held.acquiredTs ?? held.ts);
    acc.hold.add(hold);
    acc.holdSamples.add(hold);
  }

  onContentionBegin(ev: TraceEvent, task: TaskState): void {
    const flags = ev.fields.flags;
    const addr = String(ev.fields.lock_addr ?? '');
    // A mutex traces SPIN|MUTEX before spinning and MUTEX again before sleeping, then one end.
    if (task.contention?.addr === addr) {
      task.contention.bits |= contentionFlagBits(flags);
      task.pendingAcquire = null;
      return;
    }
    if (task.contention) this.orphans.contentionBeginWithoutEnd++;
    const open = {
      addr,
      bits: contentionFlagBits(flags),
      flags: typeof flags === 'string' ? flags : String(flags ?? ''),
      ts: ev.ts,
      held: null,
    };
    task.contention = open;
    if (task.pendingAcquire) this.attributeContention(open, task.pendingAcquire);
    task.pendingAcquire = null;
  }

  onContentionEnd(ev: TraceEvent, task: TaskState): void {
    const open = task.contention;
    if (!open) {
      this.orphans.contentionEndWithoutBegin++;
      return;
    }
    task.contention = null;
    const wait = ev.ts - open.ts;
    let acc = this.addresses.get(open.addr);
    if (!acc && this.addresses.size < MAX_ADDRESSES) {
      acc = { bits: open.bits, flags: open.flags, count: 0, wait: new LogHistogram() };
      this.addresses.set(open.addr, acc);
    }
    if (acc) {
      acc.count++;
      acc.wait.add(wait);
    }
    // No lock_acquired in this trace for that acquisition: the contention is its wait.
    if (open.held && open.held.acquiredTs === null && !open.held.waitRecorded)
      this.recordWait(open.held, wait);
  }

  onShrinkStart(ev: TraceEvent, task: TaskState): void {
    const symbol = parseShrinkerSymbol(ev.fields.shrink);
    const shr = ev.fields.shr == null ? null : String(ev.fields.shr);
    const stale = task.shrinkers.findIndex((s) => s.shr !== null && s.shr === shr);
    if (stale >= 0) {
      this.orphans.shrinkerStartWithoutEnd += task.shrinkers.length - stale;
      task.shrinkers.length = stale;
    }
    task.shrinkers.push({
      name: symbol.name,
      module: symbol.module,
      shr,
      start: ref(ev, task),
      totalScan: num(ev.fields.total_scan),
      examples: [],
    });
  }

  onShrinkEnd(ev: TraceEvent, task: TaskState): void {
    const shr = ev.fields.shr == null ? null : String(ev.fields.shr);
    let i = task.shrinkers.length - 1;
    while (i >= 0 && shr !== null && task.shrinkers[i]!.shr !== null && task.shrinkers[i]!.shr !== shr) i--;
    if (i < 0) {
      this.orphans.shrinkerEndWithoutStart++;
      return;
    }
    const open = task.shrinkers[i]!;
    this.orphans.shrinkerStartWithoutEnd += task.shrinkers.length - 1 - i;
    task.shrinkers.length = i;
    const end = ref(ev, task);
    for (const example of open.examples) example.end = end;
    const acc = this.shrinker(open.name, open.module);
    acc.invocations++;
    const latency = ev.ts - open.start.ts;
    acc.latency.add(latency);
    acc.samples.add(latency);
    const left = num(ev.fields.total_scan);
    if (open.totalScan !== null && left !== null) acc.scanned += Math.max(0, open.totalScan - left);
    acc.freed += Math.max(0, num(ev.fields.retval) ?? 0);
  }

  onDirectReclaimBegin(ev: TraceEvent, task: TaskState): void {
    if (task.directReclaim) this.orphans.directReclaimBeginWithoutEnd++;
    const at = ref(ev, task);
    const span: SpanRef = { kind: 'direct_reclaim', name: 'direct reclaim', start: at, end: null };
    task.directReclaim = { start: at, examples: [span] };
    for (const h of task.held) {
      if (h.annotation) continue;
      noteHazard.heldIntoReclaim(this.hazards, h.name, at, acquiredAt(h), span);
      noteHazard.mayReclaim(this.hazards, h.name, 'direct_reclaim', at, acquiredAt(h), span);
    }
  }

  onDirectReclaimEnd(ev: TraceEvent, task: TaskState): void {
    const open = task.directReclaim;
    if (!open) {
      this.orphans.directReclaimEndWithoutBegin++;
      return;
    }
    task.directReclaim = null;
    const end = ref(ev, task);
    for (const example of open.examples) example.end = end;
    this.directReclaim.add(ev.ts - open.start.ts);
    this.directReclaimSamples.add(ev.ts - open.start.ts);
  }

  onKswapdWake(ev: TraceEvent, task: TaskState): void {
    // kswapd traces a wake before each balance_pgdat() run; a wake while awake starts the next episode.
    if (task.kswapd) this.kswapd.add(ev.ts - task.kswapd.start.ts);
    task.kswapd = { start: ref(ev, task) };
  }

  onKswapdSleep(ev: TraceEvent, task: TaskState): void {
    if (!task.kswapd) {
      this.orphans.kswapdSleepWithoutWake++;
      return;
    }
    this.kswapd.add(ev.ts - task.kswapd.start.ts);
    task.kswapd = null;
  }

  onFunction(ev: TraceEvent, task: TaskState): void {
    const fn = typeof ev.fields.ip === 'string' ? ev.fields.ip.replace(/\+0x.*$/, '') : '';
    if (!DRIVER_RECLAIM_FUNCTION.test(fn)) return;
    this.driverCalls.set(fn, (this.driverCalls.get(fn) ?? 0) + 1);
    const open = task.shrinkers[task.shrinkers.length - 1];
    if (!open) return;
    const calls = this.shrinker(open.name, open.module).driverCalls;
    calls.set(fn, (calls.get(fn) ?? 0) + 1);
  }

  private attributeContention(open: { bits: number; held: HeldLock | null }, held: HeldLock): void {
    open.held = held;
    const acc = held.cls;
    if (acc.contentionType === 'unknown') acc.contentionType = lockTypeFromContention(open.bits);
    if (!held.contended) {
      held.contended = true;
      acc.contentionBegins++;
    }
  }

  private recordWait(held: HeldLock, wait: number): void {
    held.waitRecorded = true;
    const acc = held.cls;
    acc.wait.add(wait);
    acc.waitSamples.add(wait);
  }
}

type Handler = (a: TraceAnalyzer, ev: TraceEvent, task: TaskState) => void;
interface Kind {
  count: number;
  handler: Handler | null;
}

/** One row per event the analyzer follows; every other event is only counted. */
const HANDLERS = new Map<string, Handler>([
  ['lock_acquire', (a, ev, t) => a.onLockAcquire(ev, t)],
  ['lock_acquired', (a, ev, t) => a.onLockAcquired(ev, t)],
  ['lock_contended', (a, ev, t) => a.onLockContended(ev, t)],
  ['lock_release', (a, ev, t) => a.onLockRelease(ev, t)],
  ['contention_begin', (a, ev, t) => a.onContentionBegin(ev, t)],
  ['contention_end', (a, ev, t) => a.onContentionEnd(ev, t)],
  ['mm_shrink_slab_start', (a, ev, t) => a.onShrinkStart(ev, t)],
  ['mm_shrink_slab_end', (a, ev, t) => a.onShrinkEnd(ev, t)],
  ['mm_vmscan_direct_reclaim_begin', (a, ev, t) => a.onDirectReclaimBegin(ev, t)],
  ['mm_vmscan_direct_reclaim_end', (a, ev, t) => a.onDirectReclaimEnd(ev, t)],
  ['mm_vmscan_memcg_reclaim_begin', (a, ev, t) => a.onDirectReclaimBegin(ev, t)],
  ['mm_vmscan_memcg_reclaim_end', (a, ev, t) => a.onDirectReclaimEnd(ev, t)],
  ['mm_vmscan_kswapd_wake', (a, ev, t) => a.onKswapdWake(ev, t)],
  ['mm_vmscan_kswapd_sleep', (a, ev, t) => a.onKswapdSleep(ev, t)],
  ['function', (a, ev, t) => a.onFunction(ev, t)],
]);

function ref(ev: TraceEvent, task: TaskState): EventRef {
  return { line: ev.line, ts: ev.ts, cpu: ev.cpu, pid: ev.pid, comm: task.comm };
}

function lockName(ev: TraceEvent): string {
  const name = ev.fields.name;
  if (typeof name === 'string' && name !== '') return name;
  return String(ev.fields.lockdep_addr ?? '(unnamed)');
}

/** lock_acquire flags: 1 = try, 2 = read (a number; the printed `try read ` prefix as a fallback). */
function acquireFlags(ev: TraceEvent): number {
  const flags = ev.fields.flags;
  if (typeof flags === 'number') return flags & 3;
  // Read the payload only here: a trace.dat event builds it on demand.
  const text = typeof flags === 'string' ? flags : ev.payload;
  return (/(?:^|\s)try\s/.test(text) ? 1 : 0) | (/(?:^|\s)read\s/.test(text) ? 2 : 0);
}

/** The held entry a lock_acquired/contended/release refers to: by lockdep_addr, else by class name. */
function findHeld(task: TaskState, ev: TraceEvent): HeldLock | null {
  const i = findHeldIndex(task, ev);
  return i < 0 ? null : task.held[i]!;
}

/** Index in `task.held` of the entry `findHeld` gives, or −1. */
function findHeldIndex(task: TaskState, ev: TraceEvent): number {
  const held = task.held;
  const addr = addrOf(ev.fields.lockdep_addr);
  if (addr !== null) for (let i = held.length - 1; i >= 0; i--) if (held[i]!.addr === addr) return i;
  const name = lockName(ev);
  for (let i = held.length - 1; i >= 0; i--) if (held[i]!.name === name) return i;
  return -1;
}

/** `lockdep_addr` as a string (the text parser gives strings already: no conversion per event). */
function addrOf(v: TraceEvent['fields'][string] | undefined): string | null {
  return typeof v === 'string' ? v : v == null ? null : String(v);
}

/** A task that cannot recurse into reclaim right now: in a reclaim span, in kswapd, or under fs_reclaim. */
function inReclaimContext(task: TaskState): boolean {
  return (
    task.directReclaim !== null ||
    task.kswapd !== null ||
    task.comm.startsWith('kswapd') ||
    holdsFsReclaim(task)
  );
}

function holdsFsReclaim(task: TaskState): boolean {
  for (const h of task.held) if (h.name === 'fs_reclaim') return true;
  return false;
}

/** `d` in the first latency-flag column: interrupts off, so no sleeping allocation here. */
function irqsOff(ev: TraceEvent): boolean {
  return ev.flags !== null && ev.flags.charCodeAt(0) === 0x64; // d
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

/** `[ffffffff81ac7f00] fs_reclaim` or `fs_reclaim` → `fs_reclaim`. */
function depName(dep: string): string {
  return dep.replace(/^\s*(?:->\s*)?(?:\[[0-9a-f]+\]\s*)?/, '').trim();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

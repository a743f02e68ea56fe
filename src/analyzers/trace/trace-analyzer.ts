import {
  CONTENTION_BEGIN,
  CONTENTION_END,
  COUNTED_EVENT,
  type EventColumns,
  FUNCTION_CALL,
  LOCK_ACQUIRE,
  LOCK_ACQUIRED,
  LOCK_CONTENDED,
  LOCK_OP_NAMES,
  LOCK_RELEASE,
  OTHER_EVENT,
  type TraceBatch,
} from '../../model/event-columns.js';
import {
  acquireFlagsOf,
  addrOf,
  contentionFlagsOf,
  lockNameOf,
  type TraceEvent,
} from '../../model/trace-event.js';
import { LogHistogram } from '../stats/log-histogram.js';
import { Reservoir } from '../stats/reservoir.js';
import { type EdgeAcc, LockOrderGraph } from './lock-order-graph.js';
import {
  contentionFlagBits,
  contentionMeansWait,
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
import {
  acquiredAt,
  blankHeldLock,
  type HeldLock,
  MAX_HELD,
  newTaskState,
  type TaskState,
} from './task-state.js';
import type { EventRef, OrphanCounts, SpanRef, TraceAnalysis } from './trace-analysis.js';
import {
  atLeastAsStrong,
  buildFindings,
  HAZARD_STATE,
  type HazardState,
  noteAgain,
  noteHazard,
  type ReclaimEvidence,
} from './trace-findings.js';

/** Slots of the task cache (a power of two); NO_TASK marks an empty one (no task has that key). */
const TASK_SLOTS = 1024;
const NO_TASK = 0x7fffffff;

/** Released HeldLock entries kept for reuse (more are left to the GC). */
const MAX_POOLED = 1024;

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
  /** Its lock-order edges by target class. */
  edges: Map<LockClassAcc, EdgeAcc>;
  /** The acquisition whose order edges last counted this class as held (an edge once per acquisition). */
  orderStamp: number;
  /** Its LOCK_HELD_OUTSIDE_RECLAIM evidence once noted: repeats count into it directly. */
  outsideReclaim: ReclaimEvidence | null;
  /** Its RECLAIM_DEADLOCK_RISK evidence once it stands on fs_reclaim or stronger: fs_reclaim repeats count into it. */
  mayReclaim: ReclaimEvidence | null;
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
  /** The distinct flags printed for this address, first seen first (a rwsem shows WRITE and READ), at most four. */
  flagTexts: string[];
  count: number;
  wait: LogHistogram;
}

/** Values kept per lock class / shrinker / reclaim kind for `trace diff` unless told otherwise. */
export const SAMPLE_CAPACITY = 1000;

/**
 * What `trace diff` compares of one measure: a seeded uniform sample (`values`, at most
 * `capacity` of them) of the `total` values the trace gave.
 */
export interface SampleSet {
  values: number[];
  total: number;
  capacity: number;
}

/** Samples a `trace diff` compares, keyed `lock-wait:NAME`, `lock-hold:NAME`, `shrinker:NAME`, `reclaim:direct`. */
export type SampleSets = Map<string, SampleSet>;

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
  /** A one-entry cache in front of `kinds` (runs of one event name are common). */
  private lastKindName = '';
  private lastKind: Kind | null = null;
  /** Tasks by key, direct-mapped (the tasks of a merged multi-CPU stream alternate: no Map lookup per switch). */
  private readonly taskKeys = new Int32Array(TASK_SLOTS).fill(NO_TASK);
  private readonly taskSlots = new Array<TaskState | null>(TASK_SLOTS).fill(null);
  /** The string tables of columns streams (see EventColumns), and events counted per op. */
  private readonly tables: StringTable[] = [];
  private readonly opCounts = new Array<number>(LOCK_OP_NAMES.length).fill(0);
  /** FUNCTION_CALL rows (events named `function`). */
  private functionRows = 0;
  /** Counts the acquisitions that look for order edges (see LockClassAcc.orderStamp). */
  private acquisitionSerial = 0;
  /**
   * The time of the event being handled, which the lock handlers read here rather than take as
   * an argument: a double passed to a call V8 does not inline is boxed (a number allocated per event).
   */
  private readonly clock = new Float64Array(1);
  /** Released HeldLock entries, reused by the next acquisitions. */
  private readonly heldPool: HeldLock[] = [];

  constructor(options: TraceAnalyzerOptions = {}) {
    for (const c of options.lockdep ?? []) this.lockdep.set(c.name, c);
    this.reservoirSize = options.reservoirSize ?? SAMPLE_CAPACITY;
    this.directReclaimSamples = new Reservoir(this.reservoirSize);
  }

  /** Events as objects or as columns (both give the same analysis). */
  push(batch: TraceBatch | readonly TraceEvent[]): void {
    if ('kind' in batch) this.pushColumns(batch);
    else for (const ev of batch) this.pushEvent(ev);
  }

  private pushEvent(ev: TraceEvent): void {
    this.total++;
    // The counter and the handler of its name: no lookup when the name repeats (the parser
    // shares name strings, so the comparison is mostly by reference), else one map lookup.
    let kind = this.lastKind;
    if (ev.name !== this.lastKindName || kind === null) {
      kind = this.kindOf(ev.name);
      this.lastKindName = ev.name;
      this.lastKind = kind;
    }
    kind.count++;
    const task = this.task(ev.pid, ev.cpu, ev.comm);
    this.noteDepth(task, preemptDepth(ev.flags));
    // Only the task's very next event after lock_acquire can be that acquisition's contention.
    if (task.pendingAcquire && task.pendingAcquire.line !== ev.line && ev.name !== 'contention_begin') {
      task.pendingAcquire = null;
    }
    this.clock[0] = ev.ts;
    kind.handler?.(this, ev, task);
  }

  /** The counter and handler of an event name. */
  private kindOf(name: string): Kind {
    let kind = this.kinds.get(name);
    if (!kind) {
      kind = { count: 0, handler: HANDLERS.get(name) ?? null };
      this.kinds.set(name, kind);
    }
    return kind;
  }

  /** The same as `pushEvent` for each row, read from the columns (no object per lock event). */
  private pushColumns(c: EventColumns): void {
    let table = this.tables[c.stream];
    if (table === undefined) {
      while (this.tables.length <= c.stream)
        this.tables.push({ strings: [], flagInfo: [], classes: [], counted: [], calls: [] });
      table = this.tables[c.stream]!;
    }
    const strings = table.strings;
    for (const s of c.newStrings) strings.push(s);
    // the columns in locals: the handlers called below could, for all V8 knows, change `c`
    const { op: ops, line: lines, ts: tss, cpu: cpus, pid: pids, comm: comms, flags, name: names } = c;
    const { addr: addrs, arg: args, count, others } = c;
    const clock = this.clock;
    let other = 0;
    for (let i = 0; i < count; i++) {
      const op = ops[i]!;
      if (op === OTHER_EVENT) {
        this.pushEvent(others[other++]!);
        continue;
      }
      this.total++;
      if (op <= CONTENTION_END) this.opCounts[op]!++;
      const line = lines[i]!;
      clock[0] = tss[i]!; // the row's time, for the handlers (see `clock`)
      const cpu = cpus[i]!;
      const pid = pids[i]!;
      const task = this.task(pid, cpu, strings[comms[i]!]!);
      const info = flagsInfo(table, flags[i]!);
      const depth = info < 0 || (info & 32) !== 0 ? null : info & 15;
      this.noteDepth(task, depth);
      if (task.pendingAcquire && task.pendingAcquire.line !== line && op !== CONTENTION_BEGIN) {
        task.pendingAcquire = null;
      }
      if (op === COUNTED_EVENT) {
        const id = names[i]!;
        const counted = table.counted;
        while (counted.length <= id) counted.push(0);
        counted[id]!++;
        continue;
      }
      if (op === FUNCTION_CALL) {
        this.functionRows++;
        this.onFunctionCall(table, names[i]!, task);
        continue;
      }
      const addrId = addrs[i]!;
      const addr = addrId < 0 ? null : strings[addrId]!;
      if (op === LOCK_ACQUIRE) {
        const irqsOff = info >= 0 && (info & 16) !== 0;
        const context = info >= 0 ? info >> 8 : 0;
        const nameId = names[i]!;
        const name = strings[nameId]!;
        // the class aggregate by string id: no Map lookup by name per acquisition
        let acc = nameId < table.classes.length ? table.classes[nameId] : undefined;
        if (acc === undefined) {
          acc = this.lockClass(name);
          while (table.classes.length <= nameId) table.classes.push(undefined);
          table.classes[nameId] = acc;
        }
        this.onLockAcquire(task, line, cpu, pid, name, addr ?? '', args[i]!, irqsOff, context, acc);
      } else if (op === LOCK_RELEASE) {
        this.onLockRelease(task, addr, strings[names[i]!]!, depth);
      } else if (op === LOCK_ACQUIRED) this.onLockAcquired(task, addr, strings[names[i]!]!);
      else if (op === LOCK_CONTENDED) this.onLockContended(task, addr, strings[names[i]!]!);
      else if (op === CONTENTION_BEGIN) this.onContentionBegin(task, addr ?? '', strings[args[i]!]!);
      else if (op === CONTENTION_END) this.onContentionEnd(task);
    }
  }

  private noteDepth(task: TaskState, depth: number | null): void {
    if (depth !== null && (task.baseDepth === null || depth < task.baseDepth)) task.baseDepth = depth;
  }

  /** `[LOST N EVENTS]` and ring-buffer overruns reported by the reader. */
  noteLostEvents(n: number): void {
    this.orphans.lostEvents += n;
  }

  finish(): TraceAnalysis {
    for (let op = 1; op < LOCK_OP_NAMES.length; op++) {
      if (this.opCounts[op] === 0) continue;
      this.kindOf(LOCK_OP_NAMES[op]!).count += this.opCounts[op]!;
      this.opCounts[op] = 0;
    }
    if (this.functionRows > 0) this.kindOf('function').count += this.functionRows;
    this.functionRows = 0;
    for (const table of this.tables) {
      table.counted.forEach((n, id) => {
        if (n > 0) this.kindOf(table.strings[id]!).count += n;
      });
      table.counted = [];
    }
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
          flags: a.flagTexts[0]!,
          allFlags: a.flagTexts,
          lockType: lockTypeFromContention(a.bits),
          count: a.count,
          wait: a.wait.summary(),
        })),
      driverCalls: Object.fromEntries([...this.driverCalls].sort(([a], [b]) => cmp(a, b))),
      orphans: { ...this.orphans },
    };
  }

  /** The bounded samples `trace diff` tests with Mann–Whitney U, each with the count it samples. */
  samples(): SampleSets {
    const sets: SampleSets = new Map();
    const set = (r: Reservoir): SampleSet => ({ values: r.samples, total: r.seen, capacity: r.capacity });
    for (const l of this.locks.values()) {
      sets.set(`lock-wait:${l.name}`, set(l.waitSamples));
      sets.set(`lock-hold:${l.name}`, set(l.holdSamples));
    }
    for (const s of this.shrinkers.values()) sets.set(`shrinker:${s.name}`, set(s.samples));
    sets.set('reclaim:direct', set(this.directReclaimSamples));
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

  task(pid: number, cpu: number, comm: string): TaskState {
    const key = pid > 0 ? pid : -1 - cpu;
    const slot = key & (TASK_SLOTS - 1);
    let task = this.taskKeys[slot] === key ? this.taskSlots[slot]! : null;
    if (!task) {
      task = this.tasks.get(key) ?? null;
      if (!task) {
        task = newTaskState(pid, comm);
        this.tasks.set(key, task);
      }
      this.taskKeys[slot] = key;
      this.taskSlots[slot] = task;
    }
    if (task.comm !== comm && comm !== '<...>') task.comm = comm;
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
        edges: new Map(),
        orderStamp: 0,
        outsideReclaim: null,
        mayReclaim: null,
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

  onLockAcquire(
    task: TaskState,
    line: number,
    cpu: number,
    pid: number,
    name: string,
    addr: string,
    flags: number,
    irqsOff: boolean,
    /** `irqContext` of the event: 0 in task context. */
    context: number,
    acc: LockClassAcc = this.lockClass(name),
  ): void {
    const ts = this.clock[0]!;
    const isTry = (flags & 1) !== 0;
    const isRead = (flags & 2) !== 0;
    acc.acquisitions++;
    if (isTry) acc.tryAcquisitions++;
    if (isRead) acc.readAcquisitions++;
    // A released entry is reused (tens of millions of acquisitions make no garbage): every field
    // written again.
    const held = this.heldPool.pop() ?? blankHeldLock(acc);
    held.name = name;
    held.addr = addr;
    held.line = line;
    held.ts = ts;
    held.cpu = cpu;
    held.pid = pid;
    held.comm = task.comm;
    held.at = null;
    held.acquiredTs = Number.NaN;
    held.try = isTry;
    held.read = isRead;
    held.contended = false;
    held.waitRecorded = false;
    held.annotation = acc.annotation;
    held.rcuRead = acc.rcuRead;
    held.cls = acc;
    held.context = context;

    // As lockdep: order edges only from locks held in the same context (an interrupt's locks
    // are not nested inside the locks of the task it interrupted).
    if (!isTry && !acc.rcuRead) {
      // Two held instances of one class (fork holds both mm's mmap_lock) make one edge, as in lockdep.
      const stamp = ++this.acquisitionSerial;
      for (const h of task.held) {
        if (h.context !== context || h.rcuRead || h.cls === acc || h.cls.orderStamp === stamp) continue;
        h.cls.orderStamp = stamp;
        // The edge by class object, in the holding class's own map; the graph's string-keyed
        // maps only for a new edge.
        const edge = h.cls.edges.get(acc);
        if (edge !== undefined) edge.count++;
        else {
          const added = this.graph.add(h.name, name, acquiredAt(held));
          if (added !== null) h.cls.edges.set(acc, added); // null: the graph is full
        }
      }
    }
    // No out-of-bounds read on the (usually empty) span stack: it is slow in V8.
    const shrinker = task.shrinkers.length > 0 ? task.shrinkers[task.shrinkers.length - 1]! : null;
    // An interrupt's locks are not what the task does: not the shrinker's, not held outside reclaim.
    if (context === 0 && shrinker) {
      acc.shrinkers.add(shrinker.name);
      this.shrinker(shrinker.name, shrinker.module).locks.add(name);
      noteHazard.inShrinker(this.hazards, name, shrinker, held, acquiredAt(held));
    } else if (context === 0 && !isTry && !acc.annotation && !irqsOff && !inReclaimContext(task)) {
      if (acc.outsideReclaim !== null) noteAgain(acc.outsideReclaim, 'held_outside_reclaim');
      else acc.outsideReclaim = noteHazard.heldOutsideReclaim(this.hazards, name, acquiredAt(held));
    }
    if (name === 'fs_reclaim') {
      for (const h of task.held) {
        if (h.context !== context || h.annotation) continue;
        // Once per reclaiming allocation: a repeat counts into the class's evidence (no lookup,
        // no EventRefs) once that evidence stands on fs_reclaim or stronger.
        const c = h.cls;
        if (c.mayReclaim !== null) noteAgain(c.mayReclaim, 'fs_reclaim');
        else {
          const evidence = noteHazard.mayReclaim(
            this.hazards,
            h.name,
            'fs_reclaim',
            acquiredAt(held),
            acquiredAt(h),
            null,
          );
          if (atLeastAsStrong(evidence.basis, 'fs_reclaim')) c.mayReclaim = evidence;
        }
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

  onLockAcquired(task: TaskState, addr: string | null, name: string): void {
    const ts = this.clock[0]!;
    const i = findHeldIndex(task, addr, name);
    if (i < 0) return;
    const held = task.held[i]!;
    if (Number.isNaN(held.acquiredTs)) {
      held.acquiredTs = ts;
      if (!held.waitRecorded) this.recordWait(held, ts - held.ts);
    }
    if (task.pendingAcquire === held) task.pendingAcquire = null;
  }

  onLockContended(task: TaskState, addr: string | null, name: string): void {
    const i = findHeldIndex(task, addr, name);
    (i >= 0 ? task.held[i]!.cls : this.lockClass(name)).contended++;
  }

  onLockRelease(task: TaskState, addr: string | null, name: string, depth: number | null): void {
    const ts = this.clock[0]!;
    const i = findHeldIndex(task, addr, name);
    if (i < 0) {
      this.orphans.releaseWithoutAcquire++;
      return;
    }
    const held = task.held[i]!;
    // Removed in place: `splice` would allocate its result on every out-of-order release.
    const stack = task.held;
    for (let j = i + 1; j < stack.length; j++) stack[j - 1] = stack[j]!;
    stack.pop();
    if (task.pendingAcquire === held) task.pendingAcquire = null;
    const acc = held.cls;
    // At the baseline: this lock left preemption alone. Above it by more than the other held
    // locks could account for (one level each at most): this lock disabled preemption.
    if (depth !== null && task.baseDepth !== null) {
      if (depth === task.baseDepth) acc.releasesAtBase++;
      else if (depth > task.baseDepth + task.held.length) acc.releasesAboveBase++;
    }
    const hold = ts - (Number.isNaN(held.acquiredTs) ? held.ts : held.acquiredTs);
    acc.hold.add(hold);
    acc.holdSamples.add(hold);
    // Nothing keeps a released entry but an open contention (its EventRef, if built, is its own object).
    if (task.contention?.held !== held && this.heldPool.length < MAX_POOLED) this.heldPool.push(held);
  }

  onContentionBegin(task: TaskState, addr: string, flags: string): void {
    const ts = this.clock[0]!;
    // A mutex traces SPIN|MUTEX before spinning and MUTEX again before sleeping, then one end.
    if (task.contention?.addr === addr) {
      const bits = contentionFlagBits(flags);
      task.contention.bits |= bits;
      if (task.contention.held !== null && contentionMeansWait(bits))
        this.countContended(task.contention.held);
      task.pendingAcquire = null;
      return;
    }
    if (task.contention) this.orphans.contentionBeginWithoutEnd++;
    const open = { addr, bits: contentionFlagBits(flags), flags, ts, held: null };
    task.contention = open;
    if (task.pendingAcquire) this.attributeContention(open, task.pendingAcquire);
    task.pendingAcquire = null;
  }

  onContentionEnd(task: TaskState): void {
    const ts = this.clock[0]!;
    const open = task.contention;
    if (!open) {
      this.orphans.contentionEndWithoutBegin++;
      return;
    }
    task.contention = null;
    const wait = ts - open.ts;
    let acc = this.addresses.get(open.addr);
    if (!acc && this.addresses.size < MAX_ADDRESSES) {
      acc = { bits: open.bits, flagTexts: [open.flags], count: 0, wait: new LogHistogram() };
      this.addresses.set(open.addr, acc);
    }
    if (acc) {
      acc.count++;
      acc.wait.add(wait);
      acc.bits |= open.bits;
      if (acc.flagTexts.length < 4 && !acc.flagTexts.includes(open.flags)) acc.flagTexts.push(open.flags);
    }
    // No lock_acquired in this trace for that acquisition: the contention is its wait.
    if (open.held && Number.isNaN(open.held.acquiredTs) && !open.held.waitRecorded)
      this.recordWait(open.held, wait);
  }

  onShrinkStart(ev: TraceEvent, task: TaskState): void {
    const { shrink, shr } = shrinkerFields(ev);
    const symbol = parseShrinkerSymbol(shrink);
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
    const { shr } = shrinkerFields(ev);
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
      if (h.annotation || h.context !== 0) continue; // an interrupt's locks are not the task's
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
    // kswapd traces a wake before each balance_pgdat() run; a wake while awake starts the next
    // episode. An episode holds the run and any HZ/10 nap after it (no tracepoint marks a nap).
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
    const fn = typeof ev.fields.ip === 'string' ? driverReclaimFunction(ev.fields.ip) : null;
    if (fn !== null) this.onDriverReclaimCall(fn, task);
  }

  /** A FUNCTION_CALL row: `onFunction`, the verdict on its function kept per string id. */
  private onFunctionCall(table: StringTable, id: number, task: TaskState): void {
    const calls = table.calls;
    while (calls.length <= id) calls.push(undefined);
    let fn = calls[id];
    if (fn === undefined) {
      fn = driverReclaimFunction(table.strings[id]!);
      calls[id] = fn;
    }
    if (fn !== null) this.onDriverReclaimCall(fn, task);
  }

  /** A driver's evict or purge function called (in a shrinker span or not). */
  private onDriverReclaimCall(fn: string, task: TaskState): void {
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
    if (contentionMeansWait(open.bits)) this.countContended(held);
  }

  /** An acquisition that waited, counted once (where the trace has no lock_contended). */
  private countContended(held: HeldLock): void {
    if (held.contended) return;
    held.contended = true;
    held.cls.contentionBegins++;
  }

  private recordWait(held: HeldLock, wait: number): void {
    held.waitRecorded = true;
    const acc = held.cls;
    acc.wait.add(wait);
    acc.waitSamples.add(wait);
  }
}

/** One columns stream's strings, and what each latency-flags string says (see `flagsInfo`). */
interface StringTable {
  strings: string[];
  flagInfo: number[];
  /** The class aggregate of each lock-name id seen in a lock_acquire (dense; undefined elsewhere). */
  classes: (LockClassAcc | undefined)[];
  /** COUNTED_EVENT rows per event-name id (added to the counts by name at `finish`). */
  counted: number[];
  /** FUNCTION_CALL: per function id, `driverReclaimFunction` of it (undefined until seen). */
  calls: (string | null | undefined)[];
}

/** The function of an `ip` field without its offset when it is a driver's evict or purge function, else null. */
function driverReclaimFunction(ip: string): string | null {
  const fn = ip.replace(/\+0x.*$/, '');
  return DRIVER_RECLAIM_FUNCTION.test(fn) ? fn : null;
}

/**
 * Of a latency-flags string id: −1 without flags, else the preempt depth (0–15; 32 when the
 * column has none), plus 16 when interrupts were off, plus the interrupt context (`irqContext`)
 * shifted by 8; computed once per string.
 */
function flagsInfo(table: StringTable, id: number): number {
  if (id < 0) return -1;
  const known = table.flagInfo;
  const cached = id < known.length ? known[id]! : -2;
  if (cached !== -2) return cached;
  const flags = table.strings[id]!;
  const depth = preemptDepth(flags);
  const info =
    (depth === null ? 32 : depth) | (flags.charCodeAt(0) === 0x64 ? 16 : 0) | (irqContext(flags) << 8);
  while (known.length <= id) known.push(-2); // dense: no holes
  known[id] = info;
  return info;
}

type Handler = (a: TraceAnalyzer, ev: TraceEvent, task: TaskState) => void;
interface Kind {
  count: number;
  handler: Handler | null;
}

/** One row per event the analyzer follows; every other event is only counted. */
const HANDLERS = new Map<string, Handler>([
  [
    'lock_acquire',
    (a, ev, t) =>
      a.onLockAcquire(
        t,
        ev.line,
        ev.cpu,
        ev.pid,
        lockNameOf(ev),
        addrOf(ev.fields.lockdep_addr) ?? '',
        acquireFlagsOf(ev),
        irqsOff(ev),
        ev.flags === null ? 0 : irqContext(ev.flags),
      ),
  ],
  ['lock_acquired', (a, ev, t) => a.onLockAcquired(t, addrOf(ev.fields.lockdep_addr), lockNameOf(ev))],
  ['lock_contended', (a, ev, t) => a.onLockContended(t, addrOf(ev.fields.lockdep_addr), lockNameOf(ev))],
  [
    'lock_release',
    (a, ev, t) => a.onLockRelease(t, addrOf(ev.fields.lockdep_addr), lockNameOf(ev), preemptDepth(ev.flags)),
  ],
  [
    'contention_begin',
    (a, ev, t) => a.onContentionBegin(t, String(ev.fields.lock_addr ?? ''), contentionFlagsOf(ev)),
  ],
  ['contention_end', (a, _ev, t) => a.onContentionEnd(t)],
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

/**
 * The events whose fields the analyzer reads; it only counts the others, which a reader may
 * therefore hand over as COUNTED_EVENT rows (see FtraceTextParserOptions.fieldsRead).
 */
export const FIELDS_READ: ReadonlySet<string> = new Set(HANDLERS.keys());

// `super_cache_scan+0x0/0x190 0000000024acf00c: nid: 0`: how every mm_shrink_slab_* payload starts
export const SHRINKER_HEAD_RE = /^(\S+\+0x[0-9a-f]+(?:\/0x[0-9a-f]+)?(?: \[[\w-]+\])?) (?:0x)?([0-9a-f]+):/;

/**
 * The shrinker and its instance of an mm_shrink_slab_* event; from the payload's head when the
 * payload matched no known format (a line a mail client wrapped: the rest is on the next line).
 */
function shrinkerFields(ev: TraceEvent): { shrink: unknown; shr: string | null } {
  const { shrink, shr } = ev.fields;
  const head = shrink == null ? SHRINKER_HEAD_RE.exec(ev.payload) : null;
  if (head) return { shrink: head[1], shr: head[2]! };
  return { shrink, shr: shr == null ? null : String(shr) };
}

function ref(ev: TraceEvent, task: TaskState): EventRef {
  return { line: ev.line, ts: ev.ts, cpu: ev.cpu, pid: ev.pid, comm: task.comm };
}

/**
 * Index in `task.held` of the entry a lock_acquired/contended/release refers to (by
 * lockdep_addr, else by class name), or −1.
 */
function findHeldIndex(task: TaskState, addr: string | null, name: string): number {
  const held = task.held;
  if (addr !== null) for (let i = held.length - 1; i >= 0; i--) if (held[i]!.addr === addr) return i;
  for (let i = held.length - 1; i >= 0; i--) if (held[i]!.name === name) return i;
  return -1;
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

/**
 * The interrupt context in the latency flags' third column (`trace_print_lat_fmt`): `h`
 * hardirq, `s` softirq, `H` both, `z`/`Z` NMI; 0 for task context (`.`) or no such column.
 */
function irqContext(flags: string): number {
  const c = flags.length >= 4 ? flags.charCodeAt(2) : 0;
  return c === 0x68 || c === 0x73 || c === 0x48 || c === 0x7a || c === 0x5a ? c : 0; // h s H z Z
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

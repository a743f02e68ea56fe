import type { EventRef, SpanRef } from './trace-analysis.js';
import type { LockClassAcc } from './trace-analyzer.js';

/** A lock a task holds (or is acquiring): one entry of its lockdep-like held-lock stack. */
export interface HeldLock {
  name: string;
  addr: string;
  /** Where lock_acquire was: the fields of its EventRef, built only when a finding or edge keeps it. */
  line: number;
  ts: number;
  cpu: number;
  pid: number;
  comm: string;
  /** The EventRef once built (see `acquiredAt`): one object, shared by everything that keeps it. */
  at: EventRef | null;
  /**
   * ts of lock_acquired, NaN until the trace has it (not null: a field that holds null too
   * stores each time as a number allocated anew).
   */
  acquiredTs: number;
  try: boolean;
  read: boolean;
  contended: boolean;
  waitRecorded: boolean;
  /** `isAnnotationMap(name)`, computed once per lock class. */
  annotation: boolean;
  /** `isRcuReadSection(name)`, computed once per lock class. */
  rcuRead: boolean;
  /** The aggregate of its class (`name`): no map lookup on release, wait or contention. */
  cls: LockClassAcc;
  /** The interrupt context it was taken in (the latency flags' `h`, `s`, `H`, `z`, `Z`); 0: task context. */
  context: number;
}

/**
 * A HeldLock whose fields its acquisition then sets (see TraceAnalyzer.onLockAcquire); `ts`
 * starts as a non-integer number so that every entry keeps one shape once it holds a time.
 */
export function blankHeldLock(cls: LockClassAcc): HeldLock {
  return {
    name: '',
    addr: '',
    line: 0,
    ts: Number.NaN,
    cpu: 0,
    pid: 0,
    comm: '',
    at: null,
    acquiredTs: Number.NaN,
    try: false,
    read: false,
    contended: false,
    waitRecorded: false,
    annotation: false,
    rcuRead: false,
    cls,
    context: 0,
  };
}

/** The lock_acquire of a held lock as an EventRef (built on first use, then shared). */
export function acquiredAt(held: HeldLock): EventRef {
  if (held.at === null)
    held.at = { line: held.line, ts: held.ts, cpu: held.cpu, pid: held.pid, comm: held.comm };
  return held.at;
}

/** An open mm_shrink_slab_start → _end span. */
export interface OpenShrinker {
  name: string;
  module: string | null;
  shr: string | null;
  start: EventRef;
  totalScan: number | null;
  /** Example spans handed to findings, completed when the span ends. */
  examples: SpanRef[];
}

export interface OpenContention {
  addr: string;
  bits: number;
  flags: string;
  ts: number;
  /** The acquisition it was attributed to, if any. */
  held: HeldLock | null;
}

/** Everything the analyzer remembers about one task (bounded: a stack depth of MAX_HELD). */
export interface TaskState {
  pid: number;
  comm: string;
  held: HeldLock[];
  shrinkers: OpenShrinker[];
  directReclaim: { start: EventRef; examples: SpanRef[] } | null;
  kswapd: { start: EventRef } | null;
  /** The latest lock_acquire not yet followed by lock_acquired/release/another acquire. */
  pendingAcquire: HeldLock | null;
  contention: OpenContention | null;
  /** Lowest preempt depth seen on this task in task context: the tracepoint's own baseline. */
  baseDepth: number | null;
}

/** lockdep's MAX_LOCK_DEPTH: a deeper stack means lost releases. */
export const MAX_HELD = 48;

export function newTaskState(pid: number, comm: string): TaskState {
  return {
    pid,
    comm,
    held: [],
    shrinkers: [],
    directReclaim: null,
    kswapd: null,
    pendingAcquire: null,
    contention: null,
    baseDepth: null,
  };
}

import type { FindingBase } from '../../model/finding.js';
import type { DistributionSummary } from '../stats/log-histogram.js';
import type { LockType, LockTypeSource } from './lock-type.js';

/** Where something happened in the input: line (record ordinal for trace.dat), time, CPU, task. */
export interface EventRef {
  line: number;
  ts: number;
  cpu: number;
  pid: number;
  comm: string;
}

/** An example span (a shrinker invocation, a direct reclaim episode) for a finding. */
export interface SpanRef {
  kind: 'shrinker' | 'direct_reclaim' | 'kswapd';
  name: string;
  start: EventRef;
  /** Null while (or when) the span never closed. */
  end: EventRef | null;
}

/** Why a lock counts as held into reclaim (strongest first). */
export type ReclaimBasis = 'direct_reclaim' | 'fs_reclaim' | 'lockdep_dependency' | 'held_outside_reclaim';

export interface TraceFinding extends FindingBase {
  /** Lock class as printed (`lab_shrinker_lock`); for LOCK_ORDER_INVERSION the first class of the cycle. */
  lock: string | null;
  /** Shrinker function without offset or module (`lab_scan`). */
  shrinker: string | null;
  shrinkerModule: string | null;
  lockType: LockType;
  lockTypeSource: LockTypeSource;
  /** How many times the trace shows it. */
  count: number;
  /** First occurrence. */
  first: EventRef;
  exampleSpan: SpanRef | null;
  /** RECLAIM_DEADLOCK_RISK and LOCK_HELD_INTO_RECLAIM: where the lock was held while the task may enter reclaim. */
  basis?: ReclaimBasis;
  /** Of `count`, the occurrences on `basis` itself (the others are on weaker evidence: fs_reclaim acquisitions under a lock also seen held into direct reclaim). */
  basisCount?: number;
  /**
   * RECLAIM_DEADLOCK_RISK and LOCK_HELD_INTO_RECLAIM: `count` by what each occurrence is, strongest
   * first: direct reclaim entered with the lock held, fs_reclaim acquired under it (a reclaiming
   * allocation), the lock taken outside reclaim; `lockdep_dependency` is 1, the /proc/lockdep
   * dependency on fs_reclaim. `first` and `heldAt` are of the strongest of the trace's bases.
   */
  basisCounts?: Partial<Record<ReclaimBasis, number>>;
  heldAt?: EventRef;
  /** LOCK_IN_SHRINKER: of `count`, the acquisitions by trylock (a failed trylock never waits). */
  tryAcquisitions?: number;
  /** LOCK_HELD_INTO_RECLAIM: the shrinkers that take the same lock (a trylock there fails while it is held). */
  shrinkers?: string[];
  /** LOCK_ORDER_INVERSION: the classes of one cycle, in order (the last one leads back to the first). */
  cycle?: string[];
}

export interface LockClassStats {
  name: string;
  lockType: LockType;
  lockTypeSource: LockTypeSource;
  acquisitions: number;
  tryAcquisitions: number;
  readAcquisitions: number;
  /**
   * lock_contended events when the trace has any (LOCK_STAT), else acquisitions with a
   * contention_begin (which 6.1 lockdep kernels trace on every slow-path mutex_lock).
   */
  contentions: number;
  /** ns from lock_acquire to lock_acquired (or contention_begin → _end when that is all there is). */
  wait: DistributionSummary;
  /** ns from lock_acquired (or lock_acquire) to lock_release. */
  hold: DistributionSummary;
  /** Shrinkers that take it. */
  shrinkers: string[];
}

export interface ShrinkerStats {
  name: string;
  module: string | null;
  invocations: number;
  /** Σ (total_scan at start − total_scan at end). */
  objectsScanned: number;
  /** Σ return values (objects freed). */
  objectsFreed: number;
  /** ns from mm_shrink_slab_start to _end. */
  latency: DistributionSummary;
  locks: string[];
  /** Driver evict/purge functions (function tracer) entered inside this shrinker. */
  driverCalls: Record<string, number>;
}

export interface ReclaimStats {
  direct: { episodes: number; duration: DistributionSummary };
  kswapd: { episodes: number; duration: DistributionSummary };
}

export interface LockOrderEdge {
  from: string;
  to: string;
  count: number;
  first: EventRef;
  inCycle: boolean;
}

/** contention_begin/_end by lock instance address (what kernels without lockdep show). */
export interface AddressContention {
  addr: string;
  /** The flags of its first contention_begin. */
  flags: string;
  /** Every distinct flags it was traced with (first four), e.g. a rwsem's WRITE and READ. */
  allFlags: string[];
  lockType: LockType;
  count: number;
  wait: DistributionSummary;
}

export interface OrphanCounts {
  directReclaimBeginWithoutEnd: number;
  directReclaimEndWithoutBegin: number;
  kswapdWakeWithoutSleep: number;
  kswapdSleepWithoutWake: number;
  shrinkerStartWithoutEnd: number;
  shrinkerEndWithoutStart: number;
  acquireWithoutRelease: number;
  releaseWithoutAcquire: number;
  contentionBeginWithoutEnd: number;
  contentionEndWithoutBegin: number;
  lostEvents: number;
}

export interface TraceAnalysis {
  schemaVersion: 1;
  /**
   * What the input was, and so what an EventRef's `line` counts: the input line of a text trace,
   * the record's ordinal in a trace.dat (in timestamp order across CPUs; `trace-cmd report`
   * prints it one line further down, after its `cpus=N` line, when no events were lost).
   */
  source?: { kind: 'text' | 'trace.dat'; line: 'input line' | 'record' };
  events: { total: number; byName: Record<string, number> };
  findings: TraceFinding[];
  locks: LockClassStats[];
  shrinkers: ShrinkerStats[];
  reclaim: ReclaimStats;
  lockOrder: { edges: LockOrderEdge[]; cycles: string[][] };
  contention: AddressContention[];
  driverCalls: Record<string, number>;
  orphans: OrphanCounts;
}

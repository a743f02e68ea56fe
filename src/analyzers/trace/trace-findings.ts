import type { FindingId, FindingSeverity } from '../../model/finding.js';
import { isAnnotationMap, type LockType, type LockTypeSource } from './lock-type.js';
import type { HeldLock, OpenShrinker } from './task-state.js';
import type { EventRef, LockOrderEdge, ReclaimBasis, SpanRef, TraceFinding } from './trace-analysis.js';

interface InShrinkerAcc {
  lock: string;
  shrinker: string;
  module: string | null;
  count: number;
  nonTry: number;
  first: EventRef;
  example: SpanRef;
  firstNonTry: EventRef | null;
  exampleNonTry: SpanRef | null;
}

interface HeldAcc {
  lock: string;
  /** Every occurrence, on any basis. */
  count: number;
  /** The occurrences on `basis` (the strongest seen). */
  basisCount: number;
  first: EventRef;
  heldAt: EventRef;
  example: SpanRef | null;
  basis: ReclaimBasis;
}

/** What the analyzer has seen so far that findings are made of (bounded by locks × shrinkers). */
export interface HazardState {
  inShrinker: Map<string, InShrinkerAcc>;
  heldIntoReclaim: Map<string, HeldAcc>;
  mayReclaim: Map<string, HeldAcc>;
  heldOutsideReclaim: Map<string, HeldAcc>;
}

export const HAZARD_STATE = (): HazardState => ({
  inShrinker: new Map(),
  heldIntoReclaim: new Map(),
  mayReclaim: new Map(),
  heldOutsideReclaim: new Map(),
});

const BASIS_STRENGTH: Record<ReclaimBasis, number> = {
  direct_reclaim: 3,
  fs_reclaim: 2,
  lockdep_dependency: 1,
  held_outside_reclaim: 0,
};

/** BASIS_STRENGTH as comparisons (once per acquisition: no keyed property lookup). */
function strength(basis: ReclaimBasis): number {
  return basis === 'direct_reclaim'
    ? BASIS_STRENGTH.direct_reclaim
    : basis === 'fs_reclaim'
      ? BASIS_STRENGTH.fs_reclaim
      : basis === 'lockdep_dependency'
        ? BASIS_STRENGTH.lockdep_dependency
        : BASIS_STRENGTH.held_outside_reclaim;
}

function shrinkerSpan(open: OpenShrinker): SpanRef {
  const span: SpanRef = { kind: 'shrinker', name: open.name, start: open.start, end: null };
  open.examples.push(span);
  return span;
}

export const noteHazard = {
  /** A lock class acquired inside an open shrinker span. */
  inShrinker(h: HazardState, lock: string, open: OpenShrinker, held: HeldLock, at: EventRef): void {
    const key = `${lock}\0${open.name}`;
    let acc = h.inShrinker.get(key);
    if (!acc) {
      acc = {
        lock,
        shrinker: open.name,
        module: open.module,
        count: 0,
        nonTry: 0,
        first: at,
        example: shrinkerSpan(open),
        firstNonTry: null,
        exampleNonTry: null,
      };
      h.inShrinker.set(key, acc);
    }
    acc.count++;
    if (!held.try) {
      acc.nonTry++;
      if (!acc.firstNonTry) {
        acc.firstNonTry = at;
        acc.exampleNonTry = acc.first === at ? acc.example : shrinkerSpan(open);
      }
    }
  },

  /** A lock held by a task entering direct reclaim. */
  heldIntoReclaim(h: HazardState, lock: string, at: EventRef, heldAt: EventRef, example: SpanRef): void {
    note(h.heldIntoReclaim, lock, 'direct_reclaim', at, heldAt, example);
  },

  /**
   * A lock held while its task may enter reclaim (a real reclaim, or lockdep's fs_reclaim map).
   * Returns its evidence (one object per lock, updated in place): once its basis is at least as
   * strong as a caller's, that caller's repeats may count into it directly.
   */
  mayReclaim(
    h: HazardState,
    lock: string,
    basis: ReclaimBasis,
    at: EventRef,
    heldAt: EventRef,
    example: SpanRef | null,
  ): ReclaimEvidence {
    return note(h.mayReclaim, lock, basis, at, heldAt, example);
  },

  /**
   * A non-try acquisition outside reclaim and outside any shrinker, with interrupts on. Returns
   * its evidence: a repeat (the weakest basis, never replacing it) may count into it directly.
   */
  heldOutsideReclaim(h: HazardState, lock: string, at: EventRef): ReclaimEvidence {
    return note(h.heldOutsideReclaim, lock, 'held_outside_reclaim', at, at, null);
  },
};

/** What a caller may keep of a lock's evidence: its counts, and the basis it stands on. */
export type ReclaimEvidence = Pick<HeldAcc, 'count' | 'basisCount' | 'basis'>;

/** One more occurrence on `basis`, which is not stronger than the evidence's own. */
export function noteAgain(evidence: ReclaimEvidence, basis: ReclaimBasis): void {
  evidence.count++;
  if (basis === evidence.basis) evidence.basisCount++;
}

/** `basis` is at least as strong as `than`: a note on it never replaces evidence on `than`. */
export function atLeastAsStrong(basis: ReclaimBasis, than: ReclaimBasis): boolean {
  return strength(basis) >= strength(than);
}

function note(
  map: Map<string, HeldAcc>,
  lock: string,
  basis: ReclaimBasis,
  at: EventRef,
  heldAt: EventRef,
  example: SpanRef | null,
): HeldAcc {
  let acc = map.get(lock);
  if (!acc) {
    acc = { lock, count: 1, basisCount: 1, first: at, heldAt, example, basis };
    map.set(lock, acc);
  } else {
    acc.count++;
    // The same basis again (the common case, once per acquisition) is never stronger.
    if (basis === acc.basis) acc.basisCount++;
    else if (strength(basis) > strength(acc.basis))
      Object.assign(acc, { first: at, heldAt, example, basis, basisCount: 1 });
  }
  return acc;
}

type TypeOf = (lock: string) => { lockType: LockType; lockTypeSource: LockTypeSource };

const SEVERITY_ORDER: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The findings, one per (id, lock, shrinker), as the issue defines them.
 * BLOCKING_LOCK_IN_SHRINKER: a non-try acquisition inside a shrinker of a
 * lock that is not known to spin. A sleeping lock is an error; a lock of
 * unknown type is a warning (a maintainer wants to hear about every
 * blocking acquisition in a scan path: if the lock can sleep, a reclaiming
 * allocation under it elsewhere deadlocks; trylock is the usual fix).
 * Spinning locks are not reported: nobody allocates with GFP_KERNEL under them.
 */
export function buildFindings(
  h: HazardState,
  typeOf: TypeOf,
  lockdepDeps: Map<string, string[]>,
  lockOrder: { edges: LockOrderEdge[]; cycles: string[][] },
): TraceFinding[] {
  const findings: TraceFinding[] = [];
  const base = (id: FindingId, severity: FindingSeverity, lock: string, message: string) => ({
    id,
    lock,
    shrinker: null as string | null,
    shrinkerModule: null as string | null,
    severity,
    evidence: 'trace' as const,
    message,
    ...typeOf(lock),
  });
  for (const acc of h.inShrinker.values()) {
    const tries = acc.count - acc.nonTry;
    findings.push({
      ...base(
        'LOCK_IN_SHRINKER',
        'info',
        acc.lock,
        `${acc.shrinker} acquires ${acc.lock}${byTry(tries, acc.count)}`,
      ),
      shrinker: acc.shrinker,
      shrinkerModule: acc.module,
      count: acc.count,
      tryAcquisitions: tries,
      first: acc.first,
      exampleSpan: acc.example,
    });
    const type = typeOf(acc.lock).lockType;
    if (acc.nonTry === 0 || type === 'spinning' || isAnnotationMap(acc.lock)) continue;
    const what = type === 'sleeping' ? 'a sleeping lock' : 'a lock of unknown type (it may sleep)';
    findings.push({
      ...base(
        'BLOCKING_LOCK_IN_SHRINKER',
        type === 'sleeping' ? 'error' : 'warning',
        acc.lock,
        `${acc.shrinker} takes ${acc.lock}, ${what}, without trylock`,
      ),
      shrinker: acc.shrinker,
      shrinkerModule: acc.module,
      count: acc.nonTry,
      first: acc.firstNonTry!,
      exampleSpan: acc.exampleNonTry,
    });
    // /proc/lockdep's `lock -> fs_reclaim` says the lock is held while allocating; the trace's
    // own evidence is where it is held outside reclaim, else only the shrinker's acquisition.
    const outside = h.heldOutsideReclaim.get(acc.lock);
    const fromLockdep =
      !h.mayReclaim.has(acc.lock) && (lockdepDeps.get(acc.lock)?.includes('fs_reclaim') ?? false);
    // (the dependency is one piece of evidence, the holds outside reclaim the others)
    const held =
      h.mayReclaim.get(acc.lock) ??
      (fromLockdep
        ? outside
          ? { ...outside, count: outside.count + 1, basisCount: 1, basis: 'lockdep_dependency' as const }
          : {
              ...acc,
              count: 1,
              basisCount: 1,
              heldAt: acc.first,
              basis: 'lockdep_dependency' as const,
              example: null,
            }
        : outside);
    if (!held) continue;
    const weak = held.basis === 'held_outside_reclaim';
    findings.push({
      ...base(
        'RECLAIM_DEADLOCK_RISK',
        weak ? 'warning' : 'error',
        acc.lock,
        `${acc.lock} is ${REASON[held.basis]}, and shrinker ${acc.shrinker} takes it without trylock`,
      ),
      shrinker: acc.shrinker,
      shrinkerModule: acc.module,
      count: held.count,
      first: held.first,
      exampleSpan: acc.exampleNonTry,
      basis: held.basis,
      basisCount: held.basisCount,
      basisCounts: fromLockdep
        ? { lockdep_dependency: 1, ...(outside ? { held_outside_reclaim: outside.count } : {}) }
        : basisCounts(held),
      heldAt: held.heldAt,
    });
  }
  const takenBy = new Map<string, string[]>();
  for (const acc of h.inShrinker.values())
    takenBy.set(acc.lock, [...(takenBy.get(acc.lock) ?? []), acc.shrinker]);
  for (const acc of h.heldIntoReclaim.values()) {
    const shrinkers = [...(takenBy.get(acc.lock) ?? [])].sort(cmp);
    const also = shrinkers.length > 0 ? ` (shrinker ${shrinkers.join(', ')} takes it too)` : '';
    findings.push({
      ...base(
        'LOCK_HELD_INTO_RECLAIM',
        'warning',
        acc.lock,
        `${acc.lock} is held when its task enters direct reclaim${also}`,
      ),
      count: acc.count,
      first: acc.first,
      exampleSpan: acc.example,
      basis: acc.basis,
      basisCount: acc.basisCount,
      basisCounts: basisCounts(acc),
      heldAt: acc.heldAt,
      shrinkers,
    });
  }
  for (const cycle of lockOrder.cycles) {
    const edges = cycle.map((from, i) => {
      const to = cycle[(i + 1) % cycle.length]!;
      return lockOrder.edges.find((e) => e.from === from && e.to === to)!;
    });
    const first = edges.reduce((a, b) => (b.first.line < a.first.line ? b : a)).first;
    findings.push({
      ...base(
        'LOCK_ORDER_INVERSION',
        'error',
        cycle[0]!,
        `lock order cycle: ${[...cycle, cycle[0]].join(' -> ')}`,
      ),
      shrinker: null,
      shrinkerModule: null,
      count: edges.reduce((n, e) => n + e.count, 0),
      first,
      exampleSpan: null,
      cycle,
    });
  }
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      cmp(a.id, b.id) ||
      cmp(a.lock ?? '', b.lock ?? '') ||
      cmp(a.shrinker ?? '', b.shrinker ?? ''),
  );
}

/**
 * A note's count by basis: `basisCount` on its basis, the rest on the weaker one. Only the
 * mayReclaim evidence mixes two (direct_reclaim, once seen, over fs_reclaim acquisitions);
 * direct-reclaim entries, and acquisitions outside reclaim, are noted in maps of their own.
 */
function basisCounts(held: Pick<HeldAcc, 'count' | 'basisCount' | 'basis'>): TraceFinding['basisCounts'] {
  const rest = held.count - held.basisCount;
  return { [held.basis]: held.basisCount, ...(rest > 0 ? { fs_reclaim: rest } : {}) };
}

/** ` (by trylock only)`, ` (3 of 5 by trylock)`, or nothing when none was a trylock. */
function byTry(tries: number, count: number): string {
  if (tries === 0) return '';
  return tries === count ? ' (by trylock only)' : ` (${tries} of ${count} by trylock)`;
}

const REASON: Record<ReclaimBasis, string> = {
  direct_reclaim: 'held by a task entering direct reclaim',
  fs_reclaim: 'held while its task takes fs_reclaim (a reclaiming allocation)',
  lockdep_dependency: 'held while taking fs_reclaim according to /proc/lockdep',
  held_outside_reclaim: 'taken outside reclaim with interrupts on (an allocation under it may reclaim)',
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import type { EvidenceKind, FindingId, FindingSeverity } from '../../model/finding.js';
import { counted } from '../../util/plural.js';
import { mannWhitneyU, upperTail } from '../stats/mann-whitney.js';
import type { EventRef, LockOrderEdge, TraceAnalysis, TraceFinding } from './trace-analysis.js';
import { SAMPLE_CAPACITY, type SampleSets } from './trace-analyzer.js';

/**
 * Finding ids `trace diff` adds to the analysis ids (to be listed in
 * FINDING_IDS): a new lock-order edge, and latency or contention
 * regressions judged by a one-sided Mann–Whitney U test.
 */
export type TraceChange = 'new' | 'gone' | 'worse' | 'better';

export interface TraceDiffFinding {
  id: FindingId;
  severity: FindingSeverity;
  evidence: EvidenceKind;
  message: string;
  lock: string | null;
  shrinker: string | null;
  change: TraceChange;
  /** The analysis finding this comes from (HEAD's for new/worse, BASE's for gone). */
  finding?: TraceFinding;
  edge?: { from: string; to: string; count: number; first: EventRef };
  /** Latency/contention tests. */
  metric?: string;
  /** The contention-share test: contended acquisitions of all acquisitions, per side. */
  baseContended?: number;
  baseAcquisitions?: number;
  headContended?: number;
  headAcquisitions?: number;
  /** Latency tests: the medians of the samples tested (nBase, nHead values) ... */
  baseMedian?: number;
  headMedian?: number;
  p?: number;
  nBase?: number;
  nHead?: number;
  /** ... of the values each trace gave (more than nBase / nHead when they were sampled). */
  baseTotal?: number;
  headTotal?: number;
}

export interface TraceDiff {
  schemaVersion: 1;
  base: { events: number };
  head: { events: number };
  /**
   * The stated test: one-sided Mann–Whitney U at alpha, and a minimal effect on the medians. Both
   * are computed on a seeded uniform sample of at most sampleSize values a side (a trace gives
   * each measure's values in a stream; exact medians would keep them all).
   */
  test: {
    name: 'mann-whitney-u';
    alternative: 'greater';
    alpha: number;
    minSamples: number;
    minRatio: number;
    minDeltaNs: number;
    sampleSize: number;
  };
  /**
   * The share of contended acquisitions of a lock class (lock_contended, else contention_begin,
   * per acquisition): one-sided two-proportion z-test at alpha, with at least minSamples
   * acquisitions a side and minSamples contended ones on the worse side, and the share moved
   * by minRatio.
   */
  contentionTest: {
    name: 'two-proportion-z';
    alternative: 'greater';
    alpha: number;
    minSamples: number;
    minRatio: number;
  };
  regressions: TraceDiffFinding[];
  fixed: TraceDiffFinding[];
  /** What could not be compared, and why (e.g. one trace has no lock events). */
  notComparable: string[];
}

export interface AnalyzedTrace {
  analysis: TraceAnalysis;
  samples: SampleSets;
}

const SEVERITY_RANK: Record<FindingSeverity, number> = { info: 0, warning: 1, error: 2 };

export function diffTraces(
  base: AnalyzedTrace,
  head: AnalyzedTrace,
  options: { alpha?: number; minSamples?: number; minRatio?: number; minDeltaNs?: number } = {},
): TraceDiff {
  const alpha = options.alpha ?? 0.01;
  const minSamples = options.minSamples ?? 20;
  // Timing-dependent runs differ by microseconds everywhere; 1000 samples make that "significant".
  const minRatio = options.minRatio ?? 1.25;
  const minDeltaNs = options.minDeltaNs ?? 10_000;
  const matters = (from: number, to: number) => to >= from * minRatio && to - from >= minDeltaNs;
  const regressions: TraceDiffFinding[] = [];
  const fixed: TraceDiffFinding[] = [];

  // Every trace finding rests on lock events: a trace without them (a kernel without lockdep or
  // lock tracing) says nothing about locks, which is not the same as "fixed".
  const notComparable: string[] = [];
  const withoutLocks = (side: string, t: AnalyzedTrace) => {
    if ((t.analysis.events.byName.lock_acquire ?? 0) > 0) return false;
    notComparable.push(
      `lock findings and order edges: ${side} has no lock_acquire events (no lockdep lock tracing)`,
    );
    return true;
  };
  const locksComparable = ![withoutLocks('BASE', base), withoutLocks('HEAD', head)].some(Boolean);
  const lockFindings = (t: AnalyzedTrace) => (locksComparable ? t.analysis.findings : []);
  const baseFindings = new Map(lockFindings(base).map((f) => [findingKey(f), f]));
  const headFindings = new Map(lockFindings(head).map((f) => [findingKey(f), f]));
  for (const [key, f] of headFindings) {
    const before = baseFindings.get(key);
    if (!before) regressions.push(fromFinding(f, 'new'));
    else if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[before.severity])
      regressions.push(fromFinding(f, 'worse'));
    else if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[before.severity]) fixed.push(fromFinding(f, 'better'));
  }
  for (const [key, f] of baseFindings) if (!headFindings.has(key)) fixed.push(fromFinding(f, 'gone'));

  if (locksComparable) {
    const baseEdges = new Map(base.analysis.lockOrder.edges.map((e) => [edgeKey(e), e]));
    const headEdges = new Map(head.analysis.lockOrder.edges.map((e) => [edgeKey(e), e]));
    for (const [key, e] of headEdges) if (!baseEdges.has(key)) regressions.push(fromEdge(e, 'new'));
    for (const [key, e] of baseEdges) if (!headEdges.has(key)) fixed.push(fromEdge(e, 'gone'));
  }

  let sampleSize = 0;
  for (const sets of [base.samples, head.samples])
    for (const set of sets.values()) sampleSize = Math.max(sampleSize, set.capacity);
  for (const [key, headSet] of head.samples) {
    const baseSet = base.samples.get(key);
    const [baseSamples, headSamples] = [baseSet?.values ?? [], headSet.values];
    if (!baseSet || baseSamples.length < minSamples || headSamples.length < minSamples) continue;
    const worse = mannWhitneyU(headSamples, baseSamples, 'greater');
    const stats: TestStats = {
      metric: key,
      baseMedian: median(baseSamples),
      headMedian: median(headSamples),
      nBase: baseSamples.length,
      nHead: headSamples.length,
      baseTotal: baseSet.total,
      headTotal: headSet.total,
    };
    if (worse.p < alpha && matters(stats.baseMedian, stats.headMedian)) {
      regressions.push(fromTest(key, stats, worse.p, 'worse'));
      continue;
    }
    // the other direction only when this one found nothing
    const better = mannWhitneyU(headSamples, baseSamples, 'less');
    if (better.p < alpha && matters(stats.headMedian, stats.baseMedian))
      fixed.push(fromTest(key, stats, better.p, 'better'));
  }

  // A lock contended far more often: its waits may still have a small median (most acquisitions
  // never wait) while the contended ones wait for milliseconds.
  const baseLocks = new Map(base.analysis.locks.map((l) => [l.name, l]));
  for (const h of head.analysis.locks) {
    const b = baseLocks.get(h.name);
    if (!b || b.acquisitions < minSamples || h.acquisitions < minSamples) continue;
    const shares = {
      metric: `lock-contended:${h.name}`,
      baseContended: b.contentions,
      baseAcquisitions: b.acquisitions,
      headContended: h.contentions,
      headAcquisitions: h.acquisitions,
    };
    const baseShare = b.contentions / b.acquisitions;
    const headShare = h.contentions / h.acquisitions;
    // each direction's test only when its share moved enough (the other only when this one found nothing)
    const p =
      h.contentions >= minSamples && headShare >= baseShare * minRatio
        ? proportionGreater(h.contentions, h.acquisitions, b.contentions, b.acquisitions)
        : 1;
    if (p < alpha) regressions.push(fromShares(h.name, shares, p, 'worse'));
    else if (b.contentions >= minSamples && baseShare >= headShare * minRatio) {
      const q = proportionGreater(b.contentions, b.acquisitions, h.contentions, h.acquisitions);
      if (q < alpha) fixed.push(fromShares(h.name, shares, q, 'better'));
    }
  }

  return {
    schemaVersion: 1,
    base: { events: base.analysis.events.total },
    head: { events: head.analysis.events.total },
    test: {
      name: 'mann-whitney-u',
      alternative: 'greater',
      alpha,
      minSamples,
      minRatio,
      minDeltaNs,
      sampleSize: sampleSize || SAMPLE_CAPACITY,
    },
    contentionTest: { name: 'two-proportion-z', alternative: 'greater', alpha, minSamples, minRatio },
    regressions,
    fixed,
    notComparable,
  };
}

function findingKey(f: TraceFinding): string {
  const lock = f.cycle ? [...f.cycle].sort().join(',') : (f.lock ?? '');
  return `${f.id}\0${lock}\0${f.shrinker ?? ''}`;
}

function edgeKey(e: LockOrderEdge): string {
  return `${e.from}\0${e.to}`;
}

function fromFinding(f: TraceFinding, change: TraceChange): TraceDiffFinding {
  const verb = change === 'gone' ? 'gone' : change === 'new' ? 'new' : change;
  return {
    id: f.id,
    severity: f.severity,
    evidence: 'trace',
    message: `${verb}: ${f.message}`,
    lock: f.lock,
    shrinker: f.shrinker,
    change,
    finding: f,
  };
}

function fromEdge(e: LockOrderEdge, change: TraceChange): TraceDiffFinding {
  const gone = change !== 'new';
  return {
    id: gone ? 'GONE_LOCK_EDGE' : 'NEW_LOCK_EDGE',
    severity: gone ? 'info' : e.inCycle ? 'error' : 'warning',
    evidence: 'trace',
    message: `${change === 'new' ? 'new' : 'gone'} lock order: ${e.from} -> ${e.to}`,
    lock: e.to,
    shrinker: null,
    change,
    edge: { from: e.from, to: e.to, count: e.count, first: e.first },
  };
}

/** A latency test's numbers, as its finding carries them. */
interface TestStats {
  metric: string;
  baseMedian: number;
  headMedian: number;
  nBase: number;
  nHead: number;
  baseTotal: number;
  headTotal: number;
}

/** What one value of a measure is, for `median of a 1000-hold sample`. */
const VALUE_NOUN: Record<string, string> = {
  'lock-wait': 'wait',
  'lock-hold': 'hold',
  shrinker: 'call',
  reclaim: 'episode',
};

function fromTest(key: string, stats: TestStats, p: number, change: TraceChange): TraceDiffFinding {
  const [kind, name = ''] = splitKey(key);
  const better = change === 'better';
  const id = testFindingId(kind === 'lock-wait', better);
  const what =
    {
      'lock-wait': `wait for ${name}`,
      'lock-hold': `hold time of ${name}`,
      shrinker: `latency of shrinker ${name}`,
      reclaim: `${name} reclaim episodes`,
    }[kind] ?? `${kind} ${name}`;
  return {
    id,
    severity: better ? 'info' : 'warning',
    evidence: 'trace',
    message: `${change === 'worse' ? 'slower' : 'faster'}: ${what} (${medians(stats, VALUE_NOUN[kind] ?? 'value')}, ${pText(p)})`,
    lock: kind.startsWith('lock') ? name : null,
    shrinker: kind === 'shrinker' ? name : null,
    change,
    ...stats,
    p,
  };
}

function fromShares(
  lock: string,
  shares: {
    metric: string;
    baseContended: number;
    baseAcquisitions: number;
    headContended: number;
    headAcquisitions: number;
  },
  p: number,
  change: TraceChange,
): TraceDiffFinding {
  const better = change === 'better';
  const share = (c: number, n: number) => `${c} of ${n} (${((100 * c) / n).toPrecision(2)}%)`;
  return {
    id: testFindingId(true, better),
    severity: better ? 'info' : 'warning',
    evidence: 'trace',
    message:
      `${better ? 'less' : 'more'} contention: ${lock} contended in ` +
      `${share(shares.baseContended, shares.baseAcquisitions)} -> ` +
      `${share(shares.headContended, shares.headAcquisitions)} acquisitions, ${pText(p)}`,
    lock,
    shrinker: null,
    change,
    ...shares,
    p,
  };
}

/** The id of a statistical test's finding: on contention or latency, worse or better in HEAD. */
function testFindingId(contention: boolean, better: boolean): FindingId {
  if (contention) return better ? 'CONTENTION_IMPROVEMENT' : 'CONTENTION_REGRESSION';
  return better ? 'LATENCY_IMPROVEMENT' : 'LATENCY_REGRESSION';
}

/**
 * One-sided two-proportion z-test (pooled, normal approximation): the p-value of
 * "x1/n1 is greater than x2/n2".
 */
export function proportionGreater(x1: number, n1: number, x2: number, n2: number): number {
  const pooled = (x1 + x2) / (n1 + n2);
  const sd = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (sd === 0) return 1;
  return upperTail((x1 / n1 - x2 / n2) / sd);
}

/** `p=3.64e-17`; below the smallest double the normal tail gives, `p<1e-300`. */
function pText(p: number): string {
  return p < 1e-300 ? 'p<1e-300' : `p=${p.toExponential(2)}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * `median 8.13 ms -> 36.77 ms of 276 -> 341 episodes` when every value was tested, else what
 * was: `median of a 1000-hold sample 2.69 ms -> 8.51 ms, of 7210 -> 4080 holds` (a side with
 * fewer values than the sample holds is given whole: `... of a sample ..., all 500 -> 1000 of 4080`).
 */
function medians(s: TestStats, noun: string): string {
  const values = `${fmt(s.baseMedian)} -> ${fmt(s.headMedian)}`;
  if (s.nBase === s.baseTotal && s.nHead === s.headTotal)
    return `median ${values} of ${s.baseTotal} -> ${counted(s.headTotal, noun)}`;
  if (s.nBase === s.nHead && s.nBase < s.baseTotal && s.nHead < s.headTotal)
    return `median of a ${s.nBase}-${noun} sample ${values}, of ${s.baseTotal} -> ${counted(s.headTotal, noun)}`;
  const side = (n: number, total: number) => (n === total ? `all ${n}` : `${n} of ${total}`);
  return `median of a sample ${values}, ${side(s.nBase, s.baseTotal)} -> ${side(s.nHead, s.headTotal)} ${noun}s`;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} us`;
  return `${Math.round(ns)} ns`;
}

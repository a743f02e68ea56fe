import type { EvidenceKind, FindingId, FindingSeverity } from '../../model/finding.js';
import { mannWhitneyU } from '../stats/mann-whitney.js';
import type { EventRef, LockOrderEdge, TraceAnalysis, TraceFinding } from './trace-analysis.js';
import type { SampleSets } from './trace-analyzer.js';

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
  baseMedian?: number;
  headMedian?: number;
  p?: number;
  nBase?: number;
  nHead?: number;
}

export interface TraceDiff {
  schemaVersion: 1;
  base: { events: number };
  head: { events: number };
  /** The stated test: one-sided Mann–Whitney U at alpha, and a minimal effect on the medians. */
  test: {
    name: 'mann-whitney-u';
    alternative: 'greater';
    alpha: number;
    minSamples: number;
    minRatio: number;
    minDeltaNs: number;
  };
  regressions: TraceDiffFinding[];
  fixed: TraceDiffFinding[];
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

  const baseFindings = new Map(base.analysis.findings.map((f) => [findingKey(f), f]));
  const headFindings = new Map(head.analysis.findings.map((f) => [findingKey(f), f]));
  for (const [key, f] of headFindings) {
    const before = baseFindings.get(key);
    if (!before) regressions.push(fromFinding(f, 'new'));
    else if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[before.severity])
      regressions.push(fromFinding(f, 'worse'));
    else if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[before.severity]) fixed.push(fromFinding(f, 'better'));
  }
  for (const [key, f] of baseFindings) if (!headFindings.has(key)) fixed.push(fromFinding(f, 'gone'));

  // Edges are only comparable when both traces carry lock_acquire events.
  if (
    (base.analysis.events.byName.lock_acquire ?? 0) > 0 &&
    (head.analysis.events.byName.lock_acquire ?? 0) > 0
  ) {
    const baseEdges = new Map(base.analysis.lockOrder.edges.map((e) => [edgeKey(e), e]));
    const headEdges = new Map(head.analysis.lockOrder.edges.map((e) => [edgeKey(e), e]));
    for (const [key, e] of headEdges) if (!baseEdges.has(key)) regressions.push(fromEdge(e, 'new'));
    for (const [key, e] of baseEdges) if (!headEdges.has(key)) fixed.push(fromEdge(e, 'gone'));
  }

  for (const [key, headSamples] of head.samples) {
    const baseSamples = base.samples.get(key);
    if (!baseSamples || baseSamples.length < minSamples || headSamples.length < minSamples) continue;
    const worse = mannWhitneyU(headSamples, baseSamples, 'greater');
    const better = mannWhitneyU(headSamples, baseSamples, 'less');
    const stats = {
      metric: key,
      baseMedian: median(baseSamples),
      headMedian: median(headSamples),
      nBase: baseSamples.length,
      nHead: headSamples.length,
    };
    if (worse.p < alpha && matters(stats.baseMedian, stats.headMedian)) {
      regressions.push(fromTest(key, stats, worse.p, 'worse'));
    } else if (better.p < alpha && matters(stats.headMedian, stats.baseMedian)) {
      fixed.push(fromTest(key, stats, better.p, 'better'));
    }
  }

  return {
    schemaVersion: 1,
    base: { events: base.analysis.events.total },
    head: { events: head.analysis.events.total },
    test: { name: 'mann-whitney-u', alternative: 'greater', alpha, minSamples, minRatio, minDeltaNs },
    regressions,
    fixed,
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
  return {
    id: 'NEW_LOCK_EDGE',
    severity: e.inCycle ? 'error' : 'warning',
    evidence: 'trace',
    message: `${change === 'new' ? 'new' : 'gone'} lock order: ${e.from} -> ${e.to}`,
    lock: e.to,
    shrinker: null,
    change,
    edge: { from: e.from, to: e.to, count: e.count, first: e.first },
  };
}

function fromTest(
  key: string,
  stats: { metric: string; baseMedian: number; headMedian: number; nBase: number; nHead: number },
  p: number,
  change: TraceChange,
): TraceDiffFinding {
  const [kind, name = ''] = splitKey(key);
  const id = kind === 'lock-wait' ? 'CONTENTION_REGRESSION' : 'LATENCY_REGRESSION';
  const what =
    {
      'lock-wait': 'wait for',
      'lock-hold': 'hold time of',
      shrinker: 'latency of shrinker',
      reclaim: 'duration of',
    }[kind] ?? kind;
  return {
    id,
    severity: 'warning',
    evidence: 'trace',
    message: `${change === 'worse' ? 'slower' : 'faster'}: ${what} ${name} (median ${fmt(stats.baseMedian)} -> ${fmt(stats.headMedian)}, p=${p.toExponential(2)})`,
    lock: kind.startsWith('lock') ? name : null,
    shrinker: kind === 'shrinker' ? name : null,
    change,
    ...stats,
    p,
  };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
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

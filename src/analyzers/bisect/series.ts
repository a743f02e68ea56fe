import type { PatchRunLog } from '../../model/report.js';
import {
  type BisectVerdict,
  classifyRun,
  decideVerdict,
  matches,
  type RunClass,
  type SplatMatcher,
} from './verdict.js';

/**
 * Offline bisection of a patch series from one result bundle per patch
 * (`NN/dmesg.txt`, NN = the patch applied last; `00` = the base without the
 * series): each patch's runs get a verdict as `bisect verdict` gives one, the
 * first bad patch is the culprit, and the confidence multiplies the chance
 * that the last good patch before it was truly good (syzkaller's
 * false-negative estimate, with the reproduction chance measured on the bad
 * patches) by how consistently the patches after it stay bad.
 */
export type { PatchRunLog } from '../../model/report.js';

export interface PatchVerdict extends BisectVerdict {
  index: number;
  classes: RunClass[];
  reasons: string[];
}

export interface SeriesBisectResult {
  matcher: SplatMatcher;
  /** The first patch whose runs are bad, or null when the splat never shows. */
  first: number | null;
  /** The last good patch before it, or null when none was seen. */
  lastGood: number | null;
  /** Patches that may be the culprit: after `lastGood` (skipped or untested) up to `first`. */
  candidates: number[];
  confidence: number;
  /** Estimated chance that a bad kernel shows the splat: (hits + 1) / (hits + clean + 2) over the runs at and after `first`. */
  reproChance: number;
  /** Runs at and after `first`, and how many of them hit. */
  runsFromFirst: number;
  hitsFromFirst: number;
  patches: PatchVerdict[];
}

export function bisectSeries(
  logs: PatchRunLog[],
  matcher: SplatMatcher,
  indices: number[],
): SeriesBisectResult {
  const sorted = [...logs].sort((a, b) => a.index - b.index);
  const judged = sorted.map((log) => judge(log, matcher, 0.5));
  const firstBad = judged.find((p) => p.verdict === 'bad');
  if (!firstBad) {
    return {
      matcher,
      first: null,
      lastGood: null,
      candidates: [],
      confidence: 0,
      reproChance: 0,
      runsFromFirst: 0,
      hitsFromFirst: 0,
      patches: judged,
    };
  }
  const after = judged.filter((p) => p.index >= firstBad.index);
  const hits = after.reduce((n, p) => n + p.hits, 0);
  const clean = after.reduce((n, p) => n + p.clean, 0);
  // Laplace's rule of succession: a few hits in a few runs do not prove the splat always shows
  const reproChance = (hits + 1) / (hits + clean + 2);
  const patches = judged.map((p) =>
    p.verdict === 'good' ? { ...p, ...decideVerdict(p.classes, reproChance) } : p,
  );
  const lastGood =
    [...patches].reverse().find((p) => p.index < firstBad.index && p.verdict === 'good') ?? null;
  const candidates = indices.filter((i) => i > (lastGood?.index ?? -1) && i <= firstBad.index);
  const later = patches.filter((p) => p.index > firstBad.index && p.verdict !== 'skip');
  const consistency = later.length === 0 ? 1 : later.filter((p) => p.verdict === 'bad').length / later.length;
  const confidence = lastGood ? (1 - (1 - reproChance) ** lastGood.clean) * consistency : 0;
  return {
    matcher,
    first: firstBad.index,
    lastGood: lastGood?.index ?? null,
    candidates,
    confidence: round(confidence),
    reproChance: round(reproChance),
    runsFromFirst: hits + clean,
    hitsFromFirst: hits,
    patches,
  };
}

function judge(log: PatchRunLog, matcher: SplatMatcher, reproChance: number): PatchVerdict {
  const outcomes = log.runs.map((run) => classifyRun(run.reports, run.hadOutput, matcher));
  const classes = outcomes.map((o) => o.class);
  return {
    index: log.index,
    classes,
    reasons: outcomes.map((o) => o.reason),
    ...decideVerdict(classes, reproChance),
  };
}

/**
 * The splat to bisect when none is named: the lock report signature seen in
 * the most bundles, ties going to the one in the latest patch.
 */
export function pickSplat(logs: PatchRunLog[]): SplatMatcher {
  const count = new Map<string, { bundles: number; last: number }>();
  for (const log of logs) {
    const seen = new Set<string>();
    for (const run of log.runs) {
      for (const r of run.reports) if (matches(r, {}) && r.signature) seen.add(r.signature);
    }
    for (const sig of seen) {
      const c = count.get(sig) ?? { bundles: 0, last: -1 };
      count.set(sig, { bundles: c.bundles + 1, last: Math.max(c.last, log.index) });
    }
  }
  let best: string | null = null;
  let bestC = { bundles: 0, last: -1 };
  for (const [sig, c] of count) {
    if (c.bundles > bestC.bundles || (c.bundles === bestC.bundles && c.last > bestC.last)) {
      best = sig;
      bestC = c;
    }
  }
  return best === null ? {} : { signature: best };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

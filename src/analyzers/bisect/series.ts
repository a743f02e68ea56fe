import type { PatchRunLog } from '../../model/report.js';
import type { PatchSeries } from '../../model/series.js';
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

// "series": "v5"   /   "patch": "06/09"   (a run bundle's run.json, module section)
const RUN_SERIES = /^v(\d+)$/i;
const RUN_PATCH = /^(\d+)\/(\d+)$/;

/**
 * The runs whose run.json names another series than the one bisected: another version
 * (`"series":"v5"` against a v6 --series), another patch than its bundle's number, or a subject
 * that is not the series' patch of that number. One sentence each: which run, what it says,
 * what the series has. Runs without a run.json (or without these fields) are not checked.
 */
export function bundleMismatches(logs: readonly PatchRunLog[], series: PatchSeries): string[] {
  const out: string[] = [];
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  for (const log of logs) {
    for (const run of log.runs) {
      const about = run.about;
      if (!about) continue;
      const says = [
        about.series,
        about.patch === null ? null : `patch ${about.patch}`,
        about.subject === null ? null : `"${about.subject}"`,
      ]
        .filter((x) => x !== null)
        .join(' ');
      const problems: string[] = [];
      const version = about.series === null ? null : RUN_SERIES.exec(about.series);
      if (version && Number(version[1]) !== series.version) problems.push(`the series is v${series.version}`);
      const patch = about.patch === null ? null : RUN_PATCH.exec(about.patch);
      if (patch && Number(patch[1]) !== log.index)
        problems.push(`its bundle is ${String(log.index).padStart(2, '0')}`);
      if (patch && Number(patch[2]) !== series.total && series.total > 0)
        problems.push(`the series has ${series.total} patches`);
      if (about.subject !== null && log.index > 0) {
        const mine = series.patches.find((p) => p.index === log.index);
        if (!mine) problems.push(`the series has no patch ${log.index}`);
        else if (squash(mine.subject) !== squash(about.subject))
          problems.push(`the series' patch ${log.index} is "${mine.subject}"`);
      }
      if (problems.length > 0) out.push(`${about.path}: a run of ${says}, but ${problems.join(', ')}`);
    }
  }
  return out;
}

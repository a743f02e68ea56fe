import { LOCK_REPORT_KINDS, type Report, type ReportKind } from '../../model/report.js';

/**
 * A `git bisect run` predicate's view of test runs, after syzkaller's
 * pkg/bisect: each run of a kernel is a hit (the splat we bisect is in its
 * console log), clean (a log without it) or broken (no log, or another crash
 * came first and hid it: after one lockdep report lockdep turns itself off,
 * and an oops may stop the machine). Enough hits make the revision bad,
 * enough clean runs without a hit make it good, anything else is skipped.
 */
export type RunClass = 'hit' | 'clean' | 'broken';

/** What to look for; with neither, any lock report is a hit. */
export interface SplatMatcher {
  signature?: string | undefined;
  title?: string | undefined;
}

export interface RunOutcome {
  class: RunClass;
  /** Why, for humans: the matched title, the other crash, or "no console output". */
  reason: string;
}

/** Kinds that end the search for our splat when they come first (lockdep off, or the machine stops). */
const STOPPING_KINDS: ReadonlySet<ReportKind> = new Set<ReportKind>([
  ...LOCK_REPORT_KINDS,
  'bug',
  'panic',
  'kasan',
]);

export function matches(report: Report, matcher: SplatMatcher): boolean {
  if (matcher.signature !== undefined && report.signature === matcher.signature.trim()) return true;
  if (matcher.title !== undefined) {
    const title = matcher.title.trim();
    if (report.title === title || report.altTitles.includes(title)) return true;
  }
  if (matcher.signature === undefined && matcher.title === undefined)
    return LOCK_REPORT_KINDS.has(report.kind);
  return false;
}

/** Classifies one run from the reports found in its console log (`hadOutput`: the log was not empty). */
export function classifyRun(reports: Report[], hadOutput: boolean, matcher: SplatMatcher): RunOutcome {
  if (!hadOutput) return { class: 'broken', reason: 'no console output' };
  const hit = reports.find((r) => matches(r, matcher));
  if (hit) return { class: 'hit', reason: hit.title };
  const other = reports.find((r) => STOPPING_KINDS.has(r.kind));
  if (other) return { class: 'broken', reason: `another crash came first: ${other.title}` };
  return {
    class: 'clean',
    reason: reports.length > 0 ? `only unrelated reports (${reports[0]!.title})` : 'no splat',
  };
}

export interface BisectVerdict {
  verdict: 'bad' | 'good' | 'skip';
  /** What `git bisect run` reads: 1 bad, 0 good, 125 skip. */
  exitCode: 1 | 0 | 125;
  runs: number;
  hits: number;
  clean: number;
  broken: number;
  /** Hits needed for bad: max(1, ⌈N/6⌉). */
  needHits: number;
  /** Clean runs needed for good: ⌈N/2⌉. */
  needClean: number;
  /**
   * How far to trust the verdict: 1 for bad (the splat was seen); for good,
   * 1 − (1 − p)^clean, the chance that a bad kernel would have shown the
   * splat in at least one of the clean runs given it reproduces with
   * probability p (syzkaller's false-negative estimate); 0 for skip.
   */
  confidence: number;
  reproChance: number;
}

export function decideVerdict(classes: RunClass[], reproChance: number): BisectVerdict {
  const runs = classes.length;
  const hits = classes.filter((c) => c === 'hit').length;
  const clean = classes.filter((c) => c === 'clean').length;
  const broken = runs - hits - clean;
  const needHits = Math.max(1, Math.ceil(runs / 6));
  const needClean = Math.ceil(runs / 2);
  const base = { runs, hits, clean, broken, needHits, needClean, reproChance };
  if (hits >= needHits) return { ...base, verdict: 'bad', exitCode: 1, confidence: 1 };
  if (hits === 0 && clean >= needClean && clean > 0) {
    const confidence = 1 - (1 - reproChance) ** clean;
    return { ...base, verdict: 'good', exitCode: 0, confidence: round(confidence) };
  }
  return { ...base, verdict: 'skip', exitCode: 125, confidence: 0 };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

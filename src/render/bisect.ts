import type { SeriesBisectResult } from '../analyzers/bisect/series.js';
import type { BisectVerdict, RunOutcome, SplatMatcher } from '../analyzers/bisect/verdict.js';
import type { PatchSeries } from '../model/series.js';
import { sanitizeField } from './sanitize.js';
import { unreadPatchLines } from './series-unread.js';
import { wrapText } from './wrap.js';

export function describeMatcher(m: SplatMatcher): string {
  if (m.signature !== undefined) return `signature ${sanitizeField(m.signature)}`;
  if (m.title !== undefined) return `title "${sanitizeField(m.title)}"`;
  return 'any lock report';
}

/** `bisect verdict`'s text: one line per run, then the verdict and its confidence. */
export function renderVerdict(matcher: SplatMatcher, outcomes: RunOutcome[], v: BisectVerdict): string {
  const lines = [`looking for ${describeMatcher(matcher)}`];
  outcomes.forEach((o, k) => {
    lines.push(`run ${k + 1}/${outcomes.length}: ${o.class.padEnd(6)} ${o.reason}`);
  });
  const counts = `${v.hits} hit, ${v.clean} clean, ${v.broken} broken of ${v.runs}`;
  const rule = `bad needs ≥${v.needHits} hit, good needs 0 hits and ≥${v.needClean} clean`;
  lines.push(`verdict: ${v.verdict} (exit ${v.exitCode}): ${counts}; ${rule}`);
  if (v.verdict === 'good') {
    lines.push(
      `confidence ${v.confidence}: chance of a false negative ${round(1 - v.confidence)} if the splat reproduces with p=${v.reproChance}`,
    );
  } else lines.push(`confidence ${v.confidence}`);
  return lines.join('\n');
}

export function verdictJson(matcher: SplatMatcher, outcomes: RunOutcome[], v: BisectVerdict) {
  return { schemaVersion: 1, matcher, ...v, outcomes };
}

/** `bisect series`'s text: per patch its verdict, then the first bad patch and the confidence. */
export function renderSeriesBisect(series: PatchSeries, r: SeriesBisectResult): string {
  const subject = (i: number) =>
    i === 0
      ? '(base, no patch applied)'
      : sanitizeField(series.patches.find((p) => p.index === i)?.subject ?? '?');
  const lines = [`looking for ${describeMatcher(r.matcher)}`, ...unreadPatchLines(series)];
  const rows = r.patches.map((p) => {
    const detail =
      p.reasons.length === 1
        ? sanitizeField(p.reasons[0]!)
        : `${p.hits} hit, ${p.clean} clean, ${p.broken} broken`;
    return [`${String(p.index).padStart(2, '0')} ${p.verdict.padEnd(4)} ${detail}`, subject(p.index)];
  });
  // 80 columns: every subject on a line of its own under its verdict when one does not fit beside it
  const beside = rows.every(([row, subj]) => row!.length + 2 + subj!.length <= 80);
  for (const [row, subj] of rows) lines.push(...(beside ? [`${row}  ${subj}`] : [row!, `        ${subj}`]));
  lines.push('');
  if (r.first === null) {
    lines.push('the splat appears after no patch of the series');
    return lines.join('\n');
  }
  lines.push(`first bad: patch ${r.first}/${series.total} ${subject(r.first)}`);
  if (r.candidates.length > 1)
    lines.push(`could be any of patches ${r.candidates.join(', ')} (untested or skipped in between)`);
  if (r.lastGood === null) lines.push('no good patch before it: the splat may come from the base');
  else lines.push(`last good: patch ${r.lastGood}`);
  lines.push(
    ...wrapText(
      `confidence ${r.confidence} (the splat showed in ${r.hitsFromFirst} of ${r.runsFromFirst} runs from patch ${r.first} on: estimated reproduction chance ${r.reproChance})`,
      '  ',
      '',
    ),
  );
  return lines.join('\n');
}

export function seriesBisectJson(series: PatchSeries, r: SeriesBisectResult) {
  const ref = (i: number | null) =>
    i === null ? null : { index: i, subject: series.patches.find((p) => p.index === i)?.subject ?? null };
  return {
    schemaVersion: 1,
    matcher: r.matcher,
    first: ref(r.first),
    lastGood: ref(r.lastGood),
    candidates: r.candidates,
    confidence: r.confidence,
    reproChance: r.reproChance,
    runsFromFirst: r.runsFromFirst,
    hitsFromFirst: r.hitsFromFirst,
    patches: r.patches.map((p) => ({
      index: p.index,
      verdict: p.verdict,
      classes: p.classes,
      reasons: p.reasons,
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

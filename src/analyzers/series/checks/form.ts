import type { PatchSeries } from '../../../model/series.js';
import { type SeriesCheck, seriesWide } from './finding.js';

/** Checks of the series' form: readable patches, versions, numbering, cover letter, changelog. */

/** checkpatch's "patch seems to be corrupt (line wrapped?)": what was lost is unchecked. */
export const patchCorrupt: SeriesCheck['run'] = (series) =>
  series.patches.flatMap((p) =>
    p.corrupt === undefined
      ? []
      : [
          {
            ...seriesWide,
            patch: p.index,
            message: `patch seems to be corrupt (line wrapped?) at ${p.corrupt.path}${p.corrupt.line === null ? '' : `:${p.corrupt.line}`}, its diff not read in full (the checks miss what was lost): ${p.corrupt.message}`,
          },
        ],
  );

export const versionMismatch: SeriesCheck['run'] = (series) => {
  const findings = [];
  for (const p of series.patches) {
    if (p.version !== series.version) {
      findings.push({
        ...seriesWide,
        patch: p.index,
        message: `patch ${p.index}/${p.total} "${p.subject}" is v${p.version}, the series is v${series.version}`,
      });
    }
  }
  return findings;
};

export const numberingGap: SeriesCheck['run'] = (series) => {
  const findings = [];
  const seen = new Map<number, number>();
  for (const p of series.patches) seen.set(p.index, (seen.get(p.index) ?? 0) + 1);
  const totals = new Set(series.patches.map((p) => p.total));
  if (totals.size > 1)
    findings.push({
      ...seriesWide,
      message: `patches disagree on the total: ${[...totals].map((t) => `/${t}`).join(', ')}`,
    });
  if (series.patches.length === 0) return findings;
  const missing: number[] = [];
  for (let n = 1; n <= series.total; n++) if (!seen.has(n)) missing.push(n);
  if (missing.length > 0)
    findings.push({
      ...seriesWide,
      message: `missing patch${missing.length > 1 ? 'es' : ''} ${ranges(missing)} of ${series.total}`,
    });
  for (const [n, count] of seen) {
    if (count > 1)
      findings.push({
        ...seriesWide,
        patch: n,
        message: `patch ${n}/${series.total} appears ${count} times`,
      });
    if (n > series.total || n < 1)
      findings.push({ ...seriesWide, patch: n, message: `patch number ${n} is outside 1..${series.total}` });
  }
  return findings;
};

export const missingCoverLetter: SeriesCheck['run'] = (series) =>
  series.cover === null && series.patches.length > 1
    ? [
        {
          ...seriesWide,
          message: `a ${series.patches.length}-patch series without a 00/${series.total} cover letter`,
        },
      ]
    : [];

export const missingChangelog: SeriesCheck['run'] = (series: PatchSeries) => {
  if (series.version <= 1) return [];
  const inCover = series.cover !== null && series.cover.changelog.length > 0;
  const inNotes = series.patches.some((p) =>
    /^\s*(?:v\d+|changes)/im.test(
      p.notes
        .split('\n')
        .filter((l) => !/\|/.test(l))
        .join('\n'),
    ),
  );
  if (inCover || (series.cover === null && inNotes)) return [];
  return [
    {
      ...seriesWide,
      patch: series.cover === null ? null : 0,
      message:
        series.cover === null
          ? `v${series.version} without a cover letter or per-patch notes saying what changed since v${series.version - 1}`
          : `the v${series.version} cover letter has no changelog (e.g. "Changes in v${series.version}:" with a list)`,
    },
  ];
};

function ranges(numbers: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j;
  }
  return out.join(', ');
}

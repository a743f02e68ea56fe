import type { BlameCandidate } from '../analyzers/blame.js';
import type { Report } from '../model/report.js';
import type { PatchSeries } from '../model/series.js';
import { counted } from '../util/plural.js';
import { sanitizeField } from './sanitize.js';
import { sourceLabel } from './series-diff.js';
import { unreadPatchLines } from './series-unread.js';
import { wrapText } from './wrap.js';

/** `blame`'s text: the splats it used, then the top candidates with their reasons. */
export function renderBlame(
  log: string,
  reports: Report[],
  series: PatchSeries,
  candidates: BlameCandidate[],
  top: number,
): string {
  const lines: string[] = [];
  if (reports.length === 0) return `${sanitizeField(log)}: no splat found, nothing to blame`;
  const titles = [...new Set(reports.map((r) => sanitizeField(r.title)))];
  // the log's path whole (for editors and scripts), each title under it
  lines.push(`${sanitizeField(log)}: ${counted(titles.length, 'splat')}`);
  for (const title of titles) lines.push(...wrapText(title, '      ', '    '));
  lines.push(`series: v${series.version}, ${series.patches.length} patches (${sourceLabel(series.source)})`);
  lines.push(...unreadPatchLines(series));
  if (candidates.length === 0) {
    lines.push('no patch of the series touches the functions or lock classes of these splats');
    return lines.join('\n');
  }
  lines.push('');
  const width = String(series.total || series.patches.length).length;
  candidates.slice(0, top).forEach((c, rank) => {
    lines.push(
      ...wrapText(
        `${rank + 1}. patch ${String(c.index).padStart(width)}/${series.total}  score ${c.score}  ${sanitizeField(c.subject)}`,
        '       ',
        '',
      ),
    );
    for (const reason of c.reasons) lines.push(...wrapText(sanitizeField(reason), '       ', '     - '));
  });
  if (candidates.length > top)
    lines.push(`(${candidates.length - top} more with lower scores; --top to see them)`);
  return lines.join('\n');
}

/** The `--json` document of `blame`: best first. */
export function blameJson(candidates: BlameCandidate[]) {
  return {
    schemaVersion: 1,
    candidates: candidates.map((c) => ({
      index: c.index,
      subject: c.subject,
      score: c.score,
      reasons: c.reasons,
    })),
  };
}

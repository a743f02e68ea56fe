import type { SeriesFinding } from '../model/finding.js';
import { sanitizeField } from './sanitize.js';
import { wrapText } from './wrap.js';

/**
 * `series check`: `{"schemaVersion":1,"findings":[{"id","severity","patch","file","line","message","confidence"}]}`
 * and a text listing, checkpatch style: each finding's severity, id and place on a line, its
 * message wrapped under it at 80 columns.
 */
export interface CheckFindingJson {
  id: string;
  severity: SeriesFinding['severity'];
  patch: number | null;
  file: string | null;
  line: number | null;
  message: string;
  confidence: SeriesFinding['confidence'] | 'checkpatch';
}

export interface SeriesCheckJson {
  schemaVersion: 1;
  findings: CheckFindingJson[];
}

export function seriesCheckJson(findings: CheckFindingJson[]): SeriesCheckJson {
  return {
    schemaVersion: 1,
    findings: findings.map(({ id, severity, patch, file, line, message, confidence }) => ({
      id,
      severity,
      patch,
      file,
      line,
      message,
      confidence,
    })),
  };
}

export function renderSeriesCheck(findings: CheckFindingJson[], total: number): string {
  if (findings.length === 0) return 'no findings';
  const lines = findings.map((f) => {
    const where = [
      f.patch === null ? 'series' : `${String(f.patch).padStart(String(total).length, '0')}/${total}`,
      f.file === null ? null : `${sanitizeField(f.file)}${f.line === null ? '' : `:${f.line}`}`,
    ]
      .filter(Boolean)
      .join(' ');
    const hunk = f.confidence === 'hunk' ? ' [hunk context only]' : '';
    // checkpatch's layout at 80 columns: where (for editors and grep), then the message, wrapped
    const head = `${f.severity.toUpperCase()} ${f.id}: ${where}:`;
    return [head, ...wrapText(`${sanitizeField(f.message)}${hunk}`, '  ')].join('\n');
  });
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  lines.push(
    '',
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

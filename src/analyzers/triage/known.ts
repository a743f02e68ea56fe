import type { Report } from '../../model/report.js';

/** Splits reports into those to show and those whose signature is known. */
export function hideKnown(
  reports: Report[],
  known: ReadonlySet<string>,
): { shown: Report[]; hidden: number } {
  if (known.size === 0) return { shown: reports, hidden: 0 };
  const shown = reports.filter((r) => !known.has(r.signature));
  return { shown, hidden: reports.length - shown.length };
}

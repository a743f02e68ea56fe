import {
  FINDING_IDS,
  type FindingId,
  type FindingSeverity,
  type SeriesFinding,
} from '../../../model/finding.js';

/** One row of the check table: a stable id, its severity and the function that finds it. */
export interface SeriesCheck {
  id: FindingId;
  severity: FindingSeverity;
  run(
    series: import('../../../model/series.js').PatchSeries,
    context: CheckContext,
  ): (Omit<SeriesFinding, 'id' | 'severity' | 'evidence'> & {
    /** Overrides the row's severity for this finding (e.g. a warning-level case of an error check). */
    severity?: FindingSeverity;
  })[];
}

export interface CheckContext {
  previous?: import('../../../model/series.js').PatchSeries;
}

export function describeCheck(id: FindingId): string {
  return FINDING_IDS[id];
}

export const seriesWide = { patch: null, file: null, line: null, confidence: 'series' as const };

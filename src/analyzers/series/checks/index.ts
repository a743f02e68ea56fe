import type { FindingId, SeriesFinding } from '../../../model/finding.js';
import type { PatchSeries } from '../../../model/series.js';
import { checkChangelog } from '../changelog.js';
import { pairSeries } from '../pairing.js';
import type { CheckContext, SeriesCheck } from './finding.js';
import { missingChangelog, missingCoverLetter, numberingGap, patchCorrupt, versionMismatch } from './form.js';
import {
  allocUnderReclaimLock,
  blockingLockInShrinker,
  lockedWithoutAssert,
  unbalancedLock,
} from './locking.js';
import { badFixesTag, missingSignoff } from './trailers.js';

/**
 * `series check`: the pre-send checks, one row each (id, severity, function).
 * CHANGELOG_INCOMPLETE needs the previous version (`previous`) and uses the
 * range-diff pairing of pairing.ts and changelog.ts.
 */
export const SERIES_CHECKS: SeriesCheck[] = [
  { id: 'PATCH_CORRUPT', severity: 'error', run: patchCorrupt },
  { id: 'VERSION_MISMATCH', severity: 'error', run: versionMismatch },
  { id: 'NUMBERING_GAP', severity: 'error', run: numberingGap },
  { id: 'MISSING_COVER_LETTER', severity: 'warning', run: missingCoverLetter },
  { id: 'MISSING_CHANGELOG', severity: 'warning', run: missingChangelog },
  { id: 'CHANGELOG_INCOMPLETE', severity: 'warning', run: changelogIncomplete },
  { id: 'MISSING_SIGNOFF', severity: 'error', run: missingSignoff },
  { id: 'BAD_FIXES_TAG', severity: 'error', run: badFixesTag },
  { id: 'BLOCKING_LOCK_IN_SHRINKER', severity: 'error', run: blockingLockInShrinker },
  { id: 'ALLOC_UNDER_RECLAIM_LOCK', severity: 'error', run: allocUnderReclaimLock },
  { id: 'UNBALANCED_LOCK', severity: 'warning', run: unbalancedLock },
  { id: 'LOCKED_WITHOUT_ASSERT', severity: 'warning', run: lockedWithoutAssert },
];

export interface CheckSeriesOptions {
  previous?: PatchSeries;
  /** Finding ids to leave out (`--ignore`). */
  ignore?: string[];
}

export function checkSeries(series: PatchSeries, options: CheckSeriesOptions = {}): SeriesFinding[] {
  const ignore = new Set(options.ignore ?? []);
  const context: CheckContext = options.previous ? { previous: options.previous } : {};
  const findings: SeriesFinding[] = [];
  for (const check of SERIES_CHECKS) {
    if (ignore.has(check.id)) continue;
    for (const f of check.run(series, context)) {
      findings.push({ id: check.id, severity: check.severity, evidence: 'patch', ...f });
    }
  }
  // Stable sort: within one patch and line, findings keep the table's order.
  return findings.sort((a, b) => (a.patch ?? -1) - (b.patch ?? -1) || (a.line ?? 0) - (b.line ?? 0));
}

function changelogIncomplete(series: PatchSeries, context: CheckContext) {
  if (!context.previous) return [];
  return checkChangelog(context.previous, series, pairSeries(context.previous, series)).map((f) => ({
    patch: f.patch,
    file: f.file,
    line: f.line,
    confidence: f.confidence,
    message: f.message,
  }));
}

export function isFindingId(id: string): id is FindingId {
  return SERIES_CHECKS.some((c) => c.id === id);
}

// CHECKPATCH_LONG_LINE   CHECKPATCH_SPACING
const CHECKPATCH_ID = /^CHECKPATCH_[A-Z0-9_]+$/;

/** `--ignore` ids that name no check (checkpatch's CHECKPATCH_<TYPE> ids are open-ended). */
export function unknownFindingIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isFindingId(id) && !CHECKPATCH_ID.test(id));
}

export const KNOWN_FINDING_IDS = [...SERIES_CHECKS.map((c) => c.id), 'CHECKPATCH_<TYPE>'];

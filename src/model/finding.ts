/**
 * Finding ids are global across lockscope: the same id names the same hazard
 * wherever it is found (trace, patch or log). Never rename one.
 */
export const FINDING_IDS = {
  // trace analysis (and the same hazards seen in patches)
  LOCK_IN_SHRINKER: 'lock classes acquired inside a shrinker',
  BLOCKING_LOCK_IN_SHRINKER:
    'a non-try acquisition of a sleeping lock inside a shrinker (scan/evict/purge path)',
  LOCK_HELD_INTO_RECLAIM: 'locks a task holds when it enters direct reclaim',
  RECLAIM_DEADLOCK_RISK:
    'a lock held while its task may enter reclaim, and taken by a shrinker without trylock',
  LOCK_ORDER_INVERSION: 'a cycle of two or more lock classes in the observed lock-order graph',
  // trace diff (HEAD against BASE)
  NEW_LOCK_EDGE: 'a lock-order edge HEAD shows and BASE does not',
  GONE_LOCK_EDGE: 'a lock-order edge BASE showed and HEAD does not (listed under fixed)',
  LATENCY_REGRESSION: 'hold, shrinker or reclaim latency significantly greater in HEAD (Mann–Whitney U)',
  CONTENTION_REGRESSION:
    'lock wait time (Mann–Whitney U) or share of contended acquisitions (two-proportion z-test) significantly greater in HEAD',
  LATENCY_IMPROVEMENT: 'hold, shrinker or reclaim latency significantly smaller in HEAD (listed under fixed)',
  CONTENTION_IMPROVEMENT:
    'lock wait time or share of contended acquisitions significantly smaller in HEAD (listed under fixed)',
  // series pre-send checks
  PATCH_CORRUPT:
    'a patch whose diff cannot be read in full (a bad hunk header, a hunk cut short, a truncated mail)',
  VERSION_MISMATCH: 'patches of one series carry different versions',
  NUMBERING_GAP: 'patch numbers are missing or repeated, or differ from the total',
  MISSING_COVER_LETTER: 'a multi-patch series without a 00/N cover letter',
  MISSING_CHANGELOG: 'a vN>1 series whose cover letter has no changelog',
  CHANGELOG_INCOMPLETE: 'the changelog omits changed patches or names unchanged ones',
  MISSING_SIGNOFF: "a patch without its author's Signed-off-by",
  BAD_FIXES_TAG: 'a Fixes: tag not in the form Fixes: <12+ hex> ("subject")',
  ALLOC_UNDER_RECLAIM_LOCK:
    "a reclaiming allocation added while holding a lock that the series' shrinker takes",
  UNBALANCED_LOCK: 'a lock added without its unlock on some path the hunk shows',
  LOCKED_WITHOUT_ASSERT: 'a *_locked function without a held-lock assertion',
} as const;
export type FindingId = keyof typeof FINDING_IDS;

export type FindingSeverity = 'error' | 'warning' | 'info';
export type EvidenceKind = 'trace' | 'patch' | 'log';

/** Common part of every finding; each analyzer adds its own fields. */
export interface FindingBase {
  id: FindingId;
  severity: FindingSeverity;
  evidence: EvidenceKind;
  message: string;
}

/** A `series check` finding: `{"id","severity","patch","file","line","message","confidence"}`. */
export interface SeriesFinding extends FindingBase {
  /** Patch index n of n/N (0 = cover letter), or null for the whole series. */
  patch: number | null;
  file: string | null;
  line: number | null;
  /** `file`: read against whole files; `hunk`: rests on hunk context only; `series`: about the series' form. */
  confidence: 'file' | 'hunk' | 'series';
}

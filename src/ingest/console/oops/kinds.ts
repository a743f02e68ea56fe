import type { ReportKind } from '../../../model/report.js';

/**
 * Kinds for banners that syzkaller titles generically (no row of their own):
 * one row per wording, checked against the banner line.
 */
const KIND_ROWS: ReadonlyArray<[RegExp, ReportKind]> = [
  // `BUG: MAX_LOCKDEP_KEYS too low!`, `BUG: MAX_STACK_TRACE_ENTRIES too low!`, `BUG: MAX_LOCK_DEPTH too low!`
  [/MAX_[A-Z_]+ too low!?/, 'lockdep-capacity'],
  // `DEBUG_LOCKS_WARN_ON(1)` (the WARNING that follows is at kernel/locking/lockdep.c)
  [/DEBUG_LOCKS_WARN_ON\(/, 'lockdep-internal'],
  // `BUG: looking up invalid subclass: 8`, `BUG: key ffff888... has not been registered!`
  [/BUG: (?:looking up invalid subclass|key \S+ has not been registered)/, 'lockdep-internal'],
];

export function refineKind(headline: string, kind: ReportKind): ReportKind {
  if (kind !== 'bug' && kind !== 'warning' && kind !== 'other') return kind;
  for (const [re, k] of KIND_ROWS) if (re.test(headline)) return k;
  return kind;
}

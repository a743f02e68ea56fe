import type { ReportKind } from '../../../model/report.js';

/**
 * Kinds for banners that syzkaller titles generically (no row of their own):
 * one row per wording, checked against the banner line.
 */
export const KIND_ROWS: ReadonlyArray<[RegExp, ReportKind]> = [
  // `BUG: MAX_LOCKDEP_KEYS too low!`, `BUG: MAX_STACK_TRACE_ENTRIES too low!`, `BUG: MAX_LOCK_DEPTH too low!`
  [/MAX_(?:LOCKDEP_[A-Z]+(?:_[A-Z]+)?|STACK_TRACE_ENTRIES|LOCK_DEPTH) too low/, 'lockdep-capacity'],
  // `DEBUG_LOCKS_WARN_ON(1)` (the WARNING that follows is at kernel/locking/lockdep.c)
  [/DEBUG_LOCKS_WARN_ON\(/, 'lockdep-internal'],
  // Banners cut or wrapped before the part their row needs:
  // `BUG: sleeping function called from invalid context at` (path on the next line)
  [/BUG: sleeping function called from invalid context/, 'sleeping-in-atomic'],
  // `BUG: scheduling while atomic: swapper/0/0/0x00000002`
  [/BUG: scheduling while atomic/, 'scheduling-while-atomic'],
  // `INFO: task kworker/0:1:12 blocked for more than 120 seconds.`
  [/INFO: task \S/, 'hung-task'],
  // `BUG: looking up invalid subclass: 8`, `BUG: key ffff888... has not been registered!`
  [/BUG: (?:looking up invalid subclass|key \S+ has not been registered)/, 'lockdep-internal'],
];

export function refineKind(headline: string, kind: ReportKind): ReportKind {
  if (kind !== 'bug' && kind !== 'warning' && kind !== 'other') return kind;
  for (const [re, k] of KIND_ROWS) if (re.test(headline)) return k;
  return kind;
}

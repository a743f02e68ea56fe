/**
 * Known misses of the syzkaller report suite (file name → reason). Each entry
 * counts as a miss in the printed score. At most 35 entries, none of them a
 * `TYPE: LOCKDEP` log.
 */
export const SYZKALLER_SKIP: Record<string, string> = {};

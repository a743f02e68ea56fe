import type { Diagnostic } from '../../model/diagnostic.js';
import { forEachProcLine } from './proc-lines.js';

/** Times of /proc/lock_stat are printed in µs with two decimals. */
export interface LockStatTimes {
  min: number;
  max: number;
  total: number;
  avg: number;
}

/** A call site listed under a class: `&rq->lock  645  [<ffffffff8103bfc4>] task_rq_lock+0x43/0x75`. */
export interface LockStatPoint {
  count: number;
  addr: string;
  symbol: string;
  line: number;
}

/** One row of /proc/lock_stat (CONFIG_LOCK_STAT; `seq_stats` in kernel/locking/lockdep_proc.c). */
export interface LockStatClass {
  /** Class name as printed (truncated by the kernel to about 37 characters), without `-W`/`-R`. */
  name: string;
  /** `W` / `R` for the write and read rows of rwlocks and rwsems, else null. */
  rw: 'W' | 'R' | null;
  conBounces: number;
  contentions: number;
  /** µs */
  waittime: LockStatTimes;
  acqBounces: number;
  acquisitions: number;
  /** µs */
  holdtime: LockStatTimes;
  /** Where the class was contended (first block under the row). */
  contentionPoints: LockStatPoint[];
  /** Where the holders were when it was contended (second block). */
  contendingPoints: LockStatPoint[];
  line: number;
}

const NUMERIC = /^\d+(?:\.\d+)?$/;

/** Line shapes besides class rows and call sites, with real examples. */
export const LOCK_STAT_LINES = {
  // `lock_stat version 0.4`
  version: /^lock_stat version \S+\s*$/,
  // `*WARNING* lock debugging disabled!! - possibly due to a lockdep warning`
  warning: /^\*WARNING\*/,
  // `-----------…` (221 dashes) and the per-class `               -------------------------`
  dashes: /^\s*-+\s*$/,
  // `.............…` (class separator)
  dots: /^\s*\.+\s*$/,
  // `                              class name    con-bounces    contentions   waittime-min …`
  columns: /^\s*class name\s+con-bounces\b/,
} as const;

/**
 * Parses /proc/lock_stat. Class rows are matched from the end (twelve numeric
 * columns after `name:`), so names with spaces or colons need no regex.
 */
export function parseLockStat(text: string): { classes: LockStatClass[]; diagnostics: Diagnostic[] } {
  const classes: LockStatClass[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: LockStatClass | null = null;
  let block = 0;
  forEachProcLine(
    text,
    diagnostics,
    { code: 'lock-stat-skipped-lines', file: '/proc/lock_stat' },
    (line, n) => {
      if (line.trim() === '' || LOCK_STAT_LINES.version.test(line) || LOCK_STAT_LINES.columns.test(line)) {
        return true;
      }
      if (LOCK_STAT_LINES.warning.test(line)) {
        diagnostics.push({ code: 'lock-stat-debug-off', message: line.trim(), line: n });
        return true;
      }
      if (LOCK_STAT_LINES.dots.test(line)) {
        current = null;
        return true;
      }
      if (LOCK_STAT_LINES.dashes.test(line)) {
        if (current) block++;
        return true;
      }
      const row = classRow(line, n);
      if (row) {
        current = row;
        block = 0;
        classes.push(row);
        return true;
      }
      const point = callSite(line, n);
      if (!point || !current || block === 0) return false;
      (block === 1 ? current.contentionPoints : current.contendingPoints).push(point);
      return true;
    },
  );
  return { classes, diagnostics };
}

// `               &sb->s_type->i_lock_key#3:         11616          11828           4.11        3454.74 …`
// `                         &mm->mmap_sem-W:            46             84           0.26 …`
function classRow(line: string, n: number): LockStatClass | null {
  const tokens: string[] = [];
  let end = line.length;
  while (tokens.length < 12) {
    while (end > 0 && isSpace(line.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && !isSpace(line.charCodeAt(start - 1))) start--;
    const token = line.slice(start, end);
    if (!NUMERIC.test(token)) return null;
    tokens.unshift(token);
    end = start;
  }
  const head = line.slice(0, end).trim();
  if (!head.endsWith(':') || head.length < 2) return null;
  let name = head.slice(0, -1);
  let rw: 'W' | 'R' | null = null;
  if (name.endsWith('-W') || name.endsWith('-R')) {
    rw = name.endsWith('W') ? 'W' : 'R';
    name = name.slice(0, -2);
  }
  const v = tokens.map(Number) as number[];
  return {
    name,
    rw,
    conBounces: v[0]!,
    contentions: v[1]!,
    waittime: { min: v[2]!, max: v[3]!, total: v[4]!, avg: v[5]! },
    acqBounces: v[6]!,
    acquisitions: v[7]!,
    holdtime: { min: v[8]!, max: v[9]!, total: v[10]!, avg: v[11]! },
    contentionPoints: [],
    contendingPoints: [],
    line: n,
  };
}

// `                       &lruvec->lru_lock            989          [<ffffffff8115bd9c>] folio_batch_move_lru+0x6c/0xc0`
function callSite(line: string, n: number): LockStatPoint | null {
  const at = line.indexOf('[<');
  const close = line.indexOf('>]', at);
  if (at < 0 || close < 0) return null;
  const addr = line.slice(at + 2, close);
  if (!/^[0-9a-f]{1,16}$/.test(addr)) return null;
  const left = line.slice(0, at).trimEnd();
  const count = left.slice(left.lastIndexOf(' ') + 1);
  if (!/^\d+$/.test(count)) return null;
  return { count: Number(count), addr, symbol: line.slice(close + 2).trim(), line: n };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

import type { TaskRef } from '../../../model/lock.js';
import { mayHold, needed, UNREAD } from '../../../util/line-chars.js';
import { charCodeAt, endsWith, indexOf } from '../../../util/string-calls.js';

/**
 * The report header lines that name the task, the kernel release, the taint flags and the
 * hardware. Task lines are a table: one row per wording the kernel uses, with what follows it.
 */

/** What the next lock line of the report is. */
export type LockSlot = 'acquiring' | 'held' | null;

interface TaskLineRow {
  /** The text after `comm/pid` (and after an optional `[HC0[0]:SC0[0]:HE1:SE1]` irq context). */
  suffix: string;
  /** When more text stands between `comm/pid` and the suffix: what follows `comm/pid`. */
  after?: string;
  /** The lock printed on the next line goes there. */
  next: LockSlot;
}

/** `comm/pid <suffix>` lines; `comm` may hold `/` (`swapper/0/0`, `kworker/u4:0/9`). */
const TASK_LINE_ROWS: readonly TaskLineRow[] = [
  // `kswapd0/28 is trying to acquire lock:` (circular, recursive)
  { suffix: 'is trying to acquire lock:', next: 'acquiring' },
  // `rcu_preempt/16 [HC0[0]:SC0[2]:HE0:SE0] is trying to acquire:` (irq safe -> unsafe)
  { suffix: 'is trying to acquire:', next: 'acquiring' },
  // `insmod/128 is trying to lock:` (invalid wait context, nested lock not taken)
  { suffix: 'is trying to lock:', next: 'acquiring' },
  // `insmod/128 [HC0[0]:SC0[0]:HE1:SE1] takes:` (inconsistent lock state)
  { suffix: 'takes:', next: 'acquiring' },
  // `swapper/0/0 just changed the state of lock:` (irq lock inversion)
  { suffix: 'just changed the state of lock:', next: 'acquiring' },
  // `syz-executor/123 is leaving the kernel with locks still held!`
  { suffix: 'is leaving the kernel with locks still held!', next: null },
  // `syz-executor.0/8543 is freeing memory ffff88804f5d6000-ffff88804f5d6fff, with a lock still held there!`
  { suffix: 'with a lock still held there!', after: ' is freeing memory ', next: 'acquiring' },
];

export interface TaskLine {
  task: TaskRef;
  next: LockSlot;
}

// the pid after `comm/` or `comm:`: `28`
const PID_RE = /^\d{1,8}$/;

/** `comm/pid` → TaskRef (the pid is after the last `/`). */
export function taskFromCommPid(s: string): TaskRef | null {
  const slash = s.lastIndexOf('/');
  if (slash <= 0) return null;
  const pid = s.slice(slash + 1);
  if (!PID_RE.test(pid)) return null;
  return { comm: s.slice(0, slash), pid: Number(pid) };
}

/** `comm:pid` (hung task banners) → TaskRef. */
function taskFromCommColonPid(s: string): TaskRef | null {
  const colon = s.lastIndexOf(':');
  if (colon <= 0) return null;
  const pid = s.slice(colon + 1);
  if (!PID_RE.test(pid)) return null;
  return { comm: s.slice(0, colon), pid: Number(pid) };
}

/** The comm/pid part before ` [HC0[0]:SC0[0]:HE1:SE1]` or before the suffix (comms may hold blanks). */
function commPidBefore(t: string, end: number): TaskRef | null {
  let head = t.slice(0, end).trimEnd();
  if (head.endsWith(']')) {
    const open = head.lastIndexOf(' [');
    if (open > 0) head = head.slice(0, open);
  }
  return taskFromCommPid(head);
}

export function parseTaskLine(t: string): TaskLine | null {
  // Every suffix ends with `:` or `!`.
  const last = charCodeAt(t, t.length - 1);
  if (last !== 0x3a && last !== 0x21) return null;
  for (const row of TASK_LINE_ROWS) {
    if (!endsWith(t, row.suffix)) continue;
    const end = row.after ? indexOf(t, row.after) : t.length - row.suffix.length;
    if (end <= 0) continue;
    const task = commPidBefore(t, end);
    if (task) return { task, next: row.next };
  }
  return null;
}

// `Xorg/1869 is trying to release lock (reservation_ww_class_mutex) at:` (bad unlock balance),
// the site on the same line or the next: `[<ffffffff852f4539>] vkms_vblank_simulate+0x159/0x3d0 ...`
export const RELEASE_INTRO = ' is trying to release lock (';
const RELEASE_AT = ') at:';

export function parseReleaseLine(t: string): { task: TaskRef | null; name: string; site: string } | null {
  const intro = t.indexOf(RELEASE_INTRO);
  if (intro <= 0) return null;
  const at = t.lastIndexOf(RELEASE_AT);
  if (at < intro + RELEASE_INTRO.length) return null;
  return {
    task: taskFromCommPid(t.slice(0, intro)),
    name: t.slice(intro + RELEASE_INTRO.length, at),
    site: t.slice(at + RELEASE_AT.length).trim(),
  };
}

/** Task lines of the report banners themselves (no lock follows). */
const BANNER_TASK_RES: readonly [RegExp, (m: RegExpExecArray) => TaskRef | null][] = [
  // `INFO: task kworker/u4:0:9 blocked for more than 143 seconds.`
  [/^INFO: task (.{1,64}) blocked for more than/, (m) => taskFromCommColonPid(m[1] as string)],
  // `[ BUG: syz-executor/31761 still has locks held! ]`, `BUG: syz-executor/31761 still has locks held!`
  [/^\[?\s?BUG: (.{1,64}) still has locks held!/, (m) => taskFromCommPid(m[1] as string)],
  // `in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 128, name: insmod`
  [
    /^in_atomic\(\): \d+, irqs_disabled\(\): \d+,.{0,40} pid: (\d{1,8}), name: (.{1,64})$/,
    (m) => ({ comm: m[2] as string, pid: Number(m[1]) }),
  ],
  // `BUG: scheduling while atomic: kworker/2:4/188/0x00000201`
  [/^BUG: scheduling while atomic: (\S{1,64})\/0x[0-9a-f]{1,16}$/, (m) => taskFromCommPid(m[1] as string)],
  // `BUG: workqueue leaked lock or atomic: kworker/2:4/0xfffffe00/188`
  [
    /^BUG: workqueue leaked lock or atomic: (\S{1,64})\/0x[0-9a-f]{1,16}\/(\d{1,8})$/,
    (m) => ({ comm: m[1] as string, pid: Number(m[2]) }),
  ],
];

export function parseBannerTask(t: string): TaskRef | null {
  // The banners start with `INFO`, `[`, `BUG` (maybe after a blank) or `in_atomic`.
  const c0 = t.charCodeAt(0);
  const first = c0 === 0x49 /* I */ || c0 === 0x5b /* [ */ || c0 === 0x42 /* B */ || c0 === 0x69; /* i */
  if (!first && !/^\s/.test(t)) return null;
  for (const [re, make] of BANNER_TASK_RES) {
    const m = re.exec(t);
    if (m) return make(m);
  }
  return null;
}

export interface KernelId {
  task: TaskRef | null;
  kernelRelease: string | null;
  /** Taint flags as printed (`G           O`), or null for `Not tainted`. */
  taint: string | null;
  tainted: boolean;
}

/** A line's summary bit for `#` (see line-chars.ts): the ` #` of release lines. */
export const HASH = needed('#');

/** A character of the taint flags' columns: `G`, `O`, ` ` (in `G           O`). */
const isTaintChar = (c: number): boolean => c === 0x20 || (c >= 0x41 && c <= 0x5a); /* A-Z */
// a flag glued to the release (`...W6.1.0`): never happens, but be safe
const TRAILING_CAPITAL_RE = /([A-Z])$/;

/** The taint flags after `Tainted: `: capital letters and the blanks between them. */
function splitTaint(rest: string): { taint: string; after: string } {
  let i = 0;
  while (i < rest.length && isTaintChar(rest.charCodeAt(i))) i++;
  // The flags end before the release, whose first character may be a digit or a letter.
  let flags = rest.slice(0, i);
  let after = rest.slice(i);
  // `G        W  O      6.1.192` vs `G W 5.0.0-13-generic`: a release never starts with a capital
  // followed by a non-blank, so give back a trailing capital that glued onto the release.
  const m = TRAILING_CAPITAL_RE.exec(flags);
  if (m && after !== '' && !after.startsWith(' ')) {
    flags = flags.slice(0, -1);
    after = m[1] + after;
  }
  return { taint: flags.trim(), after: after.trim() };
}

// `CPU: 0 PID: 28 Comm: kswapd0 Tainted: G           O       6.1.192 #2`
// `CPU: 1 UID: 0 PID: 5488 Comm: syz.0.17 Not tainted syzkaller #0 PREEMPT(full)`
// (the comm may hold blanks: `Comm: Web Content Tainted: ...`, so it ends at ` Not tainted`/` Tainted:`)
const CPU_LINE_RE = /^CPU: \d{1,5} (?:UID: \d{1,10} )?PID: (\d{1,8}) Comm: /;
const NOT_TAINTED = ' Not tainted';
const TAINTED = ' Tainted:';

// `6.1.192 #2 Tainted: G           O      ` / `4.8.0+ #30 Not tainted` (the line under a lockdep banner)
const RELEASE_LINE_RE = /^(\S{1,100}) #\S{1,40} (Not tainted|Tainted: ?(.{0,100}))$/;

// `      Not tainted 6.2.0-syzkaller-10827-g489fa31ea873 #0` (hung task), `Tainted: G W 5.0.0 #14-Ubuntu`
const HUNG_RELEASE_RE = /^(Not tainted|Tainted: (.{0,100})) (\S{1,100}) #\S{1,40}$/;

/** `chars`: the line's summary (see line-chars.ts), when read. */
export function parseKernelId(t: string, chars = UNREAD): KernelId | null {
  // The CPU line starts with `CPU: `; the release lines hold ` #`.
  const cpu = t.charCodeAt(0) === 0x43 /* C */ && t.startsWith('CPU: ');
  if (!cpu && !(mayHold(chars, HASH) && t.includes(' #'))) return null;
  let m = cpu ? CPU_LINE_RE.exec(t) : null;
  if (m) {
    const after = t.slice(m[0].length);
    const pid = Number(m[1]);
    let cut = after.indexOf(NOT_TAINTED);
    if (cut > 0) {
      const rel = after
        .slice(cut + NOT_TAINTED.length)
        .trim()
        .split(' ')[0];
      return {
        task: { comm: after.slice(0, cut), pid },
        kernelRelease: rel || null,
        taint: null,
        tainted: false,
      };
    }
    cut = after.indexOf(TAINTED);
    if (cut > 0) {
      const { taint, after: rest } = splitTaint(after.slice(cut + TAINTED.length));
      const task = { comm: after.slice(0, cut), pid };
      return { task, kernelRelease: rest.split(' ')[0] || null, taint: taint || null, tainted: true };
    }
    // `Comm: kswapd0` alone: the rest was wrapped onto the next line
    return { task: { comm: after.trim(), pid }, kernelRelease: null, taint: null, tainted: false };
  }
  m = RELEASE_LINE_RE.exec(t);
  if (m) {
    const tainted = (m[2] as string).startsWith('Tainted');
    return {
      task: null,
      kernelRelease: m[1] as string,
      taint: tainted ? (m[3] ?? '').trim() || null : null,
      tainted,
    };
  }
  m = HUNG_RELEASE_RE.exec(t);
  if (m) {
    const tainted = (m[1] as string).startsWith('Tainted');
    return {
      task: null,
      kernelRelease: m[3] as string,
      taint: tainted ? (m[2] ?? '').trim() || null : null,
      tainted,
    };
  }
  return null;
}

export const HEADER_REGEXES: readonly RegExp[] = [
  PID_RE,
  TRAILING_CAPITAL_RE,
  CPU_LINE_RE,
  RELEASE_LINE_RE,
  HUNG_RELEASE_RE,
  ...BANNER_TASK_RES.map(([re]) => re),
];

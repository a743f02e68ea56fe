import { mayHold, needed, UNREAD } from '../../../util/line-chars.js';
import { charCodeAt, includes, indexOf, startsWith } from '../../../util/string-calls.js';
import { HASH, RELEASE_INTRO } from './header.js';

/**
 * The section lines of lockdep's reports (kernel/locking/lockdep.c) and of the reports around
 * them, one constant per wording, each with a real example line. lockdep-details.ts walks them.
 */

/**
 * Section headers of lockdep's reports (kernel/locking/lockdep.c), one row per wording.
 * `held`: the next lock line is a lock already held.
 */
export const HELD_LOCK_INTROS: readonly string[] = [
  // circular, recursive: `but task is already holding lock:`
  'but task is already holding lock:',
  // irq safe -> unsafe: `and this task is already holding:`
  'and this task is already holding:',
  // nested lock not taken: `but this task is not holding:`
  'but this task is not holding:',
];

// irq lock inversion: `but this lock took another, HARDIRQ-unsafe lock in the past:`,
// `but this lock was taken by another, SOFTIRQ-safe lock in the past:`
export const INVERSION_HELD_RE =
  /^but this lock (?:took|was taken by) another, [A-Z]{4,8}-(?:READ-)?(?:un)?safe lock in the past:$/;

// `-> #1 (fs_reclaim){+.+.}-{0:0}:`
export const CHAIN_ENTRY_RE = /^-> #(\d{1,4}) \(/;

// `2 locks held by kswapd0/28:`, `1 lock held by insmod/129:`
export const HELD_HEADER_RE = /^(\d{1,6}) locks? held by (.{1,80}):$/;
// `no locks held by insmod/128.`
export const NO_HELD_RE = /^no locks held by (.{1,80})\.$/;
// ` #0: ffffffff81ac7f00 (fs_reclaim){+.+.}-{0:0}, at: balance_pgdat+0x290/0x540`
export const HELD_ENTRY_RE = /^#(\d{1,6}):/;

// ` Possible unsafe locking scenario:`, ` Possible interrupt unsafe locking scenario:`
export const SCENARIO_RE = /^Possible (?:interrupt )?unsafe locking scenario(?: by crosslock)?:$/;

// `{IN-HARDIRQ-W} state was registered at:`, `INITIAL USE at:`, `HARDIRQ-ON-W at:`, `IN-SOFTIRQ-R at:`,
// `INITIAL READ USE at:`, `... which became HARDIRQ-irq-safe at:`, `... acquired at:`
export const IRQ_STATE_RE =
  /^(?:\.\.\. which became |\.\.\. )?\{?([A-Za-z]{1,12}(?:[- ][A-Za-z]{1,12}){0,4})\}?(?: state was registered)? at:$/;

// `Call Trace:`, `Call trace:` (arm64), `Backtrace:` (arm32)
export const CALL_TRACE_RE = /^(?:Call [Tt]race:|Backtrace:)$/;

// Lines after which the main stack follows (ARM32 prints frames with no `Call Trace:` header).
// `stack backtrace:`, `Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014`
export const HARDWARE_RE = /^Hardware name: (.{1,300})$/;

// `read to 0xffff00000c9c2a30 of 8 bytes by task 132 on cpu 0:` (KCSAN: the first access's stack)
export const KCSAN_ACCESS_RE =
  /^(?:read|write)(?:\s\(marked\))? to 0x[0-9a-f]{1,16} of \d{1,4} bytes by (?:task \d{1,8}|interrupt) on cpu \d{1,5}:$/;

// `Chain exists of:` then `  &(c->notifiers)->rwsem --> &gmu->lock --> &devfreq->lock`
export const CHAIN_EXISTS = 'Chain exists of:';
export const CHAIN_ARROW = ' --> ';

// irq safe -> unsafe: `but this new dependency connects a HARDIRQ-irq-safe lock:` / `to a HARDIRQ-irq-unsafe lock:`
// then ` (console_owner){-.-.}-{0:0}` on the next line
export const IRQ_PAIR_RE =
  /^(?:but this new dependency connects a|to a) [A-Z]{4,8}-(?:READ-)?irq-(un)?safe lock:$/;

// The kernel release wrapped under a CPU line: `5.8.0-rc6-next-20200721 #1`, with the rest of the
// taint flags before it: `          T  6.1.0-next-20221214 #2`
export const WRAPPED_RELEASE_RE = /^(?:([A-Z][A-Z ]{0,40}) )?([^\sA-Z]\S{0,99}) #\d{1,6}(?: \S{1,40})?$/;

// `inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.` (the line under an inconsistent lock state banner)
export const INCONSISTENT_USAGE_RE =
  /^inconsistent \{([A-Z][A-Z-]{1,30})\} -> \{([A-Z][A-Z-]{1,30})\} usage\.$/;

// Lines that close an irq-state block: `irq event stamp: 283`, `hardirqs last  enabled at (283): ...`,
// ` ... key      at: [<ffffffff945023c0>] init_timer_cpu.__key+0x0/0x20`, ` }`
export const IRQ_BLOCK_END_RE = /^(?:irq event stamp:|(?:hard|soft)irqs last|\.\.\. key\s+at:|\}$)/;

/**
 * The line starts of the header lines that neither end with `:`/`!` nor hold ` #` (task lines,
 * section titles, `Tainted:` release lines do): `-> #1 (fs_reclaim)...`, `no locks held by x/1.`,
 * `irq event stamp: 283`, `hardirqs last  enabled at (283): ...`, `... key      at: ...`,
 * `CPU: 0 PID: 128 Comm: insmod ...`, `Not tainted 6.2.0 #0`, `Hardware name: QEMU ...`,
 * `INFO: task kworker/u4:0:9 blocked ...`, `[ BUG: x/1 still has locks held! ]`, `BUG: scheduling
 * while atomic: ...`, `in_atomic(): 1, irqs_disabled(): 0, ... pid: 128, name: insmod`.
 */
const HEADER_STARTS: readonly string[] = [
  '-> #',
  'no locks held by',
  'irq event stamp:',
  'hardirqs last',
  'softirqs last',
  '... key',
  'CPU: ',
  'Not tainted',
  'Tainted: ',
  'Hardware name: ',
  'INFO: task ',
  'BUG: ',
  'in_atomic(): ',
];

/**
 * HEADER_STARTS by their first character (its ASCII code): the ones a line that starts with
 * that character may start with (one or two). A frame line often starts with one of them (`h` of
 * `handle_mm_fault`, `s` of `schedule`): it is compared with those alone, not with all 13.
 */
const HEADER_STARTS_BY_FIRST: Array<readonly string[] | undefined> = new Array(128).fill(undefined);
for (const s of HEADER_STARTS) {
  const c = s.charCodeAt(0);
  HEADER_STARTS_BY_FIRST[c] = [...(HEADER_STARTS_BY_FIRST[c] ?? []), s];
}

/**
 * A necessary condition for a (trimmed) line to be any header or section line lockdep-details
 * reads; false for the frames, registers and memory dumps that make up most of a report. `chars`:
 * the line's summary (see line-chars.ts), when read.
 */
export function mayBeHeader(t: string, chars = UNREAD): boolean {
  const last = charCodeAt(t, t.length - 1);
  if (last === 0x3a /* : */ || last === 0x21 /* ! */ || t === '}') return true;
  const c0 = charCodeAt(t, 0);
  const starts = c0 < 128 ? HEADER_STARTS_BY_FIRST[c0] : undefined;
  if (starts !== undefined) for (const s of starts) if (startsWith(t, s)) return true;
  // `[ BUG: x/1 still has locks held! ]`
  if (c0 === 0x5b /* [ */ && (startsWith(t, 'BUG: ', 1) || startsWith(t, 'BUG: ', 2))) return true;
  // ` #` anywhere (found from the rare `#`), or ` is trying to release lock (` (HELD_LOCK_INTROS end with `:`).
  if (mayHold(chars, HASH)) {
    for (let at = indexOf(t, '#', 1); at !== -1; at = indexOf(t, '#', at + 1)) {
      if (charCodeAt(t, at - 1) === 0x20) return true;
    }
  }
  return mayHold(chars, RELEASE_INTRO_CHARS) && includes(t, RELEASE_INTRO);
}

const RELEASE_INTRO_CHARS = needed(RELEASE_INTRO);

export const SECTION_REGEXES: readonly RegExp[] = [
  INVERSION_HELD_RE,
  CHAIN_ENTRY_RE,
  HELD_HEADER_RE,
  NO_HELD_RE,
  HELD_ENTRY_RE,
  SCENARIO_RE,
  IRQ_STATE_RE,
  CALL_TRACE_RE,
  HARDWARE_RE,
  KCSAN_ACCESS_RE,
  IRQ_BLOCK_END_RE,
  INCONSISTENT_USAGE_RE,
  IRQ_PAIR_RE,
  WRAPPED_RELEASE_RE,
];

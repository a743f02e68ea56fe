import type { ConsoleLine } from '../../../model/console-line.js';
import { mayHold, needed, UNREAD } from '../../../util/line-chars.js';
import {
  charCodeAt,
  endsWith,
  includes,
  indexOf,
  startsWith,
  trim,
  trimEnd,
  trimStart,
} from '../../../util/string-calls.js';
import { parseFrame } from '../frame.js';
import type { NormalizedLine } from '../line-normalizer.js';

/**
 * A report line put back together: the kernel's pr_cont() races and mail clients break lock lines
 * in the middle; these rules glue the pieces back, keeping the first piece's input line number.
 */
export interface LogicalLine {
  /** Text as printed (leading indentation kept, trailing blanks dropped). */
  text: string;
  /** Trimmed text. */
  t: string;
  /** 1-based input line of the first piece. */
  line: number;
  /** The line's frame as the report scanner read it, when it is one line (see NormalizedLine.frame). */
  frame?: NormalizedLine['frame'];
  /** The summary of its characters (see line-chars.ts): those of its pieces, UNREAD when not read. */
  chars: number;
}

/** A report line as joined here: with the frame and the summary the report scanner read in it, if it did. */
type JoinedLine = ConsoleLine & Partial<Pick<NormalizedLine, 'frame' | 'chars'>>;

/** Never join more pieces than this into one logical line (bounds the work on hostile input). */
const MAX_PIECES = 6;
const MAX_JOINED = 4096;

// pr_cont breakage: an address (or `#N:` and an address) alone on its line, the lock on the next:
// `ffff8880b952a758` / ` #0: ` / ` #1: ffffffff8e131920`
const LONE_ADDRESS_RE = /^(?:#\d{1,4}:)?\s*(?:[0-9a-f]{8,16}|\(_*ptrval_*\))?$/;

// the address that starts the rest of such a line: `ffff8880b952a758 (&base->lock)...`
const ADDRESS_START_RE = /^(?:[0-9a-f]{8,16}|\(_*ptrval_*\))(?:\s|$)/;

// Evolution wrap after the usage dash: `ffff9967dcdd91a8 (reservation_ww_class_mutex){+.+.}-`
const USAGE_DASH_RE = /\}-$/;

// The `at:` at the end of a lock line with its frame on the next line:
// ` #0: ffff9967d8c104c8 (&xef->vm.lock){+.+.}-{3:3}, at:`
const TRAILING_AT_RE = /\)(?:\{[-.+?]{4,8}\}(?:-\{\d{1,2}:\d{1,2}\})?)?,? at:$/;

// What a wrapped site starts with: `drm_modeset_lock (linux/drivers/...c:258`, `[<ffffffff81844c6b>] pipe_lock+0x5b/0x70`
const SITE_START_RE = /^(?:\[<[0-9a-f]{1,16}>\] )?[A-Za-z_][\w.]{0,200}(?:\+0x| \(|$)/;

// `INITIAL USE` / ` at:` (020), `-> (` / `&htab->buckets[i].lock){+...}-{2:2}` (020)
const BARE_STATE_RE = /^(?:INITIAL(?: READ)? USE|[A-Z]{4,8}-(?:ON|IN)-[RW]|IN-[A-Z]{4,8}-[RW])$/;

// `Xorg/1869 is trying to release lock` / `(reservation_ww_class_mutex) at:` (008, Gmail wrap)
const RELEASE_LOCK_RE = /is trying to release lock$/;

// A lock line wrapped right before its `at:`: `#2: ffff8880b32eb6c0 (&(&vgvq->qlock)->rlock){+.+.},` / `at: ...`
const USAGE_COMMA_RE = /\},$/;

// A frame or site wrapped before its decoded `(path:line)`: `dma_resv_add_excl_fence` /
// `(linux/./include/linux/dma-resv.h:246`
const SYMBOL_RE = /^[A-Za-z_][\w.]{0,200}$/;
const STARTS_WITH_PATH_RE = /^\([\w./-]{1,300}:\d{1,6}/;
// The middle of a wrapped decoded location list: `linux/drivers/gpu/drm/drm_modeset_lock.c:342`
const PATH_ONLY_RE = /^[\w./-]{1,300}:\d{1,6}(?: \(discriminator \d{1,4}\))?\)?$/;

// ARM32 frame wrapped after `from`: `[<c0112e18>] (unwind_backtrace) from [<c010cda0>]` / `(show_stack+0x10/0x14)`,
// or before its address: `[<c0cb887c>] (__ww_mutex_lock.constprop.8) from` / `[<c0cb99b4>] (ww_mutex_lock+0x78/0xb0)`
const ARM32_FROM_RE = /\) from \[<[0-9a-fx]{1,18}>\]$/;
const ARM32_TO_RE = /^\[<[0-9a-fx]{1,18}>\] \(/;

// `Hardware name:` wrapped before its BIOS: `Hardware name: Gigabyte Technology Co., Ltd.` /
// `P35-S3G/P35-S3G, BIOS F4 07/10/2008` (the tail ends with the BIOS date)
const BIOS_TAIL_RE = /BIOS \S{1,80} \d{2}\/\d{2}\/\d{4}$/;

// KCSAN access line wrapped: `write to 0xffff80000f00bfb8 of 8 bytes by task` / `93 on cpu 0:`
const KCSAN_BY_TASK_RE = /^(?:read|write).{0,60} by task$/;
const KCSAN_PID_RE = /^\d{1,8} on cpu \d{1,5}:$/;

/** The last blank- or colon-separated word of `c` is a symbol. */
function endsWithSymbol(c: string): boolean {
  const cut = Math.max(c.lastIndexOf(' '), c.lastIndexOf(':'), c.lastIndexOf('\t'));
  return SYMBOL_RE.test(c.slice(cut + 1));
}

const OPEN_PAREN = needed('(');

/**
 * `(` less `)` in `s`, counted by indexOf: a line holds a few of them, and V8 reads a sliced string
 * (a line cut from its piece) a character at a time several times slower than indexOf searches it.
 */
function parenBalance(s: string): number {
  let depth = 0;
  for (let at = indexOf(s, '('); at !== -1; at = indexOf(s, '(', at + 1)) depth++;
  for (let at = indexOf(s, ')'); at !== -1; at = indexOf(s, ')', at + 1)) depth--;
  return depth;
}

/**
 * How to glue the (trimmed) line `n` onto the (trimmed) line `c` (whose summary is `cChars`, see
 * line-chars.ts): '' (no space), ' ' (a space) or null (do not join).
 */
function glue(c: string, n: string, cChars: number): '' | ' ' | null {
  if (c === '' || n === '') return null;
  if (c.length + n.length > MAX_JOINED) return null;
  // A lone address line starts with `#` or `(`, or is an address of 8 to 16 hex digits (the test is
  // skipped for the others: frames such as `do_one_initcall+0x68/0x240` start with a hex digit too).
  const c0 = charCodeAt(c, 0);
  const mayBeAddress =
    c0 === 0x23 /* # */ ||
    c0 === 0x28 /* ( */ ||
    (c.length <= 16 && ((c0 >= 0x30 && c0 <= 0x39) || (c0 >= 0x61 && c0 <= 0x66)));
  if (mayBeAddress && LONE_ADDRESS_RE.test(c) && (startsWith(n, '(') || ADDRESS_START_RE.test(n))) {
    return ' ';
  }
  // Cheap tests first (the `$`-anchored regexes would scan the whole line): they guard each rule,
  // the first of them the line's last character (most lines are frames, which end none of these).
  const last = charCodeAt(c, c.length - 1);
  if (last === 0x2d /* - */ && endsWith(c, '}-') && USAGE_DASH_RE.test(c) && startsWith(n, '{')) return '';
  if (last === 0x28 /* ( */) return '';
  if (last === 0x3e /* > */ && c === '->') return ' ';
  if (
    last === 0x3a /* : */ &&
    endsWith(c, 'at:') &&
    TRAILING_AT_RE.test(c) &&
    (parseFrame(n) !== null || SITE_START_RE.test(n))
  )
    return ' ';
  if (n === 'at:' && BARE_STATE_RE.test(c)) return ' ';
  const n0 = charCodeAt(n, 0);
  if (n0 === 0x28 /* ( */ && last === 0x6b /* k */ && endsWith(c, 'lock') && RELEASE_LOCK_RE.test(c))
    return ' ';
  if (last === 0x2c /* , */ && endsWith(c, '},') && USAGE_COMMA_RE.test(c) && startsWith(n, 'at:'))
    return ' ';
  if (n0 === 0x28 && STARTS_WITH_PATH_RE.test(n) && endsWithSymbol(c)) return ' ';
  if (n0 === 0x28 && last === 0x5d /* ] */ && endsWith(c, '>]') && ARM32_FROM_RE.test(c)) return ' ';
  if (
    n0 === 0x5b /* [ */ &&
    last === 0x6d /* m */ &&
    endsWith(c, ') from') &&
    startsWith(c, '[<') &&
    ARM32_TO_RE.test(n)
  )
    return ' ';
  if (last === 0x6b /* k */ && endsWith(c, ' by task') && KCSAN_BY_TASK_RE.test(c) && KCSAN_PID_RE.test(n))
    return ' ';
  if (
    c0 === 0x48 /* H */ &&
    startsWith(c, 'Hardware name:') &&
    !includes(c, ' BIOS ') &&
    BIOS_TAIL_RE.test(n)
  )
    return ' ';
  if (!mayHold(cChars, OPEN_PAREN) || !includes(c, '(')) return null;
  const open = parenBalance(c);
  if (open > 0 && startsWith(n, ')')) return '';
  if (open > 0 && (parenBalance(n) < 0 || PATH_ONLY_RE.test(n))) return ' ';
  return null;
}

/**
 * Join continuation pieces, one logical line at a time (`next()`, null at the end): each line is
 * trimmed once, when it is looked ahead at, and nothing is collected. A lock name broken before
 * its `)` that is followed by several `){....}-{1:2}, at: ...` pieces (one per inline frame,
 * syzbot) gives one logical line per piece.
 */
export class ContinuationReader {
  /** The line looked ahead at: `lines[i]`, its text without trailing blanks, trimmed, its summary. */
  private i = 0;
  private end = '';
  private trimmed = '';
  private chars = UNREAD;
  /** Logical lines made before the one `next()` returns (the `)` pieces above); rarely any. */
  private readonly queued: LogicalLine[] = [];

  constructor(private readonly lines: readonly JoinedLine[]) {
    this.look();
  }

  private look(): void {
    const l = this.lines[this.i];
    if (l === undefined) return;
    this.end = trimEnd(l.text);
    this.trimmed = trimStart(this.end);
    this.chars = l.chars ?? UNREAD;
  }

  /** Move past the line looked ahead at. */
  private advance(): void {
    this.i++;
    this.look();
  }

  next(): LogicalLine | null {
    if (this.queued.length > 0) return this.queued.shift() as LogicalLine;
    const lines = this.lines;
    if (this.i >= lines.length) return null;
    const first = lines[this.i] as JoinedLine;
    let text = this.end;
    let t = this.trimmed;
    let chars = this.chars;
    let pieces = 1;
    this.advance();
    while (this.i < lines.length && pieces < MAX_PIECES) {
      const next = this.trimmed;
      const g = glue(t, next, chars);
      if (g === null) break;
      // `(rcu_read_lock` + `){....}-{1:2}, at: a` + `){....}-{1:2}, at: b`: one line per `)` piece.
      if (g === '' && startsWith(next, ')')) {
        const head = text;
        const headChars = chars;
        text = head + next;
        chars = headChars | this.chars;
        this.advance();
        while (this.i < lines.length && startsWith(this.trimmed, ')')) {
          this.queued.push({ text, t: trim(text), line: first.line, frame: undefined, chars });
          text = head + this.trimmed;
          chars = headChars | this.chars;
          this.advance();
        }
        t = trim(text);
        pieces++;
        continue;
      }
      text = g === '' ? text + next : `${text} ${next}`;
      t = trim(text);
      chars |= this.chars;
      pieces++;
      this.advance();
    }
    const l: LogicalLine = {
      text,
      t,
      line: first.line,
      frame: pieces === 1 ? first.frame : undefined,
      chars,
    };
    if (this.queued.length === 0) return l;
    this.queued.push(l);
    return this.queued.shift() as LogicalLine;
  }
}

/** Every logical line of `lines` (see ContinuationReader). */
export function joinContinuations(lines: readonly JoinedLine[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  const reader = new ContinuationReader(lines);
  for (let l = reader.next(); l !== null; l = reader.next()) out.push(l);
  return out;
}

export const JOIN_REGEXES: readonly RegExp[] = [
  LONE_ADDRESS_RE,
  ADDRESS_START_RE,
  USAGE_DASH_RE,
  TRAILING_AT_RE,
  SITE_START_RE,
  BARE_STATE_RE,
  RELEASE_LOCK_RE,
  USAGE_COMMA_RE,
  SYMBOL_RE,
  STARTS_WITH_PATH_RE,
  PATH_ONLY_RE,
  ARM32_FROM_RE,
  ARM32_TO_RE,
  KCSAN_BY_TASK_RE,
  KCSAN_PID_RE,
  BIOS_TAIL_RE,
];

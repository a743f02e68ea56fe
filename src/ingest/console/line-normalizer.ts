import type { ConsoleLine } from '../../model/console-line.js';
import type { Frame } from '../../model/frame.js';
import { charsOfBytes, UNREAD } from '../../util/line-chars.js';
import { codeAt } from '../../util/string-calls.js';
import type { RawLine } from '../line-splitter.js';

/**
 * Streaming console-line normalizer: strips the prefixes every real source
 * puts in front of a kernel message (mail quoting, journald/syslog headers,
 * `<4>` levels, `[ts]` / `[ts][T123]` / `[  +0.006347]` / `[Wed Dec 16 ...]`
 * stamps, syzkaller console noise, ANSI escapes, control bytes) and keeps the
 * mapping back to the input line number. Never throws.
 *
 * The message text keeps what the kernel printed after the stamp's one
 * separating space (so ` foo+0x1/0x2` keeps its indent), like syzkaller's
 * prefix stripping does.
 */
export interface NormalizedLine extends ConsoleLine {
  /** True when the line carried a console stamp (timestamp or journald header). */
  stamped: boolean;
  /**
   * The line read as a stack frame (`parseFrame` of its text; null: none), once the report
   * scanner read it so (a line of a report's final trace); undefined before.
   */
  frame: Frame | null | undefined;
  /**
   * Which characters of a small alphabet the text holds (see line-chars.ts), read from the line's
   * bytes when it was handed over with them; else UNREAD (every bit).
   */
  chars: number;
}

/** Longest message kept (kernel lines are at most 1 KiB; longer ones are binary noise). */
export const MAX_LINE_CHARS = 16384;

/** Longest prefix (in characters) searched for a stamp that follows junk. */
const MAX_JUNK = 96;

// `\x1b[0;32m` ANSI CSI sequences (and other ESC-introduced pairs).
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
// C0 controls except TAB, and DEL.
const CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f]/g;
const HAS_CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

// `> > [   12.3] foo` mail quoting (nested), also `>>`.
const QUOTE_RE = /^(?:> ?)+/;

// `Jul 10 16:12:52 host kernel: ` journald / syslog header.
const JOURNAL_RE = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [^\s]+ kernel: /;

// `** 12 printk messages dropped ** ` and `syzkaller login: ` console junk.
const DROPPED_RE = /^\*\* \d+ printk messages dropped \*\* ?/;

// `<4>` printk level, optionally followed by a space (Intel CI: `<4> [197.079335]`).
const LEVEL_RE = /^<(\d)> ?/;

// `[   12.345678]`, `[ 12.345678][ T123]`, `[   12.345678] [  C4]`, `[12.345678][T1]`
const TS_RE = /^\[ *(\d+)\.(\d+)\](?: ?\[ *([CT]\d+)\])?/;
// `[   12.345678 T123]`? some consoles put the caller inside: `[   12.345678][T123]` is common,
// `[  T123]` alone (no time) occurs when printk.time=0.
const CALLER_ONLY_RE = /^\[ *([CT]\d+)\]/;
// `dmesg -H`: `[  +0.006347]`, `[Mar10 12:00]`, and `dmesg -T`: `[Wed Dec 16 13:30:45 2020]`
const HUMAN_TS_RE =
  /^\[(?: *\+\d+\.\d+|[A-Z][a-z]{2} ?\d{1,2} \d\d:\d\d(?::\d\d)?|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\]/;
// A stamp after junk on the same line: `e.[   13.221350] foo` (serial interleave).
const INNER_TS_RE = /\[ *\d+\.\d{3,}\]/;
// A line that ends in the first part of a stamp cut by another CPU's line: `... Servic[` / `[   21.33258`
const TRAILING_FRAGMENT_RE = /^\[ *\d*(?:\.\d*)?$/;
// The rest of that stamp at the start of a later line: `7] which lock ...`, `13.207942]  dump_backtrace`
const STAMP_TAIL_RE = /^ *\d*(?:\.\d*)?\] /;

/** Every regex of this file (the ReDoS test checks them). */
export const NORMALIZER_REGEXES: readonly RegExp[] = [
  ANSI_RE,
  CONTROL_RE,
  QUOTE_RE,
  JOURNAL_RE,
  DROPPED_RE,
  LEVEL_RE,
  TS_RE,
  CALLER_ONLY_RE,
  HUMAN_TS_RE,
  INNER_TS_RE,
  TRAILING_FRAGMENT_RE,
  STAMP_TAIL_RE,
];

export class ConsoleNormalizer {
  private journal = false;
  private lastCaller: string | null = null;
  private lastStamped = false;
  /** A cut stamp waiting for its tail (`[   21.33258` → `7] ...`). */
  private pendingFragment: string | null = null;
  private pendingAge = 0;
  /** Lines where a stamp was reassembled or junk dropped. */
  repaired = 0;
  /** Lines cut to MAX_LINE_CHARS. */
  clipped = 0;

  push(raw: RawLine): NormalizedLine[] {
    return [this.one(raw)];
  }

  /** The one normalized line of `raw` (what `push` returns, without the array). */
  one(raw: RawLine): NormalizedLine {
    return this.lineOf(raw.text, raw.line, raw.clean === true);
  }

  /**
   * `one` for a raw line given by its parts (LineSplitter.each hands them over without an object);
   * `bytes`/`at`: the line's bytes, when `bytes[at + k]` is `text[k]` (see LineSink).
   */
  lineOf(
    text: string,
    line: number,
    clean: boolean,
    bytes: Uint8Array | null = null,
    at = 0,
  ): NormalizedLine {
    try {
      return this.normalize(text, line, clean, bytes, at);
    } catch {
      // Defensive: normalization must never throw; keep the text as is.
      return plain(text, line);
    }
  }

  end(): NormalizedLine[] {
    return [];
  }

  /**
   * For this clean line (its `bytes` from `at`, see LineSink): where its `[ts]` stamp closes when
   * `lineOf` would make of it a stamped line whose text is the end of `text`, read by `plainLine`
   * (a plain stamp, nothing before it: no quote, journald header or level; no cut stamp to
   * remember or to join to one; not clipped), else -1. Such a line needs no NormalizedLine when
   * nobody reads more of it than its context (see ConsoleLogParser): `plainCaller` gives that,
   * leaving this normalizer as it was. (Only the journald continuation check reads the last
   * line's caller and stamp, and none passes in journald mode.)
   */
  plainClose(text: string, bytes: Uint8Array, at: number): number {
    return this.readsPlainLines ? plainStampClose(bytes, at, at + text.length) : -1;
  }

  /** The caller id of a line plainClose takes (`close`: its stamp's), or null (its context is then `console`). */
  plainCaller(text: string, bytes: Uint8Array, at: number, close: number): string | null {
    const id = callerAt(bytes, at, close + 1);
    return id === -1 ? null : text.slice(id, text.indexOf(']', id));
  }

  /** `lineOf` for a line plainClose takes, its stamp read in its bytes (`caller`: its plainCaller). */
  plainLine(
    text: string,
    line: number,
    bytes: Uint8Array,
    at: number,
    close: number,
    caller: string | null,
  ): NormalizedLine {
    const ts = stampTime(text, bytes, at, close);
    const rest = afterSeparator(text, caller === null ? close + 1 : text.indexOf(']', close + 1) + 1);
    this.lastCaller = caller;
    this.lastStamped = true;
    const end = at + text.length;
    const chars = charsOfBytes(bytes, end - rest.length, end);
    return {
      text: rest,
      ts,
      caller,
      level: null,
      line,
      quoteDepth: 0,
      stamped: true,
      frame: undefined,
      chars,
    };
  }

  /** Whether plainClose may take a line now; when it may, plainStampClose says which. */
  get readsPlainLines(): boolean {
    return !this.journal && this.pendingFragment === null;
  }

  private normalize(
    rawText: string,
    line: number,
    clean: boolean,
    bytes: Uint8Array | null,
    at: number,
  ): NormalizedLine {
    let text = rawText;
    if (text.length > MAX_LINE_CHARS) {
      text = text.slice(0, MAX_LINE_CHARS);
      this.clipped++;
    }
    // One scan for any control byte (none when the splitter saw none in the chunk); ANSI escapes
    // (ESC is one) and the rest are rare.
    const controls = !clean && HAS_CONTROL_RE.test(text);
    if (controls && text.includes('\x1b')) text = text.replace(ANSI_RE, '');
    // Where `text` starts in `bytes`: they stay in step while only its front is cut (a clipped
    // line's bytes would run on past its text).
    const b = controls || rawText.length > MAX_LINE_CHARS ? null : bytes;
    let off = at;
    let quoteDepth = 0;
    if (codeAt(text, 0) === 0x3e /* > */) {
      const q = QUOTE_RE.exec(text);
      if (q) {
        quoteDepth = countQuotes(q[0]);
        text = text.slice(q[0].length);
        off += q[0].length;
      }
    }
    let level: number | null = null;
    let ts: number | null = null;
    let caller: string | null = null;
    let stamped = false;

    const c0 = codeAt(text, 0);
    const j = c0 >= 0x41 && c0 <= 0x5a ? JOURNAL_RE.exec(text) : null;
    if (j) {
      this.journal = true;
      stamped = true;
      text = text.slice(j[0].length);
      off += j[0].length;
    }
    const d = codeAt(text, 0) === 0x2a /* * */ ? DROPPED_RE.exec(text) : null;
    if (d) {
      text = text.slice(d[0].length);
      off += d[0].length;
    }
    const lv = codeAt(text, 0) === 0x3c /* < */ ? LEVEL_RE.exec(text) : null;
    if (lv) {
      level = Number(lv[1]);
      text = text.slice(lv[0].length);
      off += lv[0].length;
    }

    let stamp = this.stamp(text, b, off);
    if (!stamp && this.pendingFragment !== null) {
      const tail = STAMP_TAIL_RE.exec(text);
      if (tail && /\d/.test(tail[0])) {
        stamp = this.stamp(`${this.pendingFragment}${tail[0].trimStart()}`);
        if (stamp) {
          stamp.rest = text.slice(tail[0].length);
          this.repaired++;
        }
        this.pendingFragment = null;
      }
    }
    if (!stamp && text.length > 0 && text.charCodeAt(0) !== 0x5b /* [ */) {
      // Junk glued in front of a stamp: `syzkaller login: [   12.3] ...`, `e.[   13.2] ...`.
      const inner = INNER_TS_RE.exec(text.length > MAX_JUNK + 32 ? text.slice(0, MAX_JUNK + 32) : text);
      if (inner && inner.index <= MAX_JUNK) {
        stamp = this.stamp(text.slice(inner.index));
        if (stamp) this.repaired++;
      }
    }
    if (stamp) {
      ts = stamp.ts;
      caller = stamp.caller;
      stamped = true;
      text = stamp.rest;
      // `[   21.33258[   32.525073] evbug: ...`: the cut stamp sits in front of a whole one.
      if (stamp.cutBefore !== null) this.remember(stamp.cutBefore);
    }
    if (!stamped && this.journal && j === null && /^\s+\S/.test(text)) {
      // journalctl prints the continuation lines of a message indented, without a header.
      stamped = this.lastStamped;
      caller = this.lastCaller;
    }
    const open = maybeCutStampAt(text);
    const frag = open > 0 ? TRAILING_FRAGMENT_RE.exec(text.slice(open)) : null;
    if (frag) this.remember(frag[0]);
    else this.age();

    if (controls) text = text.replace(CONTROL_RE, '');
    this.lastCaller = caller;
    this.lastStamped = stamped;
    // With its bytes, the message is the end of the line (only its front was cut): read it there.
    const end = at + rawText.length;
    const chars = b === null ? UNREAD : charsOfBytes(b, end - text.length, end);
    return { text, ts, caller, level, line, quoteDepth, stamped, frame: undefined, chars };
  }

  private remember(fragment: string): void {
    this.pendingFragment = fragment;
    this.pendingAge = 0;
  }

  private age(): void {
    if (this.pendingFragment !== null && ++this.pendingAge > 4) this.pendingFragment = null;
  }

  /** Parse a stamp at the start of `text`; returns the message after its separating space. */
  private stamp(text: string, bytes: Uint8Array | null = null, at = 0): Stamp | null {
    if (codeAt(text, 0) !== 0x5b /* [ */) return null;
    let cutBefore: string | null = null;
    let body = text;
    const fast = fastStamp(body, bytes, at);
    if (fast) return fast;
    // `[   21.33258[   32.525073] ...`: a cut stamp directly followed by a whole one.
    const second = body.indexOf('[', 1);
    if (second > 0 && second < 24 && body.indexOf(']', second) > second) {
      const head = body.slice(0, second);
      if (TRAILING_FRAGMENT_RE.test(head)) {
        cutBefore = head;
        body = body.slice(second);
      }
    }
    const m = TS_RE.exec(body);
    if (m) {
      const ts = Number(`${m[1]}.${m[2]}`);
      return { ts, caller: m[3] ?? null, rest: afterSeparator(body, m[0].length), cutBefore };
    }
    const h = HUMAN_TS_RE.exec(body);
    if (h) {
      let rest = afterSeparator(body, h[0].length);
      let caller: string | null = null;
      const c = CALLER_ONLY_RE.exec(rest);
      if (c) {
        caller = c[1] ?? null;
        rest = afterSeparator(rest, c[0].length);
      }
      return { ts: null, caller, rest, cutBefore };
    }
    const c = CALLER_ONLY_RE.exec(body);
    if (c) return { ts: null, caller: c[1] ?? null, rest: afterSeparator(body, c[0].length), cutBefore };
    return null;
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Where a cut stamp may start at the end of `text` (see lastBracketNearEnd), or -1. */
function maybeCutStampAt(text: string): number {
  const last = text.length > 0 ? text.charCodeAt(text.length - 1) : -1;
  const maybeCut =
    last === 0x5b /* [ */ || last === 0x2e /* . */ || last === 0x20 || (last >= 0x30 && last <= 0x39);
  return maybeCut ? lastBracketNearEnd(text) : -1;
}

/**
 * Index (> 0) of the `[` that may start a cut stamp at the end of the line (`... Servic[   21.33258`):
 * the last `[` among the last 23 characters with only blanks, digits and dots after it, or -1.
 * (A frame's `0x80` stops the backward walk at its `x`.)
 */
function lastBracketNearEnd(text: string): number {
  for (let i = text.length - 1; i > 0 && text.length - i < 24; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */) return i;
    if (c !== 0x20 && c !== 0x2e /* . */ && !isDigit(c)) return -1;
  }
  return -1;
}

/** A stamp read at the start of a line. */
interface Stamp {
  ts: number | null;
  caller: string | null;
  /** The message after the stamp's separating space. */
  rest: string;
  /** A cut stamp right in front of this one (`[   21.33258[   32.525073] ...`), to be remembered. */
  cutBefore: string | null;
}

/** Characters a stamp is made of: `[`, `]`, blank, `.`, digits, `C`, `T`. */
const STAMP_CHARS = new Uint8Array(128);
for (const c of '[] .0123456789CT') STAMP_CHARS[c.charCodeAt(0)] = 1;
/**
 * A line's stamp characters as bytes, when the line is not handed over as bytes (see fastStamp). A
 * Buffer, as the pieces lines are handed over in are: stampClose and callerAt then read one kind of
 * array (-0.9% instructions on the crash-dense log, where a sixth of the lines come without bytes).
 */
const SCRATCH = Buffer.alloc(MAX_LINE_CHARS + 2);

/**
 * The common case of TS_RE without a regex: `[   12.345678]` optionally
 * followed by `[  T123]`, `[C4]` or ` [  T123]`. Returns null when the line
 * is anything else (the regex path then decides).
 *
 * Read from the line's bytes when the splitter gave them (`bytes[at]` is `s[0]`: an ASCII piece
 * decoded one character a byte), several times faster than charCodeAt; otherwise from a copy of
 * the stamp characters that start `s` (and the one after them), so there is one reading.
 */
function fastStamp(s: string, bytes: Uint8Array | null, at: number): Stamp | null {
  let b = bytes;
  let p = at;
  if (b === null) {
    let k = 0;
    while (k < s.length && k < SCRATCH.length - 1) {
      const c = s.charCodeAt(k);
      SCRATCH[k++] = c < 0x80 ? c : 0xff;
      if (c >= 0x80 || STAMP_CHARS[c] === 0) break;
    }
    SCRATCH[k] = 0;
    b = SCRATCH;
    p = 0;
  }
  const close = stampClose(b, p);
  if (close < 0) return null;
  const ts = stampTime(s, b, p, close);
  let i = close + 1;
  let caller: string | null = null;
  const id = callerAt(b, p, i);
  if (id !== -1) {
    const end = s.indexOf(']', id);
    caller = s.slice(id, end);
    i = end + 1;
  }
  return { ts, caller, rest: afterSeparator(s, i), cutBefore: null };
}

/** The time of the stamp `s` starts with, read in its bytes from `p` (`close`: see stampClose). */
function stampTime(s: string, b: Uint8Array, p: number, close: number): number {
  let i = 1;
  while (b[p + i] === 0x20) i++;
  // The digits of both parts as one integer (see POW10).
  const start = i;
  let frac = close;
  let n = 0;
  for (; i < close; i++) {
    const c = b[p + i] as number;
    if (c === 0x2e /* . */) frac = i + 1;
    else n = n * 10 + (c - 0x30);
  }
  return i - start - 1 > 15 || i - frac > 15 ? Number(s.slice(start, i)) : n / (POW10[i - frac] as number);
}

/**
 * Where the caller id of `[  T123]`, `[C4]` or ` [  T123]` at `bytes[p + i]` starts (its `C` or
 * `T`, from `p`), or -1 when none is there. Its `]` is the first one after it.
 */
function callerAt(b: Uint8Array, p: number, i: number): number {
  let j = b[p + i] === 0x20 && b[p + i + 1] === 0x5b ? i + 1 : i;
  if (b[p + j] !== 0x5b /* [ */) return -1;
  j++;
  while (b[p + j] === 0x20) j++;
  const kind = b[p + j];
  if (kind !== 0x43 /* C */ && kind !== 0x54 /* T */) return -1;
  const id = j++;
  const digits = j;
  while (isDigit(b[p + j] as number)) j++;
  return j > digits && b[p + j] === 0x5d /* ] */ ? id : -1;
}

/**
 * For the line from `at` to `end` of `bytes` (a clean line, see LineSink): where its `[ts]` stamp
 * closes (see stampClose) when `plainClose` takes the line (see readsPlainLines), else -1: a
 * plain stamp, and neither clipped nor ending in a cut stamp that `normalize` would remember (one
 * at the end of its message is one at the end of the line: a `[` the message ends with is as near
 * the end of both).
 */
export function plainStampClose(b: Uint8Array, at: number, end: number): number {
  if (end - at > MAX_LINE_CHARS) return -1;
  const close = stampClose(b, at);
  return close < 0 || endsInCutStamp(b, at, end) ? -1 : close;
}

/** maybeCutStampAt(line) !== -1 for the line from `at` to `end` of `bytes`, read in the bytes. */
function endsInCutStamp(b: Uint8Array, at: number, end: number): boolean {
  for (let i = end - 1; i > at && end - i < 24; i--) {
    const c = b[i] as number;
    if (c === 0x5b /* [ */) return true;
    if (c !== 0x20 && c !== 0x2e /* . */ && !isDigit(c)) return false;
  }
  return false;
}

/**
 * The index (from `p`) of the `]` that closes a `[   12.345678]` stamp at `bytes[p]`, or -1 when
 * none starts there. Past the line's end the bytes hold its newline (or nothing): no test takes either.
 */
function stampClose(b: Uint8Array, p: number): number {
  if (b[p] !== 0x5b /* [ */) return -1;
  let i = 1;
  while (b[p + i] === 0x20) i++;
  const start = i;
  while (isDigit(b[p + i] as number)) i++;
  if (i === start || b[p + i] !== 0x2e /* . */) return -1;
  const frac = ++i;
  while (isDigit(b[p + i] as number)) i++;
  return i === frac || b[p + i] !== 0x5d /* ] */ ? -1 : i;
}

// `Number(s.slice(start, end))` for `digits.digits` without the string (fastStamp): with at most
// 15 digits in all, the digits read as one integer and 10^places are both exact, so their IEEE
// quotient is the correctly rounded decimal, as Number() gives.
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

function afterSeparator(text: string, at: number): string {
  return codeAt(text, at) === 0x20 ? text.slice(at + 1) : text.slice(at);
}

function countQuotes(prefix: string): number {
  let n = 0;
  for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) === 0x3e) n++;
  return n;
}

function plain(rawText: string, line: number): NormalizedLine {
  return {
    text: rawText.replace(CONTROL_RE, ''),
    ts: null,
    caller: null,
    level: null,
    line,
    quoteDepth: 0,
    stamped: false,
    frame: undefined,
    chars: UNREAD,
  };
}

/** The syzkaller "context" of a line: its caller id, `console` for a plain stamp, `''` for none. */
export function lineContext(line: NormalizedLine): string {
  return line.caller ?? (line.stamped ? 'console' : '');
}

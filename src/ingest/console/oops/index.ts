import type { Oops } from '../../../analyzers/title/types.js';
import { charCodeAt, indexOf, startsWith } from '../../../util/string-calls.js';
import { type PieceScan, pieceScan, WINDOW } from '../piece-scan.js';
import { BUG_OOPS } from './bug.js';
import { INFO_OOPS } from './info.js';
import { FAULT_OOPSES } from './other.js';
import { WARNING_OOPS } from './warning.js';

/**
 * Every banner the kernel (and the fuzzer around it) prints at the start of a
 * report, in priority order: a line is claimed by the first banner it contains.
 */
export const OOPSES: readonly Oops[] = [BUG_OOPS, WARNING_OOPS, INFO_OOPS, ...FAULT_OOPSES];

// Cheap prefilter: one scan for any banner keyword before the per-banner checks.
export const HEADER_RE = new RegExp(
  OOPSES.map((o) => o.header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
);

function suppressed(line: string, oops: Oops): boolean {
  for (const s of oops.suppress) {
    if (typeof s === 'function' ? s(line) : s.test(line)) return true;
  }
  return false;
}

/** What syzkaller's VM console prints when the VM went away: the log is then cut (corrupted). */
export const HANGUP_MARKER = 'serialport: VM disconnected.';

// Headers with a colon, by the (ASCII) character before their first colon: what they print up to
// it (`BUG:`, `WARNING:` under G; `stack segment:`, `Alignment trap:` under t). An array, not a
// map: most colons follow none of these characters, and a slot is found without hashing. The
// hang-up marker is looked for as one (the log's verdict reads it in any line: the lines the
// parser passes unread must not hold it either).
const UP_TO_COLON: Array<string[] | undefined> = new Array(128).fill(undefined);
for (const header of [...OOPSES.map((o) => o.header), HANGUP_MARKER]) {
  const at = header.indexOf(':');
  if (at <= 0) continue;
  const c = header.charCodeAt(at - 1);
  const list = UP_TO_COLON[c] ?? [];
  if (!list.includes(header.slice(0, at + 1))) list.push(header.slice(0, at + 1));
  UP_TO_COLON[c] = list;
}
// Headers without a colon contain one of these (`Unable to handle kernel`, `BUG`, ...): one scan for all.
const NO_COLON_WORDS = [
  ...new Set(
    OOPSES.filter((o) => !o.header.includes(':')).map((o) => (o.header.includes('BUG') ? 'BUG' : o.header)),
  ),
];
const NO_COLON_NEEDLES = new RegExp(
  NO_COLON_WORDS.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
);

/**
 * A necessary condition for HEADER_RE and for HANGUP_MARKER, much cheaper on ordinary lines: a
 * colon that ends what a header (or the marker) prints up to its colon (`lockdep:` is looked at as
 * a possible `...p:` and dropped), or a colon-less header's keyword. False for a line is false for
 * any part of it: matchOops gives null for every part, and none holds the marker.
 */
export function mayHaveHeader(line: string): boolean {
  return nextColonHead(line, 0) !== Number.POSITIVE_INFINITY || NO_COLON_NEEDLES.test(line);
}

/** NO_COLON_NEEDLES searching a whole piece from its `lastIndex`, and matching at it. */
const NO_COLON_IN_PIECE = new RegExp(NO_COLON_NEEDLES.source, 'g');
const NO_COLON_AT = new RegExp(NO_COLON_NEEDLES.source, 'y');

/**
 * The vector scans of an ASCII piece, its banner scan looking for both kinds of header (null
 * without WebAssembly). HeaderCandidates loads each ASCII piece it is given into it: while it holds
 * one (see HeaderCandidates.scan), the other scans may read it too.
 */
export const PIECE_SCAN = pieceScan(
  UP_TO_COLON.flatMap((heads) => heads ?? []),
  NO_COLON_WORDS,
);
/** How HeaderCandidates searches an ASCII piece here. */
export const HEADER_SCAN: 'wasm' | 'js' = PIECE_SCAN === null ? 'js' : 'wasm';

/**
 * mayHaveHeader for the lines of one decoded piece of input, asked in their order (a line by its
 * start and end in the piece): the piece is searched once, line after line, for the next place a
 * header may start, so that a run of lines without one costs one search, not one per line. (No
 * header holds a newline: what is found lies in one line.)
 */
export class HeaderCandidates {
  private piece = '';
  /** Where the next colon-ended head and the next colon-less keyword start, -1 when not searched yet. */
  private colon = -1;
  private word = -1;
  /** PIECE_SCAN while it holds the piece, else null; where the next head or keyword starts, -1 when not searched yet. */
  private inScan: PieceScan | null = null;
  private head = -1;

  /** `bytes`: the piece's bytes when they are its characters one for one (PIECE_SCAN then searches them). */
  reset(piece: string, bytes: Uint8Array | null = null): void {
    this.piece = piece;
    this.colon = -1;
    this.word = -1;
    this.head = -1;
    this.inScan = bytes !== null && bytes.length <= WINDOW ? PIECE_SCAN : null;
    this.inScan?.load(bytes as Uint8Array);
  }

  /** PIECE_SCAN while it holds the piece (positions in it are the piece's), else null. */
  get scan(): PieceScan | null {
    return this.inScan;
  }

  /** mayHaveHeader(piece.slice(from, to)) for the line there, `from` never before the last one asked. */
  within(from: number, to: number): boolean {
    if (this.inScan !== null) return this.scannedAt(this.inScan, from) < to;
    if (this.wordAt(from) < to) return true;
    return this.colonAt(from) < to;
  }

  /**
   * Where the first place a header may start at or after `from` is (+Infinity: none in the piece):
   * `within(from, to)` is false for every `to` up to it. `from` never before the last one asked.
   */
  next(from: number): number {
    if (this.inScan !== null) return this.scannedAt(this.inScan, from);
    return Math.min(this.wordAt(from), this.colonAt(from));
  }

  /**
   * `next` by the scan: the first place it gives that holds a head or keyword. (The places come in
   * the order of the colon or keyword found; a head's start is before its colon, but no head holds
   * a colon or keyword that starts before its own start, but `BUG` in `BUG:`, at the same place.)
   */
  private scannedAt(scan: PieceScan, from: number): number {
    if (this.head >= from) return this.head;
    const s = this.piece;
    const end = s.length;
    let found = Number.POSITIVE_INFINITY;
    for (let at = scan.next(from, end); at < end; at = scan.next(at + 1, end)) {
      found = s.charCodeAt(at) === 0x3a /* : */ ? headEndingAt(s, at) : keywordAt(s, at);
      if (found !== Number.POSITIVE_INFINITY) break;
    }
    this.head = found;
    return found;
  }

  /** Where the next colon-less keyword at or after `from` starts. */
  private wordAt(from: number): number {
    if (this.word < from) {
      NO_COLON_IN_PIECE.lastIndex = from;
      this.word = NO_COLON_IN_PIECE.exec(this.piece)?.index ?? Number.POSITIVE_INFINITY;
    }
    return this.word;
  }

  /** Where the next colon-ended head at or after `from` starts. */
  private colonAt(from: number): number {
    if (this.colon < from) this.colon = nextColonHead(this.piece, from);
    return this.colon;
  }
}

/** Where the first head of UP_TO_COLON that ends at a colon of `s` at or after `from` starts, or +Infinity. */
function nextColonHead(s: string, from: number): number {
  for (let at = indexOf(s, ':', from); at !== -1; at = indexOf(s, ':', at + 1)) {
    const start = headEndingAt(s, at);
    if (start !== Number.POSITIVE_INFINITY) return start;
  }
  return Number.POSITIVE_INFINITY;
}

/** Where the first head of UP_TO_COLON that ends at the colon `s[at]` starts, or +Infinity. */
function headEndingAt(s: string, at: number): number {
  const heads = at > 0 ? UP_TO_COLON[charCodeAt(s, at - 1)] : undefined;
  if (heads !== undefined)
    for (const h of heads)
      if (at + 1 >= h.length && startsWith(s, h, at + 1 - h.length)) return at + 1 - h.length;
  return Number.POSITIVE_INFINITY;
}

/** `at` when a colon-less keyword starts there, else +Infinity. */
function keywordAt(s: string, at: number): number {
  NO_COLON_AT.lastIndex = at;
  return NO_COLON_AT.test(s) ? at : Number.POSITIVE_INFINITY;
}

/** The banner this line starts, or null. */
export function matchOops(line: string): Oops | null {
  if (!mayHaveHeader(line) || !HEADER_RE.test(line)) return null;
  for (const oops of OOPSES) {
    if (line.includes(oops.header) && !suppressed(line, oops)) return oops;
  }
  return null;
}

/** Banners that may appear inside another report without starting a new one. */
// `invalid opcode: 0000 [#1] SMP KASAN`, `Kernel panic - not syncing: panic_on_warn set ...`
export const REPORT_START_IGNORES: readonly RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  /PANIC: double fault/,
  /Internal error:/,
];

export function startsNewReport(line: string): boolean {
  return !REPORT_START_IGNORES.some((re) => re.test(line));
}

/** Messages that carry a stack but are no bug: a report they interrupt is cut there. */
export const INFO_WITH_STACK: readonly string[] = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

export { BUG_OOPS, INFO_OOPS, WARNING_OOPS };

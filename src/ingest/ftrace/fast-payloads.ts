import type { TraceEvent } from '../../model/trace-event.js';
import { ByteKeyTable } from './byte-key-table.js';
import { type AsciiKey, asciiKey, Interner, isDigit, isHexDigit, sameKey } from './scan.js';

type Fields = TraceEvent['fields'];

/**
 * Hand-written readers for the hot events (lock_*, contention_*,
 * mm_shrink_slab_*), which make up most of a lock trace. They implement the
 * rows of PAYLOAD_TABLE for these events without a regex and return null for
 * anything unusual, in which case the table is used. The table stays the
 * source of truth: test/ingest/ftrace/fast-payloads.test.ts checks that both
 * give the same fields on every fixture and corpus line.
 */
export const FAST_PAYLOADS: ReadonlyMap<string, (p: string) => Fields | null> = new Map([
  ['lock_acquire', lockAcquire],
  ['lock_release', lockNamed],
  ['lock_contended', lockNamed],
  ['lock_acquired', lockNamed],
  ['contention_begin', contentionBegin],
  ['contention_end', contentionEnd],
  ['mm_shrink_slab_start', (p) => read(p, shrinkStart)],
  ['mm_shrink_slab_end', (p) => read(p, shrinkEnd)],
]);

/**
 * The readers of FAST_PAYLOADS whose payloads never repeat, over an ASCII chunk's bytes
 * `u[start, end)` in place (the payload without its trailing blanks): the same fields, with
 * no payload string to read them from. Null where the string reader would give null.
 */
export const FAST_BYTE_PAYLOADS: ReadonlyMap<
  string,
  (u: Uint8Array, start: number, end: number) => Fields | null
> = new Map([
  ['mm_shrink_slab_start', (u, start, end) => shrinkStart(new PayloadBytes(u, start, end))],
  ['mm_shrink_slab_end', (u, start, end) => shrinkEnd(new PayloadBytes(u, start, end))],
]);

/**
 * Events whose payloads repeat verbatim (a lock's address and class, a
 * contention's flags or return value): the parser reads each distinct payload
 * once and shares its text, copying the fields per event.
 */
export const REPEATING_PAYLOADS: ReadonlySet<string> = new Set([
  'lock_acquire',
  'lock_release',
  'lock_contended',
  'lock_acquired',
  'contention_begin',
  'contention_end',
]);

/**
 * A sequential copy of a short string. V8 keeps a `slice()` of 13+ characters as a view
 * into its parent, and comparing two such views costs ~10x a plain comparison: the
 * analyzer compares lock addresses on every acquire/release. Pointers repeat (a lock's
 * address, a shrinker's `shr`), so each distinct one is copied once and shared after
 * (a lookup instead of a copy per event).
 */
function flat(s: string): string {
  return POINTERS.get(s);
}

const POINTERS = new Interner(16_384);

function lockAcquire(s: string): Fields | null {
  const t = stringBytes(s);
  if (t === null) return null;
  const e = pointerEnd(t, 0);
  if (e < 0 || s.charCodeAt(e) !== 0x20) return null;
  let i = e + 1;
  let flags = 0;
  if (s.startsWith('try ', i) && s.length > i + 4) {
    flags |= 1;
    i += 4;
  }
  if (s.startsWith('read ', i) && s.length > i + 5) {
    flags |= 2;
    i += 5;
  }
  if (i >= s.length) return null;
  return { lockdep_addr: pointerValue(t, 0, e), name: s.slice(i), flags };
}

function lockNamed(s: string): Fields | null {
  const t = stringBytes(s);
  if (t === null) return null;
  const e = pointerEnd(t, 0);
  if (e < 0 || s.charCodeAt(e) !== 0x20 || e + 1 >= s.length) return null;
  return { lockdep_addr: pointerValue(t, 0, e), name: s.slice(e + 1) };
}

function contentionBegin(s: string): Fields | null {
  const t = stringBytes(s);
  if (t === null) return null;
  const e = pointerEnd(t, 0);
  if (e < 0 || !s.startsWith(' (flags=', e)) return null;
  const close = s.indexOf(')', e + 8);
  if (close < 0 || !onlySpacesAfter(t, close + 1)) return null;
  return { lock_addr: pointerValue(t, 0, e), flags: s.slice(e + 8, close) };
}

function contentionEnd(s: string): Fields | null {
  const t = stringBytes(s);
  if (t === null) return null;
  const e = pointerEnd(t, 0);
  if (e < 0 || !s.startsWith(' (ret=', e)) return null;
  const c = new TextCursor(t, e + 6);
  const ret = c.int();
  if (ret === null || !c.lit(LIT.CLOSE) || !onlySpacesAfter(t, c.i)) return null;
  return { lock_addr: pointerValue(t, 0, e), ret };
}

/**
 * A payload's bytes, for the hand-written readers: an ASCII chunk's bytes read in place
 * (mm_shrink_slab_*, whose payloads never repeat: no payload string to read them from), or
 * an ASCII payload string's (see stringBytes). One class, so every call site reading it
 * stays monomorphic.
 */
class PayloadBytes {
  constructor(
    private readonly u: Uint8Array,
    /** First and past-the-last index of the payload. */
    readonly start: number,
    readonly end: number,
  ) {}

  /** The byte at i; −1 past the end. */
  code(i: number): number {
    return i < this.end ? this.u[i]! : -1;
  }

  /** The text at i is k's (and ends by the payload's end). */
  has(i: number, k: AsciiKey): boolean {
    return i + k[0]! <= this.end && sameKey(this.u, i, k);
  }

  /** The text of [a, b), interned (pointers, symbols and flags repeat). */
  text(a: number, b: number): string {
    return BYTE_TEXTS.get(this.u, a, b);
  }
}

/** The bytes of an ASCII payload string (null for any other: the table reads it). */
function stringBytes(s: string): PayloadBytes | null {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return null;
  return new PayloadBytes(Buffer.from(s, 'latin1'), 0, s.length);
}

/** A reader over bytes, given a payload string. */
function read(s: string, reader: (t: PayloadBytes) => Fields | null): Fields | null {
  const t = stringBytes(s);
  return t === null ? null : reader(t);
}

/** Interned strings of byte ranges (ASCII): a repeated range costs a hash and a compare. */
class ByteTexts {
  private readonly table = new ByteKeyTable<string>();

  get(u: Uint8Array, a: number, b: number): string {
    const hit = this.table.lookup(u, a, b);
    if (hit !== undefined) return hit;
    const text = Buffer.from(u.buffer, u.byteOffset + a, b - a).toString('latin1');
    this.table.add(u, a, b, this.table.missHash, text);
    return text;
  }
}

const BYTE_TEXTS = new ByteTexts();

/** The index of character `c` in t[from, end), or −1. */
function indexOf(t: PayloadBytes, c: number, from: number): number {
  for (let i = from; i < t.end; i++) if (t.code(i) === c) return i;
  return -1;
}

/** True when t[a, b) is printable ASCII without blanks (what the table's `\S+` surely matches). */
function plainToken(t: PayloadBytes, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = t.code(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

function onlySpacesAfter(t: PayloadBytes, i: number): boolean {
  for (; i < t.end; i++) if (t.code(i) !== 0x20) return false;
  return true;
}

/** `%p` at i as ptrEnd reads it, over a PayloadBytes. */
function pointerEnd(t: PayloadBytes, i: number): number {
  if (t.code(i) === 0x28 /* ( */) {
    if (t.has(i, LIT.NIL)) return i + 5;
    if (t.has(i, LIT.PTRVAL)) return i + 16;
    return -1;
  }
  let j = i;
  if (t.code(j) === 0x30 && t.code(j + 1) === 0x78 && isHexDigit(t.code(j + 2))) j += 2;
  const start = j;
  while (j < t.end && isHexDigit(t.code(j))) j++;
  return j === start ? -1 : j;
}

/** ptrValue over a PayloadBytes. */
function pointerValue(t: PayloadBytes, a: number, b: number): string {
  if (t.code(a) === 0x28) return t.code(a + 1) === 0x6e ? '0' : flat(t.text(a, b));
  if (t.code(a) === 0x30 && t.code(a + 1) === 0x78 && b - a > 2) return flat(t.text(a + 2, b));
  return flat(t.text(a, b));
}

/** The literals the readers step over, as AsciiKeys (compared four bytes at a time). */
const LIT = {
  CACHE_ITEMS: asciiKey('cache items ')!,
  CLOSE: asciiKey(')')!,
  COLON: asciiKey(': ')!,
  DELTA: asciiKey(' delta ')!,
  GFP_FLAGS: asciiKey(' gfp_flags ')!,
  LAST_SHRINKER_RETURN_VAL: asciiKey(' last shrinker return val ')!,
  LRU_PGS: asciiKey(' lru_pgs ')!,
  NEW_SCAN_COUNT: asciiKey(' new scan count ')!,
  NID: asciiKey('nid: ')!,
  NIL: asciiKey('(nil)')!,
  OBJECTS_TO_SHRINK: asciiKey('objects to shrink ')!,
  PGS_SCANNED: asciiKey('pgs_scanned ')!,
  PRIORITY: asciiKey(' priority ')!,
  PTRVAL: asciiKey('(____ptrval____)')!,
  SPACE: asciiKey(' ')!,
  TOTAL_SCAN: asciiKey(' total_scan ')!,
  UNUSED_SCAN_COUNT: asciiKey('unused scan count ')!,
};

/** A position in a PayloadBytes. */
class TextCursor {
  constructor(
    readonly t: PayloadBytes,
    public i: number,
  ) {}

  /** Steps over the literal k when the text at the cursor is k. */
  lit(k: AsciiKey): boolean {
    if (!this.t.has(this.i, k)) return false;
    this.i += k[0]!;
    return true;
  }

  /** `-?\d+` (at most 15 digits, else null so the table decides). */
  int(): number | null {
    const t = this.t;
    let i = this.i;
    const neg = t.code(i) === 0x2d;
    if (neg) i++;
    const start = i;
    let v = 0;
    while (i < t.end && isDigit(t.code(i))) {
      v = v * 10 + (t.code(i) - 0x30);
      i++;
    }
    if (i === start || i - start > 15) return null;
    this.i = i;
    return neg ? -v : v;
  }
}

/** `lab_scan+0x0/0x47 [lab_lockdep] ffffffffa0002000: nid: 0 ` → shrink, shr, nid; cursor after. */
function shrinkHead(t: PayloadBytes, out: Fields): TextCursor | null {
  const from = t.start;
  let sp = indexOf(t, 0x20, from);
  if (sp <= from || !plainToken(t, from, sp)) return null;
  let shrinkEnd = sp;
  if (t.code(sp + 1) === 0x5b /* [ */) {
    const close = indexOf(t, 0x5d /* ] */, sp + 2);
    if (close < 0 || close === sp + 2 || !plainToken(t, sp + 2, close)) return null;
    shrinkEnd = close + 1;
    sp = close + 1;
    if (t.code(sp) !== 0x20) return null;
  }
  const pe = pointerEnd(t, sp + 1);
  if (pe < 0 || !t.has(pe, LIT.COLON)) return null;
  out.shrink = t.text(from, shrinkEnd);
  out.shr = pointerValue(t, sp + 1, pe);
  const c = new TextCursor(t, pe + 2);
  if (c.lit(LIT.NID)) {
    const nid = c.int();
    if (nid === null || !c.lit(LIT.SPACE)) return null;
    out.nid = nid;
  }
  return c;
}

function shrinkStart(t: PayloadBytes): Fields | null {
  const f: Fields = {};
  const c = shrinkHead(t, f);
  if (!c?.lit(LIT.OBJECTS_TO_SHRINK)) return null;
  const nr = c.int();
  if (nr === null || !c.lit(LIT.GFP_FLAGS)) return null;
  const g = indexOf(t, 0x20, c.i);
  if (g <= c.i || !plainToken(t, c.i, g)) return null;
  const gfp = t.text(c.i, g);
  c.i = g + 1;
  if (c.lit(LIT.PGS_SCANNED)) {
    const pgs = t.code(c.i) === 0x2d ? null : c.int();
    if (pgs === null || !c.lit(LIT.LRU_PGS)) return null;
    const lru = t.code(c.i) === 0x2d ? null : c.int();
    if (lru === null || !c.lit(LIT.SPACE)) return null;
    f.pgs_scanned = pgs;
    f.lru_pgs = lru;
  }
  if (!c.lit(LIT.CACHE_ITEMS)) return null;
  const items = c.int();
  if (items === null || !c.lit(LIT.DELTA)) return null;
  const delta = c.int();
  if (delta === null || !c.lit(LIT.TOTAL_SCAN)) return null;
  const total = c.int();
  if (total === null) return null;
  f.nr_objects_to_shrink = nr;
  f.gfp_flags = gfp;
  f.cache_items = items;
  f.delta = delta;
  f.total_scan = total;
  if (c.lit(LIT.PRIORITY)) {
    const prio = c.int();
    if (prio === null) return null;
    f.priority = prio;
  }
  return onlySpacesAfter(t, c.i) ? f : null;
}

function shrinkEnd(t: PayloadBytes): Fields | null {
  const f: Fields = {};
  const c = shrinkHead(t, f);
  if (!c?.lit(LIT.UNUSED_SCAN_COUNT)) return null;
  const unused = c.int();
  if (unused === null || !c.lit(LIT.NEW_SCAN_COUNT)) return null;
  const next = c.int();
  if (next === null || !c.lit(LIT.TOTAL_SCAN)) return null;
  const total = c.int();
  if (total === null || !c.lit(LIT.LAST_SHRINKER_RETURN_VAL)) return null;
  const ret = c.int();
  if (ret === null || !onlySpacesAfter(t, c.i)) return null;
  f.unused_scan = unused;
  f.new_scan = next;
  f.total_scan = total;
  f.retval = ret;
  return f;
}

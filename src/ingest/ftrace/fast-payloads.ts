import type { TraceEvent } from '../../model/trace-event.js';
import { Interner, isDigit, isHexDigit } from './scan.js';

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
  ['mm_shrink_slab_start', shrinkStart],
  ['mm_shrink_slab_end', shrinkEnd],
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

/** End of a `%p` value at i (hex with optional `0x`, `(nil)`, `(____ptrval____)`), or -1. */
function ptrEnd(s: string, i: number): number {
  if (s.charCodeAt(i) === 0x28 /* ( */) {
    if (s.startsWith('(nil)', i)) return i + 5;
    if (s.startsWith('(____ptrval____)', i)) return i + 16;
    return -1;
  }
  let j = i;
  if (s.charCodeAt(j) === 0x30 && s.charCodeAt(j + 1) === 0x78 && isHexDigit(s.charCodeAt(j + 2))) j += 2;
  const start = j;
  while (j < s.length && isHexDigit(s.charCodeAt(j))) j++;
  return j === start ? -1 : j;
}

function ptrValue(s: string, a: number, b: number): string {
  if (s.charCodeAt(a) === 0x28) return s.charCodeAt(a + 1) === 0x6e ? '0' : flat(s.slice(a, b));
  if (s.charCodeAt(a) === 0x30 && s.charCodeAt(a + 1) === 0x78 && b - a > 2) return flat(s.slice(a + 2, b));
  return flat(s.slice(a, b));
}

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
  const e = ptrEnd(s, 0);
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
  return { lockdep_addr: ptrValue(s, 0, e), name: s.slice(i), flags };
}

function lockNamed(s: string): Fields | null {
  const e = ptrEnd(s, 0);
  if (e < 0 || s.charCodeAt(e) !== 0x20 || e + 1 >= s.length) return null;
  return { lockdep_addr: ptrValue(s, 0, e), name: s.slice(e + 1) };
}

function onlySpacesFrom(s: string, i: number): boolean {
  for (; i < s.length; i++) if (s.charCodeAt(i) !== 0x20) return false;
  return true;
}

function contentionBegin(s: string): Fields | null {
  const e = ptrEnd(s, 0);
  if (e < 0 || !s.startsWith(' (flags=', e)) return null;
  const close = s.indexOf(')', e + 8);
  if (close < 0 || !onlySpacesFrom(s, close + 1)) return null;
  return { lock_addr: ptrValue(s, 0, e), flags: s.slice(e + 8, close) };
}

function contentionEnd(s: string): Fields | null {
  const e = ptrEnd(s, 0);
  if (e < 0 || !s.startsWith(' (ret=', e)) return null;
  const c = new Cursor(s, e + 6);
  const ret = c.int();
  if (ret === null || !c.lit(')') || !onlySpacesFrom(s, c.i)) return null;
  return { lock_addr: ptrValue(s, 0, e), ret };
}

class Cursor {
  constructor(
    readonly s: string,
    public i: number,
  ) {}

  lit(t: string): boolean {
    if (!this.s.startsWith(t, this.i)) return false;
    this.i += t.length;
    return true;
  }

  /** `-?\d+` (at most 15 digits, else null so the table decides). */
  int(): number | null {
    const s = this.s;
    let i = this.i;
    const neg = s.charCodeAt(i) === 0x2d;
    if (neg) i++;
    const start = i;
    let v = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      v = v * 10 + (s.charCodeAt(i) - 0x30);
      i++;
    }
    if (i === start || i - start > 15) return null;
    this.i = i;
    return neg ? -v : v;
  }
}

/** True when s[a, b) is printable ASCII without blanks (what the table's `\S+` surely matches). */
function plainToken(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/** `lab_scan+0x0/0x47 [lab_lockdep] ffffffffa0002000: nid: 0 ` → shrink, shr, nid; cursor after. */
function shrinkHead(s: string, out: Fields): Cursor | null {
  let sp = s.indexOf(' ');
  if (sp <= 0 || !plainToken(s, 0, sp)) return null;
  let shrinkEnd = sp;
  if (s.charCodeAt(sp + 1) === 0x5b /* [ */) {
    const close = s.indexOf(']', sp + 2);
    if (close < 0 || close === sp + 2 || !plainToken(s, sp + 2, close)) return null;
    shrinkEnd = close + 1;
    sp = close + 1;
    if (s.charCodeAt(sp) !== 0x20) return null;
  }
  const pe = ptrEnd(s, sp + 1);
  if (pe < 0 || !s.startsWith(': ', pe)) return null;
  out.shrink = s.slice(0, shrinkEnd);
  out.shr = ptrValue(s, sp + 1, pe);
  const c = new Cursor(s, pe + 2);
  if (c.lit('nid: ')) {
    const nid = c.int();
    if (nid === null || !c.lit(' ')) return null;
    out.nid = nid;
  }
  return c;
}

function shrinkStart(s: string): Fields | null {
  const f: Fields = {};
  const c = shrinkHead(s, f);
  if (!c?.lit('objects to shrink ')) return null;
  const nr = c.int();
  if (nr === null || !c.lit(' gfp_flags ')) return null;
  const g = s.indexOf(' ', c.i);
  if (g <= c.i || !plainToken(s, c.i, g)) return null;
  const gfp = s.slice(c.i, g);
  c.i = g + 1;
  if (c.lit('pgs_scanned ')) {
    const pgs = s.charCodeAt(c.i) === 0x2d ? null : c.int();
    if (pgs === null || !c.lit(' lru_pgs ')) return null;
    const lru = s.charCodeAt(c.i) === 0x2d ? null : c.int();
    if (lru === null || !c.lit(' ')) return null;
    f.pgs_scanned = pgs;
    f.lru_pgs = lru;
  }
  if (!c.lit('cache items ')) return null;
  const items = c.int();
  if (items === null || !c.lit(' delta ')) return null;
  const delta = c.int();
  if (delta === null || !c.lit(' total_scan ')) return null;
  const total = c.int();
  if (total === null) return null;
  f.nr_objects_to_shrink = nr;
  f.gfp_flags = gfp;
  f.cache_items = items;
  f.delta = delta;
  f.total_scan = total;
  if (c.lit(' priority ')) {
    const prio = c.int();
    if (prio === null) return null;
    f.priority = prio;
  }
  return onlySpacesFrom(s, c.i) ? f : null;
}

function shrinkEnd(s: string): Fields | null {
  const f: Fields = {};
  const c = shrinkHead(s, f);
  if (!c?.lit('unused scan count ')) return null;
  const unused = c.int();
  if (unused === null || !c.lit(' new scan count ')) return null;
  const next = c.int();
  if (next === null || !c.lit(' total_scan ')) return null;
  const total = c.int();
  if (total === null || !c.lit(' last shrinker return val ')) return null;
  const ret = c.int();
  if (ret === null || !onlySpacesFrom(s, c.i)) return null;
  f.unused_scan = unused;
  f.new_scan = next;
  f.total_scan = total;
  f.retval = ret;
  return f;
}

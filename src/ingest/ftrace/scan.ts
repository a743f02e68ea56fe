/**
 * Small character-level helpers shared by the ftrace text recognizers. They
 * work on a string and index ranges so the hot path allocates nothing until
 * a field is kept.
 */

export const SPACE = 0x20;
export const TAB = 0x09;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** `[A-Za-z0-9_.]`: event names, trace_printk callers, kernel symbols. */
export function isIdentChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e
  );
}

/** isIdentChar of each byte, as a table (one load in a byte loop). */
export const IDENT: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => (isIdentChar(c) ? 1 : 0));

export function skipBlanks(s: string, i: number, end = s.length): number {
  while (i < end && isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** Parses `[0-9]+` in s[start, end) exactly; -1 when empty or not all digits. */
export function parseUint(s: string, start: number, end: number): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/**
 * Parses an integer as printed by `%d %u %ld %lld %llu` (optional `-`) or a
 * `0x` hex number (`%x` after a literal `0x`); null when it is neither.
 * Values beyond 2^53 keep the nearest double (counts that large only occur in
 * deferred shrinker totals, where a relative error of 1e-16 does not matter).
 */
export function parseIntField(v: string): number | null {
  const n = v.length;
  if (n === 0) return null;
  if (n > 2 && v.charCodeAt(0) === 0x30 && (v.charCodeAt(1) === 0x78 || v.charCodeAt(1) === 0x58)) {
    let r = 0;
    for (let i = 2; i < n; i++) {
      const c = v.charCodeAt(i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return null;
      r = r * 16 + d;
    }
    return r;
  }
  const neg = v.charCodeAt(0) === 0x2d;
  const start = neg ? 1 : 0;
  const r = parseUint(v, start, n);
  if (r < 0 || n - start > 20) return null;
  return neg ? -r : r;
}

/** A pointer as printed (`%p` hashed, raw, or trace-cmd's `0x…`, `(nil)`) → hex without `0x`. */
export function normalizePointer(v: string): string {
  if (v === '(nil)') return '0';
  if (v.length > 2 && v.charCodeAt(0) === 0x30 && v.charCodeAt(1) === 0x78) return v.slice(2);
  return v;
}

/**
 * Returns a copy of `s` that does not reference the (large) string it was
 * sliced from, so kept names do not pin whole input chunks in memory.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** Bounded intern table for repeated short strings (comms, event and lock names). */
export class Interner {
  private readonly map = new Map<string, string>();
  constructor(private readonly limit = 50_000) {}

  get(s: string): string {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    if (this.map.size >= this.limit) this.map.clear();
    const own = detach(s);
    this.map.set(own, own);
    return own;
  }
}

/** s.startsWith(t, pos) as a plain loop (cheaper than the builtin for short t on the hot path). */
export function regionEquals(s: string, pos: number, t: string): boolean {
  const n = t.length;
  if (pos + n > s.length) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(pos + i) !== t.charCodeAt(i)) return false;
  return true;
}

/**
 * A hash of s[start, end) (the same for equal regions of any strings), and the same as
 * hashBytes on the bytes of that text when it is ASCII: it mixes the text's little-endian
 * 32-bit words (⌊n/4⌋ of them, then the word that ends it), so a byte reader takes four
 * bytes per load.
 */
export function hashRegion(s: string, start: number, end: number): number {
  const n = end - start;
  if (n < 4) return mix(n, tailChars(s, start, n));
  let h = n;
  const last = end - 4;
  for (let i = start; i <= last; i += 4) h = mix(h, charWord(s, i));
  return (n & 3) === 0 ? h : mix(h, charWord(s, last));
}

/** hashRegion over the bytes of an ASCII chunk: the same value as on its decoded text. */
export function hashBytes(u: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 4) return mix(n, tailBytes(u, start, n));
  const dv = viewOf(u);
  let h = n;
  const last = end - 4;
  for (let i = start; i <= last; i += 4) h = mix(h, dv.getInt32(i, true));
  return (n & 3) === 0 ? h : mix(h, dv.getInt32(last, true));
}

function mix(h: number, w: number): number {
  const x = Math.imul(h ^ w, 0x5bd1e995);
  return x ^ (x >>> 15);
}

/** The little-endian word of s's four characters at i (each taken as a byte). */
function charWord(s: string, i: number): number {
  return (
    (s.charCodeAt(i) & 0xff) |
    ((s.charCodeAt(i + 1) & 0xff) << 8) |
    ((s.charCodeAt(i + 2) & 0xff) << 16) |
    (s.charCodeAt(i + 3) << 24)
  );
}

/** The n < 4 characters at i packed as charWord packs them. */
function tailChars(s: string, i: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | (s.charCodeAt(i + k) & 0xff);
  return w;
}

function tailBytes(u: Uint8Array, i: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | u[i + k]!;
  return w;
}

let viewed: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** A DataView of u's bytes (the one made last while u is the same chunk: one per chunk read). */
export function viewOf(u: Uint8Array): DataView<ArrayBufferLike> {
  if (u !== viewed) {
    view = new DataView(u.buffer, u.byteOffset, u.byteLength);
    viewed = u;
  }
  return view;
}

/**
 * Byte ranges as little-endian 32-bit words, the form every cache of the text reader keeps its
 * keys in so a compare takes four bytes per load: for n bytes, ⌊n/4⌋ words and, when n is not a
 * multiple of 4, the word that ends them (overlapping the one before); under 4 bytes, one word of
 * them packed. `keyWords(n)` words in all.
 */
export function keyWords(n: number): number {
  return n < 4 ? 1 : (n >> 2) + ((n & 3) !== 0 ? 1 : 0);
}

/** Writes the words of the bytes dv[pos, pos + n) at words[at…] (see keyWords). */
export function putWords(dv: DataView, pos: number, n: number, words: Int32Array, at: number): void {
  if (n < 4) {
    words[at] = tailView(dv, pos, n);
    return;
  }
  const whole = n >> 2;
  for (let i = 0; i < whole; i++) words[at + i] = dv.getInt32(pos + 4 * i, true);
  if ((n & 3) !== 0) words[at + whole] = dv.getInt32(pos + n - 4, true);
}

/** The bytes dv[pos, pos + n) (within dv) have the words at words[at…] (see keyWords). */
export function sameWords(dv: DataView, pos: number, n: number, words: Int32Array, at: number): boolean {
  if (n < 4) return tailView(dv, pos, n) === words[at];
  const whole = n >> 2;
  for (let i = 0; i < whole; i++) if (dv.getInt32(pos + 4 * i, true) !== words[at + i]) return false;
  return (n & 3) === 0 || dv.getInt32(pos + n - 4, true) === words[at + whole];
}

/** The n < 4 bytes at pos packed as a word (as tailChars packs characters). */
function tailView(dv: DataView, pos: number, n: number): number {
  let w = 0;
  for (let k = n - 1; k >= 0; k--) w = (w << 8) | dv.getUint8(pos + k);
  return w;
}

/** An ASCII text as chunk bytes are compared with it: its length, then its words (see keyWords). */
export type AsciiKey = Int32Array;

/** The AsciiKey of s, or null when s is not all ASCII. */
export function asciiKey(s: string): AsciiKey | null {
  const n = s.length;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return null;
  const k = new Int32Array(1 + keyWords(n));
  k[0] = n;
  if (n < 4) k[1] = tailChars(s, 0, n);
  else {
    const whole = n >> 2;
    for (let i = 0; i < whole; i++) k[1 + i] = charWord(s, 4 * i);
    if ((n & 3) !== 0) k[1 + whole] = charWord(s, n - 4);
  }
  return k;
}

/** u[pos, pos + length) is the text of key k. */
export function sameKey(u: Uint8Array, pos: number, k: AsciiKey): boolean {
  const n = k[0]!;
  return pos + n <= u.length && sameWords(viewOf(u), pos, n, k, 1);
}

/**
 * Bounded map from text regions to values, looked up by the region's offsets
 * in a larger string (a decoded chunk), so a hit slices and allocates nothing.
 * Each key is kept as its own string (`detach`), never pinning the chunk.
 */
export class RegionCache<V> {
  /** Chains of entries by hash & mask (an array load, not a Map lookup), doubled as entries come. */
  private table = new Array<RegionEntry<V> | undefined>(64).fill(undefined);
  private mask = 63;
  private size = 0;
  /** The entry found or added last: runs of one region (one lock's events) cost one compare, no hash. */
  private last: RegionEntry<V> | null = null;
  /** The hash of the region the last `lookup` missed (what `add` takes next). */
  missHash = 0;
  constructor(private readonly limit = 16_384) {}

  /**
   * The entry of s[start, end) — `u` being the bytes of s when it is all ASCII, else null —
   * or undefined, then `missHash` is its hash for `add`.
   */
  lookup(s: string, u: Uint8Array | null, start: number, end: number): RegionEntry<V> | undefined {
    const last = this.last;
    const len = end - start;
    if (last !== null) {
      const k = last.ascii;
      if (
        u !== null
          ? k !== null && k[0] === len && sameKey(u, start, k)
          : last.key.length === len && regionEquals(s, start, last.key)
      )
        return last;
    }
    let e: RegionEntry<V> | undefined;
    if (u !== null) {
      this.missHash = hashBytes(u, start, end);
      e = this.findBytes(u, start, end, this.missHash);
    } else {
      this.missHash = hashRegion(s, start, end);
      e = this.find(s, start, end, this.missHash);
    }
    if (e !== undefined) this.last = e;
    return e;
  }

  /** The entry of s[start, end) (hash h = hashRegion(s, start, end)), or undefined. */
  find(s: string, start: number, end: number, h: number): RegionEntry<V> | undefined {
    let e = this.table[h & this.mask];
    const len = end - start;
    while (e !== undefined) {
      if (e.hash === h && e.key.length === len && regionEquals(s, start, e.key)) return e;
      e = e.next;
    }
    return undefined;
  }

  /** find() over the bytes of an ASCII chunk (u[i] is s.charCodeAt(i)); h = hashBytes(u, start, end). */
  findBytes(u: Uint8Array, start: number, end: number, h: number): RegionEntry<V> | undefined {
    let e = this.table[h & this.mask];
    const len = end - start;
    while (e !== undefined) {
      const k = e.ascii;
      if (e.hash === h && k !== null && k[0] === len && sameKey(u, start, k)) return e;
      e = e.next;
    }
    return undefined;
  }

  /** Adds s[start, end) → value (clearing the cache first when it is full); returns the entry. */
  add(s: string, start: number, end: number, h: number, value: V): RegionEntry<V> {
    if (this.size >= this.limit) {
      this.table.fill(undefined);
      this.size = 0;
    } else if (this.size > this.mask >> 1) this.grow();
    const key = detach(s.slice(start, end));
    const slot = h & this.mask;
    const entry: RegionEntry<V> = { key, ascii: asciiKey(key), hash: h, value, next: this.table[slot] };
    this.table[slot] = entry;
    this.size++;
    this.last = entry;
    return entry;
  }

  private grow(): void {
    const old = this.table;
    this.mask = this.mask * 2 + 1;
    this.table = new Array<RegionEntry<V> | undefined>(this.mask + 1).fill(undefined);
    for (let e of old)
      while (e !== undefined) {
        const next = e.next;
        const slot = e.hash & this.mask;
        e.next = this.table[slot];
        this.table[slot] = e;
        e = next;
      }
  }
}

export interface RegionEntry<V> {
  /** The region's text, as an own string. */
  key: string;
  /** Its AsciiKey when it is all ASCII (what findBytes compares), else null. */
  ascii: AsciiKey | null;
  /** hashRegion of the key. */
  hash: number;
  value: V;
  next: RegionEntry<V> | undefined;
}

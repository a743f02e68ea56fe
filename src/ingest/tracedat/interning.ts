import { i32le } from './byte-reader.js';

/**
 * Caches for the values that repeat across millions of records (lock names,
 * lock addresses, flag columns): decoding them once and handing out the same
 * string keeps the per-event cost and the garbage low, and lets consumers'
 * Map lookups reuse the string's cached hash. Sizes are bounded: a cache that
 * grows past its limit is cleared.
 */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const LIMIT = 1 << 16;

/** Hex strings (no `0x`, no leading zeros) of 32/64-bit pointer values. */
export class HexCache {
  private readonly map = new Map<number, { hi: number; text: string }>();

  /** `hi:lo` as tracefs prints a pointer with `%lx`/`%px`. */
  hex(hi: number, lo: number): string {
    const key = lo | 0; // int32 keys stay small integers in the Map
    const hit = this.map.get(key);
    if (hit !== undefined && hit.hi === hi) return hit.text;
    const text = hi === 0 ? trimZeros(hex32(lo)) : trimZeros(hex32(hi)) + hex32(lo);
    if (this.map.size >= LIMIT) this.map.clear();
    this.map.set(key, { hi, text });
    return text;
  }
}

function hex32(v: number): string {
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
}

function trimZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}

interface Interned {
  bytes: RangeCopy;
  text: string;
}

/** Interns short strings read from records (lock names, comms, print buffers). */
export class StringInterner {
  /** By FNV-1a hash of the string's bytes. */
  private readonly map = new Map<number, Interned>();
  /** By length and first/last words of a whole NUL-terminated byte range. */
  private readonly raw = new Map<number, Interned>();

  /**
   * The NUL-terminated string in `buf[start, end)`, keyed by the whole byte
   * range: its length and first and last words pick the entry, one compare
   * loop confirms it (the usual `__data_loc` string repeats byte for byte).
   */
  cstring(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    if (len < 4 || len > 64) return this.scan(buf, start, end);
    const key = rangeKey(buf, start, end);
    const hit = this.raw.get(key);
    if (hit !== undefined && equalsRange(hit.bytes, buf, start, end)) return hit.text;
    const text = this.scan(buf, start, end);
    if (this.raw.size >= LIMIT) this.raw.clear();
    this.raw.set(key, { bytes: copyRange(buf, start, end), text });
    return text;
  }

  /** Finds the NUL and hashes in one pass. */
  private scan(buf: Buffer, start: number, end: number): string {
    let h = 0x811c9dc5;
    let p = start;
    const stop = Math.min(end, start + 65);
    for (; p < stop; p++) {
      const b = buf[p]!;
      if (b === 0) return this.lookup(buf, start, p, h);
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (p === end) return this.lookup(buf, start, p, h);
    while (p < end && buf[p] !== 0) p++;
    return buf.toString('utf8', start, p);
  }

  /** The UTF-8 string of `buf[start, end)`. */
  get(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    if (len > 64) return buf.toString('utf8', start, end);
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p]!, 0x01000193);
    return this.lookup(buf, start, end, h);
  }

  private lookup(buf: Buffer, start: number, end: number, hash: number): string {
    const len = end - start;
    const h = (hash ^ len) | 0;
    const hit = this.map.get(h);
    if (hit !== undefined && equalsRange(hit.bytes, buf, start, end)) return hit.text;
    const text = buf.toString('utf8', start, end);
    if (this.map.size >= LIMIT) this.map.clear();
    this.map.set(h, { bytes: copyRange(buf, start, end), text });
    return text;
  }
}

/**
 * A key for the byte range `buf[start, end)` (at least 4 bytes) from its length and its first
 * and last words: repeated record strings (lock names) pick their cache entry without a pass
 * over every byte; `equalsRange` confirms the hit.
 */
export function rangeKey(buf: Uint8Array, start: number, end: number): number {
  const first = i32le(buf, start);
  return (first ^ Math.imul(i32le(buf, end - 4), 0x01000193) ^ Math.imul(end - start, 0x9e3779b1)) | 0;
}

/** A copy of a byte range, also readable as little-endian words (compared a word at a time). */
export interface RangeCopy {
  readonly bytes: Uint8Array;
  /** The whole words of `bytes` (the platform's order: on a big-endian host no word matches, a miss). */
  readonly words: Int32Array;
}

/** A copy of `buf[start, end)` (its own buffer: it pins no page). */
export function copyRange(buf: Uint8Array, start: number, end: number): RangeCopy {
  const bytes = Uint8Array.prototype.slice.call(buf, start, end);
  return { bytes, words: new Int32Array(bytes.buffer, 0, bytes.length >> 2) };
}

/** `copy` equals `buf[start, end)`: word by word, then the last bytes. */
export function equalsRange(copy: RangeCopy, buf: Uint8Array, start: number, end: number): boolean {
  const { bytes, words } = copy;
  const n = end - start;
  if (bytes.length !== n) return false;
  for (let w = 0, p = start; w < words.length; w++, p += 4) {
    if (words[w] !== i32le(buf, p)) return false;
  }
  for (let i = words.length << 2; i < n; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}

import { hashBytes, keyWords, putWords, sameWords, viewOf } from './scan.js';

/** Arena words before an entry's key words: hash, length, next entry (offset + 1, 0: none), value index. */
const ENTRY_HEAD = 4;

/**
 * A bounded map from byte ranges of ASCII chunks to values, kept for the
 * hottest lookup of the text reader (a line's text after its timestamp): the
 * keys live in one Int32Array arena as little-endian words (the AsciiKey
 * layout) next to their hash, length and chain link, and the buckets are an
 * Int32Array of arena offsets. A lookup follows offsets within two typed
 * arrays instead of pointers through a Map, entry objects and a key array
 * each. Cleared whole when `limit` entries are in.
 */
export class ByteKeyTable<V> {
  private buckets = new Int32Array(1024);
  private mask = 1023;
  private arena = new Int32Array(1 << 14);
  private used = 0;
  private values: V[] = [];
  /** The entry found or added last (offset + 1): runs of one key cost one compare, no hash. */
  private last = 0;
  /** The hash of the range the last `lookup` missed (what `add` takes next). */
  missHash = 0;

  constructor(private readonly limit = 16_384) {}

  /** The value of u[start, end), or undefined (then `missHash` is its hash for `add`). */
  lookup(u: Uint8Array, start: number, end: number): V | undefined {
    const arena = this.arena;
    const n = end - start;
    const dv = viewOf(u);
    const last = this.last;
    if (last !== 0 && arena[last] === n && sameWords(dv, start, n, arena, last - 1 + ENTRY_HEAD))
      return this.values[arena[last + 2]!];
    const h = hashBytes(u, start, end);
    this.missHash = h;
    let e = this.buckets[h & this.mask]!;
    while (e !== 0) {
      const o = e - 1;
      if (arena[o] === h && arena[o + 1] === n && sameWords(dv, start, n, arena, o + ENTRY_HEAD)) {
        this.last = e;
        return this.values[arena[o + 3]!];
      }
      e = arena[o + 2]!;
    }
    return undefined;
  }

  /** Adds u[start, end) → value (h: its hash, as `lookup` left in missHash). */
  add(u: Uint8Array, start: number, end: number, h: number, value: V): void {
    const n = end - start;
    const words = keyWords(n);
    if (this.values.length >= this.limit) this.clear();
    else if (this.values.length > this.mask >> 1) this.grow();
    if (this.used + ENTRY_HEAD + words > this.arena.length) {
      const bigger = new Int32Array(Math.max(this.arena.length * 2, this.used + ENTRY_HEAD + words));
      bigger.set(this.arena);
      this.arena = bigger;
    }
    const arena = this.arena;
    const o = this.used;
    const slot = h & this.mask;
    arena[o] = h;
    arena[o + 1] = n;
    arena[o + 2] = this.buckets[slot]!;
    arena[o + 3] = this.values.length;
    const w = o + ENTRY_HEAD;
    putWords(viewOf(u), start, n, arena, w);
    this.used = w + words;
    this.buckets[slot] = o + 1;
    this.values.push(value);
    this.last = o + 1;
  }

  private clear(): void {
    this.buckets.fill(0);
    this.used = 0;
    this.values = [];
    this.last = 0;
  }

  private grow(): void {
    this.mask = this.mask * 2 + 1;
    const buckets = new Int32Array(this.mask + 1);
    const arena = this.arena;
    for (let o = 0; o < this.used; ) {
      const n = arena[o + 1]!;
      const slot = arena[o]! & this.mask;
      arena[o + 2] = buckets[slot]!;
      buckets[slot] = o + 1;
      o += ENTRY_HEAD + keyWords(n);
    }
    this.buckets = buckets;
  }
}

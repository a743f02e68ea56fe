import { HOST_LE } from './byte-reader.js';
import { rangeKey } from './interning.js';

/** Slots per table (a trace touches a few thousand lock names and addresses at a time). */
export const NAME_SLOTS = 1 << 12;
/** Words of the arena the cached names live in (4 MiB); full, it starts over with every slot empty. */
const ARENA_WORDS = 1 << 20;

/**
 * The string ids of `__data_loc` lock names by their bytes, in two
 * direct-mapped tables: by the slot of the record's lock pointer (a lock keeps
 * its name: no hash to compute) and by a hash of the bytes. A name's bytes are
 * kept once, in a flat word arena as `[byte length, id, words…]` (the last word
 * zero-padded), so a hit is confirmed a word per load against the record's
 * words (the partial last word masked), with no object to follow.
 */
export class NameSlots {
  private readonly arena = new Int32Array(ARENA_WORDS);
  private readonly arenaBytes = new Uint8Array(this.arena.buffer);
  private top = 0;
  /** Arena entry of each pointer slot / bytes slot, or −1. */
  private readonly byPointer = new Int32Array(NAME_SLOTS).fill(-1);
  private readonly byBytes = new Int32Array(NAME_SLOTS).fill(-1);

  /**
   * The cached id of the name bytes `buf[start, end)` (non-empty), or −1: first in the
   * pointer slot `ptrSlot` (−1: none), then in the slot of the bytes' hash (a hit there is
   * remembered in the pointer slot). `words` is `buf` as host-order words, or empty.
   */
  find(ptrSlot: number, buf: Uint8Array, words: Int32Array, start: number, end: number): number {
    if (ptrSlot >= 0) {
      const at = this.byPointer[ptrSlot]!;
      if (at >= 0 && this.holds(at, buf, words, start, end)) return this.arena[at + 1]!;
    }
    const at = this.byBytes[bytesSlot(buf, start, end)]!;
    if (at < 0 || !this.holds(at, buf, words, start, end)) return -1;
    if (ptrSlot >= 0) this.byPointer[ptrSlot] = at;
    return this.arena[at + 1]!;
  }

  /** Caches `id` for the name bytes `buf[start, end)`, in its bytes slot and the pointer slot `ptrSlot`. */
  store(ptrSlot: number, buf: Uint8Array, start: number, end: number, id: number): void {
    const n = end - start;
    const need = 2 + ((n + 3) >> 2);
    if (need > ARENA_WORDS) return; // no name is 4 MiB long: not cached
    if (this.top + need > ARENA_WORDS) {
      this.top = 0;
      this.byPointer.fill(-1);
      this.byBytes.fill(-1);
    }
    const at = this.top;
    this.top += need;
    const arena = this.arena;
    arena[at] = n;
    arena[at + 1] = id;
    arena[at + need - 1] = 0; // the padding of the last word
    this.arenaBytes.set(buf.subarray(start, end), (at + 2) << 2);
    this.byBytes[bytesSlot(buf, start, end)] = at;
    if (ptrSlot >= 0) this.byPointer[ptrSlot] = at;
  }

  /** The arena entry at `at` holds exactly the bytes `buf[start, end)`. */
  private holds(at: number, buf: Uint8Array, words: Int32Array, start: number, end: number): boolean {
    const arena = this.arena;
    const n = end - start;
    if (arena[at] !== n) return false;
    const full = n >> 2;
    const rest = n & 3;
    const first = at + 2;
    const w0 = start >> 2;
    // the record's words, when its name starts on one and its last partial word is in the buffer
    // (that word masked as a little-endian host holds it)
    if (HOST_LE && (start & 3) === 0 && w0 + full + (rest > 0 ? 1 : 0) <= words.length) {
      for (let w = 0; w < full; w++) if (arena[first + w] !== words[w0 + w]) return false;
      return rest === 0 || (words[w0 + full]! & ((1 << (rest << 3)) - 1)) === arena[first + full];
    }
    const bytes = this.arenaBytes;
    const b0 = first << 2;
    for (let i = 0; i < n; i++) if (bytes[b0 + i] !== buf[start + i]) return false;
    return true;
  }
}

function bytesSlot(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  const h = len < 4 ? Math.imul(len, 0x9e3779b1) : rangeKey(buf, start, end);
  return (h ^ (h >>> 15)) & (NAME_SLOTS - 1);
}

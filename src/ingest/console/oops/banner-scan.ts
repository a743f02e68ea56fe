import { instantiateWasm } from '../../../util/wasm.js';
import { BANNER_SCAN_WASM } from './banner-scan.wasm.js';

/**
 * The vector scan behind HeaderCandidates (banner-scan.wat): in a piece of console bytes copied to
 * its memory, the next place that may hold a banner, found 16 bytes a step: a colon whose two bytes
 * before end one of the heads given (`BUG:`), or the first three bytes of one of the words given
 * (`Kernel panic`). It finds every such place and a few more (a word's three bytes past the piece's
 * end, the two bytes of one head before another's colon): the caller tests each place it is given.
 */
export interface BannerScan {
  /** Copies a piece (at most WINDOW bytes) to the scan's memory. */
  load(bytes: Uint8Array): void;
  /** The first place in [from, end) of the piece loaded that may hold a banner, `end` when none. */
  next(from: number, end: number): number;
}

/** The most bytes a piece may have (one window; see banner-scan.wat). */
export const WINDOW = 65536;
/** Where the window starts in the memory, and the two tables (see banner-scan.wat). */
const WINDOW_AT = 16;
const COLON_PAIRS = 0x20000;
const WORD_PAIRS = 0x30000;
/** What the scan looks for at a word's first byte (its `trigger` bytes): the words must start with one. */
const WORD_TRIGGERS = 'gUKB';

/**
 * The scan for the heads (each ending at its colon, two bytes or more before it) and the words (each
 * three bytes or more, starting with a byte of WORD_TRIGGERS) given, or null where WebAssembly (or
 * its SIMD) is not there (`node --jitless`) or a head or word is not one the scan can look for.
 */
export function bannerScan(heads: readonly string[], words: readonly string[]): BannerScan | null {
  if (heads.some((h) => !/^[\x20-\x7e]{2,}:$/.test(h))) return null;
  if (words.some((w) => !/^[\x20-\x7e]{3,}$/.test(w) || !WORD_TRIGGERS.includes(w[0] as string))) return null;
  const exports = instantiateWasm<{ next: BannerScan['next']; memory: { buffer: ArrayBuffer } }>(
    BANNER_SCAN_WASM,
  );
  if (exports === null) return null;
  const memory = new Uint8Array(exports.memory.buffer);
  for (const h of heads) memory[COLON_PAIRS + pair(h, h.length - 3)] = 1;
  for (const w of words) {
    const at = WORD_PAIRS + pair(w, 0);
    const third = w.charCodeAt(2);
    // Two words that start alike take any third byte (1 is a control byte: no word holds it).
    memory[at] = memory[at] === 0 || memory[at] === third ? third : 1;
  }
  return {
    load: (bytes) => memory.set(bytes, WINDOW_AT),
    next: exports.next,
  };
}

/** The two bytes of `s` from `at` as the scan reads them (little-endian). */
function pair(s: string, at: number): number {
  return s.charCodeAt(at) | (s.charCodeAt(at + 1) << 8);
}

import { instantiateWasm } from '../../util/wasm.js';
import { plainStampClose } from './line-normalizer.js';
import { PIECE_SCAN_WASM } from './piece-scan.wasm.js';

/**
 * Scans of an ASCII piece of console bytes copied to WebAssembly memory (piece-scan.wat), 16 bytes
 * a step: where the next place that may hold a banner is (for HeaderCandidates), and how far a run
 * of plainly stamped lines goes (for the lines the console parser passes unread).
 */
export interface PieceScan {
  /** Copies a piece (at most WINDOW bytes) to the scan's memory. */
  load(bytes: Uint8Array): void;
  /**
   * The first place in [from, end) of the piece loaded that may hold a banner, `end` when none: a
   * colon whose two bytes before end one of the heads given (`BUG:`), or the first three bytes of
   * one of the words given (`Kernel panic`). Every such place, and a few more (a word's three
   * bytes past the piece's end, the two bytes of one head before another's colon): the caller
   * tests each place it is given.
   */
  next(from: number, end: number): number;
  /**
   * From `from`, a line's start in the piece loaded: where the first line that plainStampClose
   * does not take (with at most `max` bytes) or that does not end before `stop` starts (`from`
   * when the first is one); `taken` is then how many lines it passed.
   */
  plainRun(from: number, stop: number, end: number, max: number): number;
  readonly taken: number;
}

interface Exports {
  next: PieceScan['next'];
  plainRun: PieceScan['plainRun'];
  taken: { value: number };
  memory: { buffer: ArrayBuffer };
}

/** The most bytes a piece may have (one window; see piece-scan.wat). */
export const WINDOW = 65536;
/** Where the window starts in the memory, and the two tables (see piece-scan.wat). */
const WINDOW_AT = 16;
const COLON_PAIRS = 0x20000;
const WORD_PAIRS = 0x30000;
/** What the scan looks for at a word's first byte (its `trigger` bytes): the words must start with one. */
const WORD_TRIGGERS = 'gUKB';

/**
 * The scans, the banner scan for the heads (each ending at its colon, two bytes or more before it)
 * and the words (each three bytes or more, starting with a byte of WORD_TRIGGERS) given; null
 * where WebAssembly (or its SIMD) is not there (`node --jitless`) or a head or word is not one the
 * scan can look for.
 */
export function pieceScan(heads: readonly string[], words: readonly string[]): PieceScan | null {
  if (heads.some((h) => !/^[\x20-\x7e]{2,}:$/.test(h))) return null;
  if (words.some((w) => !/^[\x20-\x7e]{3,}$/.test(w) || !WORD_TRIGGERS.includes(w[0] as string))) return null;
  const exports = instantiateWasm<Exports>(PIECE_SCAN_WASM);
  if (exports === null) return null;
  const memory = new Uint8Array(exports.memory.buffer);
  for (const h of heads) memory[COLON_PAIRS + pair(h, h.length - 3)] = 1;
  for (const w of words) {
    const at = WORD_PAIRS + pair(w, 0);
    const third = w.charCodeAt(2);
    // Two words that start alike take any third byte (1 is a control byte: no word holds it).
    memory[at] = memory[at] === 0 || memory[at] === third ? third : 1;
  }
  const { next, plainRun, taken } = exports;
  return {
    load: (bytes) => memory.set(bytes, WINDOW_AT),
    next,
    plainRun,
    get taken() {
      return taken.value;
    },
  };
}

/** The two bytes of `s` from `at` as the scan reads them (little-endian). */
function pair(s: string, at: number): number {
  return s.charCodeAt(at) | (s.charCodeAt(at + 1) << 8);
}

/**
 * PieceScan.plainRun in JavaScript, over the piece's text and bytes: where WebAssembly is off, and
 * the reference the tests hold the scan to. `end`: where the run ends; `taken`: its lines.
 */
export function plainRunInJs(
  text: string,
  bytes: Uint8Array,
  from: number,
  stop: number,
  max: number,
): { end: number; taken: number } {
  let end = from;
  let taken = 0;
  for (let i = text.indexOf('\n', end); i !== -1 && i < stop; i = text.indexOf('\n', end)) {
    if (i - end > max || plainStampClose(bytes, end, i) < 0) break;
    taken++;
    end = i + 1;
  }
  return { end, taken };
}

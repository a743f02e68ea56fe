import { instantiateWasm } from '../util/wasm.js';
import { CONTROL_SCAN_WASM } from './control-bytes.wasm.js';

/**
 * Does a byte buffer hold a control character once decoded: a C0 control but TAB and LF, or DEL,
 * where a CR counts unless an LF follows it (what the splitter's CONTROL_RE finds in the text; a
 * control byte is a control character once decoded and the other way round, the bytes of a
 * multi-byte character and those the decoder replaces being all 0x80 or more). Asked of every
 * piece of a console log, which almost never holds one.
 *
 * A vector scan (WebAssembly SIMD, control-bytes.wat: 16 bytes a step) finds the blocks that may
 * hold one, over a copy of the bytes in its memory, a window at a time; the bytes of such a block
 * are then read here. Four times faster than the word loop below, copy included; that loop is
 * used where WebAssembly is not (`node --jitless`).
 */
export function hasControlByte(bytes: Uint8Array): boolean {
  return scanner === null ? hasControlByteInWords(bytes) : hasControlByteInVectors(bytes, scanner);
}

interface VectorScanner {
  scan: (from: number, end: number) => number;
  memory: Uint8Array;
}

/** Bytes copied to the scanner's memory at a time: its one page. */
const WINDOW = 65536;

const scanner = instantiate();

/** Which implementation hasControlByte uses here. */
export const CONTROL_SCAN: 'wasm' | 'js' = scanner === null ? 'js' : 'wasm';

function instantiate(): VectorScanner | null {
  const exports = instantiateWasm<{ scan: VectorScanner['scan']; memory: { buffer: ArrayBuffer } }>(
    CONTROL_SCAN_WASM,
  );
  return exports === null ? null : { scan: exports.scan, memory: new Uint8Array(exports.memory.buffer) };
}

function hasControlByteInVectors(bytes: Uint8Array, s: VectorScanner): boolean {
  for (let base = 0; base < bytes.length; base += WINDOW) {
    const end = Math.min(bytes.length - base, WINDOW);
    s.memory.set(base === 0 && end === bytes.length ? bytes : bytes.subarray(base, base + end));
    for (let block = s.scan(0, end); block < end; block = s.scan(block + 16, end)) {
      // The block is read in `bytes` (what the scan read past the window is no part of it).
      const stop = Math.min(base + block + 16, bytes.length);
      for (let b = base + block; b < stop; b++) if (controlAt(bytes, b)) return true;
    }
  }
  return false;
}

/** Bytes that decode to a control character (a CR is one unless an LF follows it). */
const CONTROL_BYTE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) if (c !== 0x09 && c !== 0x0a && c !== 0x0d) CONTROL_BYTE[c] = 1;
CONTROL_BYTE[0x7f] = 1;

/**
 * hasControlByte four bytes at a time (a word with no byte below 0x20 and none equal to 0x7f needs
 * no closer look): the fallback, and the reference the tests hold the vector scan to.
 */
export function hasControlByteInWords(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  // Up to the first 4-byte boundary of the buffer, one byte at a time.
  while (i < n && (bytes.byteOffset + i) % 4 !== 0) if (controlAt(bytes, i++)) return true;
  const words = (n - i) >> 2;
  const tail = i + 4 * words;
  // (a view must start on a boundary even when empty)
  if (words > 0 && controlInWords(new Uint32Array(bytes.buffer, bytes.byteOffset + i, words), bytes, i))
    return true;
  for (let b = tail; b < n; b++) if (controlAt(bytes, b)) return true;
  return false;
}

/**
 * The word loop of hasControlByteInWords (`words` views `bytes` from `base`), a function of its
 * own: it runs once per piece, so V8 optimizes it on the stack (OSR), and code after such a loop
 * that had not run by then deoptimized at every call, for good (~16 times a MB).
 */
function controlInWords(words: Uint32Array, bytes: Uint8Array, base: number): boolean {
  for (let k = 0; k < words.length; k++) {
    const x = words[k] as number;
    const y = x ^ 0x7f7f7f7f;
    // A byte below 0x20, or one equal to 0x7f (zero in y): the classic has-less-than tests.
    if ((((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) {
      const at = base + 4 * k;
      for (let b = at; b < at + 4; b++) if (controlAt(bytes, b)) return true;
    }
  }
  return false;
}

/** The byte at `i` is a control byte (a CR with no LF after it in `bytes` counts). */
function controlAt(bytes: Uint8Array, i: number): boolean {
  const c = bytes[i] as number;
  return CONTROL_BYTE[c] === 1 || (c === 0x0d && bytes[i + 1] !== 0x0a);
}

import type { EventLine } from './event-line.js';
import { putWords } from './scan.js';

/** Slots of the table (direct-mapped: a miss costs a few loads, then the full read). */
const SLOTS = 256;
/** A prefix is kept when it is 36 to 64 bytes long (it holds the four words the slot is chosen by). */
const MIN_BYTES = 36;
const MAX_WORDS = 16;
/** Per slot: the prefix's length, where the comm starts and ends (from the line start), pid and CPU. */
const META = 5;

/**
 * The `comm-pid [cpu] flags ` prefixes of event lines already read, up to where
 * the timestamp starts. A task's lines repeat their prefix byte for byte
 * (tracefs pads the comm to 16 columns, the pid to 7 and the timestamp's
 * seconds to 5), so a line whose bytes match a kept prefix has that prefix's
 * comm, pid, CPU and flags, and its timestamp starts right after it. The
 * bytes are compared four at a time (as words: see keyWords), which costs a
 * third of reading them one by one.
 *
 * Exact: a prefix is kept only once the byte reader has read it in full, the
 * reader's every decision up to the timestamp depends on the prefix's bytes
 * alone (an attempt to read the flags column as a timestamp fails inside the
 * column), and a match compares every byte of it.
 */
export class LineHeads {
  private readonly words = new Int32Array(SLOTS * MAX_WORDS);
  private readonly meta = new Int32Array(SLOTS * META);
  private readonly flags = new Array<string | null>(SLOTS).fill(null);

  /**
   * When the line dv[start, n) begins with a kept prefix: fills ev's comm, pid, tgid, CPU and
   * flags and returns where its timestamp starts; else −1.
   */
  match(dv: DataView, ev: EventLine, start: number, n: number): number {
    if (n - start <= MIN_BYTES) return -1;
    const slot = slotOf(dv, start);
    const m = slot * META;
    const len = this.meta[m]!;
    if (len === 0 || n - start <= len) return -1;
    // sameWords written out (len ≥ 36): called, it is not inlined into readAsciiHead, and the
    // head read measured ~3% slower per line
    const words = this.words;
    const w = slot * MAX_WORDS;
    const whole = len >> 2;
    for (let k = 0; k < whole; k++) if (dv.getInt32(start + 4 * k, true) !== words[w + k]) return -1;
    if ((len & 3) !== 0 && dv.getInt32(start + len - 4, true) !== words[w + whole]) return -1;
    ev.commStart = start + this.meta[m + 1]!;
    ev.commEnd = start + this.meta[m + 2]!;
    ev.pid = this.meta[m + 3]!;
    ev.tgid = null;
    ev.cpu = this.meta[m + 4]!;
    ev.flags = this.flags[slot]!;
    return start + len;
  }

  /** Keeps the prefix dv[start, ts) of a line just read in full into ev (if its length fits). */
  keep(dv: DataView, ev: EventLine, start: number, ts: number): void {
    const len = ts - start;
    if (len < MIN_BYTES || len > MAX_WORDS * 4) return;
    const slot = slotOf(dv, start);
    putWords(dv, start, len, this.words, slot * MAX_WORDS);
    const m = slot * META;
    this.meta[m] = len;
    this.meta[m + 1] = ev.commStart - start;
    this.meta[m + 2] = ev.commEnd - start;
    this.meta[m + 3] = ev.pid;
    this.meta[m + 4] = ev.cpu;
    this.flags[slot] = ev.flags;
  }
}

/**
 * The slot of a line by its words at 12, 20, 28 and 32: in tracefs the comm, the pid, the CPU
 * with the first flag, and the other flags (a task's lines alternate between `...2.` and `d..2.`).
 */
function slotOf(dv: DataView, start: number): number {
  const h =
    dv.getInt32(start + 12, true) ^
    Math.imul(dv.getInt32(start + 20, true), 0x9e3779b1) ^
    Math.imul(dv.getInt32(start + 28, true), 0x85ebca6b) ^
    Math.imul(dv.getInt32(start + 32, true), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}

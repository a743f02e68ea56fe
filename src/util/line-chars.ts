/**
 * Which characters of a small alphabet a line holds, as the bits of one number: the capitals, and
 * `:`, `?`, `#`, `(`, `[`, `-`. Read once for each line the console normalizer hands over, from its
 * bytes (one pass, a few instructions a byte), it lets the many tests a report line goes through
 * (the report scanner, the title walk, the corruption rules, the lock details) pass over a line
 * that lacks a character their text needs without calling a string or regex builtin, which costs
 * V8 a few hundred instructions even on a short line: a frame line (` lock_acquire+0xa8/0x250`)
 * holds none of these characters.
 *
 * A summary may only say too much: UNREAD (every bit) is the summary of a line not read (one
 * handed over without its bytes), for which every test runs; the summary of a text also answers
 * for any part of it, and the union of two summaries for the two texts joined.
 */
export const UNREAD = -1;

const BITS = new Int32Array(128);
for (let c = 0x41; c <= 0x5a; c++) BITS[c] = 1 << (c - 0x41);
for (const [k, ch] of [':', '?', '#', '(', '[', '-'].entries()) BITS[ch.charCodeAt(0)] = 1 << (26 + k);

/**
 * The summary of `text`: for literals and tests (charCodeAt costs ~50 instructions a character on
 * the sliced strings console lines are; lines are summed up from their bytes).
 */
export function charsOf(text: string): number {
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bits |= BITS[c] as number;
  }
  return bits;
}

/**
 * The summary of the text whose characters are `bytes[from]` to `bytes[to - 1]`, one a byte. (A
 * byte past ASCII, which such bytes do not hold, would read as its low seven bits: too much.)
 */
export function charsOfBytes(bytes: Uint8Array, from: number, to: number): number {
  let bits = 0;
  for (let i = from; i < to; i++) bits |= BITS[(bytes[i] as number) & 0x7f] as number;
  return bits;
}

/**
 * The bits a line must have to hold `literal` (the summary of its characters). A test for a
 * literal substring passes over a line whose summary lacks one: see mayHold.
 */
export const needed = (literal: string): number => charsOf(literal);

/** Whether a line of summary `chars` may hold the characters `need` stands for (all of them). */
export const mayHold = (chars: number, need: number): boolean => (chars & need) === need;

/** Whether a line of summary `chars` may hold one of the characters `any` stands for. */
export const mayHoldOne = (chars: number, any: number): boolean => (chars & any) !== 0;

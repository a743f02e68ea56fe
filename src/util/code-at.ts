/**
 * The character code at `i` of `text`, -1 past either end. V8 compiles a read past the end of a
 * string (`charCodeAt` gives NaN) as a deoptimization: the first empty line that comes by throws
 * the reading function's code away, and it is compiled again (four times for the console
 * normalizer on the dense log). The reads of a line's first or last character go through here.
 */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1;
}

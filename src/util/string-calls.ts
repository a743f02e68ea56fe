/**
 * String methods called through the functions of String.prototype, not looked up on the string.
 *
 * A console line reaches the report readers as a string of one of several kinds (a slice of its
 * piece of input, a short copy, a joined line, an internalized literal, two-byte text): V8 gives
 * each kind a map of its own, so `line.charCodeAt` or `line.startsWith` at a site that sees all
 * of them is a megamorphic property load, a generic lookup at every call even in optimized code
 * (perf: `LoadIC_Megamorphic` was 5% of a run over the dense log). Called through the prototype's
 * function, the call's target is one function, which TurboFan reduces to the string operation
 * after a check that the receiver is a string, whatever its kind.
 */
const proto = String.prototype;
const charCodeAtFn = proto.charCodeAt;
const startsWithFn = proto.startsWith;
const endsWithFn = proto.endsWith;
const includesFn = proto.includes;
const indexOfFn = proto.indexOf;
const trimFn = proto.trim;
const trimStartFn = proto.trimStart;
const trimEndFn = proto.trimEnd;

export const charCodeAt = (s: string, i: number): number => charCodeAtFn.call(s, i);

/**
 * The character code at `i` of `text`, -1 past either end. V8 compiles a read past the end of a
 * string (`charCodeAt` gives NaN) as a deoptimization: the first empty line that comes by throws
 * the reading function's code away, and it is compiled again (four times for the console
 * normalizer on the dense log). The reads of a line's first or last character go through here.
 */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? charCodeAtFn.call(text, i) : -1;
}
export const startsWith = (s: string, prefix: string, from?: number): boolean =>
  startsWithFn.call(s, prefix, from);
export const endsWith = (s: string, suffix: string): boolean => endsWithFn.call(s, suffix);
export const includes = (s: string, part: string): boolean => includesFn.call(s, part);
export const indexOf = (s: string, part: string, from?: number): number => indexOfFn.call(s, part, from);
export const trim = (s: string): string => trimFn.call(s);
export const trimStart = (s: string): string => trimStartFn.call(s);
export const trimEnd = (s: string): string => trimEndFn.call(s);

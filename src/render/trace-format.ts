/** Small formatting helpers shared by the trace renderers (80-column text). */

/** ns → `17.2 ms` / `8.0 us` / `950 ns`; `-` for null. */
export function duration(ns: number | null): string {
  if (ns === null) return '-';
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} us`;
  return `${Math.round(ns)} ns`;
}

/** ns timestamp → seconds with 6 decimals, as ftrace prints it. */
export function timestamp(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

/** Left-aligned, cut with `…` to width. */
export function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function num(n: number, width: number): string {
  return String(n).padStart(width);
}

/**
 * Words joined by `sep`, wrapped at `width` columns, each line starting with `indent`, the first
 * with `first` (a label or a list dash as wide as `indent`).
 */
export function wrap(
  words: readonly string[],
  indent: string,
  width = 80,
  sep = ', ',
  first = indent,
): string[] {
  const lines: string[] = [];
  let start = first;
  let line = first;
  for (const [i, word] of words.entries()) {
    const piece = i < words.length - 1 ? `${word}${sep.trimEnd()}` : word;
    if (line !== start && line.length + 1 + piece.length > width) {
      lines.push(line);
      start = indent;
      line = indent;
    }
    line += line === start ? piece : ` ${piece}`;
  }
  if (line !== start) lines.push(line);
  return lines;
}

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

/** Prose (words between single spaces) wrapped at 80 columns under `indent`, after `first`. */
export function wrapText(text: string, indent: string, first = indent): string[] {
  return wrap(text.split(' '), indent, 80, ' ', first);
}

import type { Diagnostic } from '../../model/diagnostic.js';

/** How a /proc parser names the lines it does not recognize. */
export interface SkippedLinesDiagnostic {
  /** Diagnostic code, e.g. `lockdep-skipped-lines`. */
  code: string;
  /** The file kind named in the message, e.g. `/proc/lockdep`. */
  file: string;
}

/**
 * The line loop every /proc text parser shares: calls `visit` with each line
 * (a trailing CR dropped) and its 1-based number; `visit` returns true when it
 * accounted for the line (recognized it, or passed it over on purpose, e.g. a
 * blank line) and false to have it counted as skipped. At the end one
 * diagnostic gives the number of skipped lines and the first of them.
 */
export function forEachProcLine(
  text: string,
  diagnostics: Diagnostic[],
  skipped: SkippedLinesDiagnostic,
  visit: (line: string, n: number) => boolean,
): void {
  let count = 0;
  let first: number | null = null;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (visit(line, i + 1)) continue;
    count++;
    first ??= i + 1;
  }
  if (count > 0) {
    diagnostics.push({
      code: skipped.code,
      message: `${count} line(s) are not ${skipped.file} output and were skipped`,
      line: first,
    });
  }
}

import { clip, FRAME_LINES, isStackStart, RISCV_START, STACK_STARTS } from './stack.js';
import type { OopsFormat } from './types.js';

// A timestamp merged into the middle of a title: `... in [  123.456789] foo`
export const TITLE_WITH_TIMESTAMP = /\[ *[0-9]+\.[0-9]+\]/;

/**
 * syzkaller's corruption rules for a titled report: a title with a timestamp
 * inside is corrupted; a row that expects a call trace needs a stack-trace
 * header followed (within 15 lines) by at least one frame, for each header. `chars`, when given:
 * the summary of each line (see line-chars.ts).
 */
export function corruptionOf(
  title: string,
  lines: string[],
  format: OopsFormat | null,
  chars?: ArrayLike<number>,
): string | null {
  if (TITLE_WITH_TIMESTAMP.test(title)) return 'title matches corrupted regexp';
  if (format === null || format.noStackTrace) return null;
  let hasStack = false;
  // The lines where some stack starts, found in one pass; each row's first is among them.
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++)
    if (isStackStart(clip(lines[i] as string), chars?.[i])) starts.push(i);
  for (const key of STACK_STARTS) {
    let at = -1;
    for (const i of starts) {
      if (key.test(clip(lines[i] as string))) {
        at = i;
        break;
      }
    }
    if (at < 0) continue;
    // The report text ends with a newline, so it has one (empty) line more than `lines`.
    if (lines.length + 1 - at < 4) return 'call trace is missed';
    let corrupted = true;
    for (let i = at + 1; i < at + 16 && i < lines.length; i++) {
      const ln = clip(lines[i] as string);
      if (isStackStart(ln, chars?.[i])) break;
      if (ln.includes('(stack is not available)') || FRAME_LINES.some((re) => re.test(ln))) {
        hasStack = true;
        corrupted = false;
        break;
      }
    }
    if (key !== RISCV_START && corrupted) return 'no frames in a stack trace';
  }
  return hasStack ? null : 'no stack trace in report';
}

import type { Diagnostic } from '../../model/diagnostic.js';

/**
 * Diagnostics with a bound: the first `perCode` of each code are kept, the
 * rest only counted; `finish()` appends one summary per code that overflowed
 * so a huge damaged trace still says how much was wrong without growing.
 */
export class BoundedDiagnostics {
  readonly list: Diagnostic[] = [];
  readonly counts = new Map<string, number>();
  private finished = false;

  constructor(private readonly perCode = 20) {}

  add(code: string, message: string, line: number | null): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= this.perCode) this.list.push({ code, message, line });
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const [code, n] of this.counts) {
      if (n > this.perCode)
        this.list.push({
          code,
          message: `${n - this.perCode} more ${code} not listed (${n} in all)`,
          line: null,
        });
    }
  }
}

/** A short, single-line excerpt of an input line for a diagnostic message. */
export function excerpt(line: string, max = 80): string {
  const s = line.length > max ? `${line.slice(0, max)}…` : line;
  return JSON.stringify(s);
}

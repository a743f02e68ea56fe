import type { Diagnostic } from '../../model/diagnostic.js';

/**
 * The diagnostics of one part of an input (a byte range read apart), to be
 * merged in input order into the whole input's: those listed, and per code
 * how many there were and the summed `count` of those not listed.
 */
export interface DiagnosticsPart {
  listed: Diagnostic[];
  counts: [code: string, n: number][];
  unlistedCounts: [code: string, count: number][];
}

/**
 * Diagnostics with a bound: the first `perCode` of each code are kept, the
 * rest only counted; `finish()` appends one summary per code that overflowed
 * so a huge damaged trace still says how much was wrong without growing.
 */
export class BoundedDiagnostics {
  readonly list: Diagnostic[] = [];
  readonly counts = new Map<string, number>();
  /** Per code, the sum of the `count`s of the diagnostics not listed (lost events stay summable). */
  private readonly unlistedCounts = new Map<string, number>();
  private finished = false;
  /** Diagnostics listed by `add` (the summaries of `finish` come after them). */
  private listedLength = 0;

  constructor(private readonly perCode = 20) {}

  /** `count`: on a lost-events diagnostic, how many events (see `Diagnostic.count`). */
  add(code: string, message: string, line: number | null, count?: number): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= this.perCode) {
      this.list.push(count === undefined ? { code, message, line } : { code, message, line, count });
      this.listedLength++;
    } else if (count !== undefined)
      this.unlistedCounts.set(code, (this.unlistedCounts.get(code) ?? 0) + count);
  }

  /**
   * `ftrace-lost-events` for a `[LOST N EVENTS]` line (`n` 0 when the line
   * gives no number: counted as 1), with its `count`.
   */
  lostEvents(n: number, cpu: string, line: number): void {
    this.add('ftrace-lost-events', `${n > 0 ? n : 'some'} events lost${cpu}`, line, n > 0 ? n : 1);
  }

  /** What was added so far, without the summaries (see DiagnosticsPart). */
  part(): DiagnosticsPart {
    return {
      listed: this.list.slice(0, this.listedLength),
      counts: [...this.counts],
      unlistedCounts: [...this.unlistedCounts],
    };
  }

  /**
   * Adds the diagnostics of the next part of the input, its lines shifted by
   * `lineOffset`: the same list and counts as if they had been added here.
   */
  absorb(part: DiagnosticsPart, lineOffset: number): void {
    const listed = new Map<string, number>();
    for (const d of part.listed) {
      listed.set(d.code, (listed.get(d.code) ?? 0) + 1);
      this.add(d.code, d.message, d.line === null ? null : d.line + lineOffset, d.count);
    }
    // a part lists its first `perCode` of a code: the rest come after as many here, so none is listed
    for (const [code, n] of part.counts) {
      const rest = n - (listed.get(code) ?? 0);
      if (rest > 0) this.counts.set(code, (this.counts.get(code) ?? 0) + rest);
    }
    for (const [code, count] of part.unlistedCounts)
      this.unlistedCounts.set(code, (this.unlistedCounts.get(code) ?? 0) + count);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const [code, n] of this.counts) {
      if (n <= this.perCode) continue;
      const summary: Diagnostic = {
        code,
        message: `${n - this.perCode} more ${code} not listed (${n} in all)`,
        line: null,
      };
      const count = this.unlistedCounts.get(code);
      if (count !== undefined) summary.count = count;
      this.list.push(summary);
    }
  }
}

/** A short, single-line excerpt of an input line for a diagnostic message. */
export function excerpt(line: string, max = 80): string {
  const s = line.length > max ? `${line.slice(0, max)}…` : line;
  return JSON.stringify(s);
}

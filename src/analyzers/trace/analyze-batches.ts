import type { Diagnostic } from '../../model/diagnostic.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { type LockdepHint, TraceAnalyzer } from './trace-analyzer.js';
import type { AnalyzedTrace } from './trace-diff.js';

/** What `openTrace` returns, as far as the analysis needs it. */
export interface EventBatches {
  batches: AsyncIterable<TraceEvent[]>;
  diagnostics: readonly Diagnostic[];
}

/** Readers' diagnostics that say events were lost (`[LOST N EVENTS]`, overwritten ring buffer, lost pages). */
const LOST_CODES = /^(?:ftrace-lost-events|ftrace-events-overwritten|tracedat-lost-events)$/;

/** Feeds a stream of event batches through one TraceAnalyzer. */
export async function analyzeBatches(
  source: EventBatches,
  options: { lockdep?: readonly LockdepHint[] } = {},
): Promise<AnalyzedTrace> {
  const analyzer = new TraceAnalyzer({ lockdep: options.lockdep });
  for await (const batch of source.batches) analyzer.push(batch);
  analyzer.noteLostEvents(lostEvents(source.diagnostics));
  return { analysis: analyzer.finish(), samples: analyzer.samples() };
}

/** The number in `… 7 events lost …` / `… overwrote 12 of …` / `… (30 counted)`; 1 when none is given. */
function lostEvents(diagnostics: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of diagnostics) {
    if (!LOST_CODES.test(d.code)) continue;
    const m = /\((\d+) counted\)|(\d+) events lost|overwrote (\d+)/.exec(d.message);
    n += m ? Number(m[1] ?? m[2] ?? m[3]) : 1;
  }
  return n;
}

import type { Diagnostic } from '../../model/diagnostic.js';
import type { TraceBatch } from '../../model/event-columns.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { type LockdepHint, TraceAnalyzer } from './trace-analyzer.js';
import type { AnalyzedTrace } from './trace-diff.js';

/** What `openTrace` returns, as far as the analysis needs it. */
export interface EventBatches {
  batches: AsyncIterable<TraceBatch | readonly TraceEvent[]>;
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

/** Events the readers say were lost: each lost-events diagnostic carries its `count` (at least 1). */
function lostEvents(diagnostics: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of diagnostics) if (LOST_CODES.test(d.code)) n += d.count ?? 1;
  return n;
}

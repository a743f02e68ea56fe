import { analyzeBatches } from '../analyzers/trace/analyze-batches.js';
import type { LockdepHint } from '../analyzers/trace/trace-analyzer.js';
import type { AnalyzedTrace } from '../analyzers/trace/trace-diff.js';
import { InputError } from '../ingest/input.js';
import { openTrace } from '../ingest/trace-source.js';
import type { Diagnostic } from '../model/diagnostic.js';

/**
 * Reads one trace (text, .gz, trace.dat or `-`) through the analyzer. Its
 * diagnostics go to `warn`; a trace without a single event is unusable
 * input (exit 2), not an empty analysis.
 */
export async function analyzeTraceFile(
  path: string,
  options: {
    lockdep?: readonly LockdepHint[];
    warn?: (path: string, diagnostics: readonly Diagnostic[]) => void;
  } = {},
): Promise<AnalyzedTrace> {
  const source = await openTrace(path);
  const analyzed = await analyzeBatches(source, { lockdep: options.lockdep });
  options.warn?.(path, source.diagnostics);
  if (analyzed.analysis.events.total === 0)
    throw new InputError(`${path}: no trace events found`, path, source.diagnostics[0]?.line ?? null);
  return analyzed;
}

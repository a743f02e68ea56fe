import { parentPort, workerData } from 'node:worker_threads';
import type { LockdepHint } from '../analyzers/trace/trace-analyzer.js';
import type { AnalyzedTrace } from '../analyzers/trace/trace-diff.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { analyzeHere } from './trace.js';

/** What `analyzeTraceFile` hands the analysis thread. */
export interface AnalysisWorkerData {
  path: string;
  lockdep?: readonly LockdepHint[];
}

/** What the analysis thread posts back: the analysis and the readers' diagnostics, or a failure. */
export type AnalysisWorkerResult =
  | { kind: 'done'; analyzed: AnalyzedTrace; diagnostics: Diagnostic[] }
  | { kind: 'error'; message: string; stack?: string };

// A trace.dat of 1 MiB or more, read and analyzed on a thread of its own (see services/trace.ts).
const data = workerData as AnalysisWorkerData;
try {
  const { analyzed, diagnostics } = await analyzeHere(data.path, data.lockdep);
  const result: AnalysisWorkerResult = { kind: 'done', analyzed, diagnostics: [...diagnostics] };
  parentPort!.postMessage(result);
} catch (error) {
  const e = error as Error;
  parentPort!.postMessage({
    kind: 'error',
    message: e.message,
    stack: e.stack,
  } satisfies AnalysisWorkerResult);
}

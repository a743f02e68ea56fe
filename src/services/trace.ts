import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeBatches } from '../analyzers/trace/analyze-batches.js';
import { FIELDS_READ, type LockdepHint } from '../analyzers/trace/trace-analyzer.js';
import type { AnalyzedTrace } from '../analyzers/trace/trace-diff.js';
import { InputError, readInput } from '../ingest/input.js';
import { type LockStatClass, parseLockStat } from '../ingest/proc/lock-stat.js';
import { parseProcLockdep } from '../ingest/proc/lockdep.js';
import { isTraceDatFile, openTrace } from '../ingest/trace-source.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { AnalysisWorkerData, AnalysisWorkerResult } from './trace-analysis-worker.js';

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
  const { analyzed, diagnostics } = (await onAnalysisThread(path))
    ? await analyzeOnThread({ path, lockdep: options.lockdep })
    : await analyzeHere(path, options.lockdep);
  options.warn?.(path, diagnostics);
  if (analyzed.analysis.events.total === 0)
    throw new InputError(`${path}: no trace events found`, path, diagnostics[0]?.line ?? null);
  return analyzed;
}

/** The analysis on this thread, with the readers' diagnostics (what the analysis thread runs too). */
export async function analyzeHere(
  path: string,
  lockdep: readonly LockdepHint[] | undefined,
): Promise<{ analyzed: AnalyzedTrace; diagnostics: readonly Diagnostic[] }> {
  const source = await openTrace(path, undefined, { columns: true, fieldsRead: FIELDS_READ });
  const analyzed = await analyzeBatches(source, { lockdep });
  analyzed.analysis.source =
    source.kind === 'dat' ? { kind: 'trace.dat', line: 'record' } : { kind: 'text', line: 'input line' };
  return { analyzed, diagnostics: source.diagnostics };
}

/** The compiled analysis thread (absent when running the TypeScript sources, e.g. under vitest). */
const ANALYSIS_WORKER = new URL('./trace-analysis-worker.js', import.meta.url);
const ANALYSIS_THREAD_MIN_BYTES = 1 << 20;
/**
 * The analysis thread's young generation: its garbage lives for one event, and the main
 * thread's default (up to 16 MB semi-spaces) holds ~25-30 MB more for nothing.
 */
const ANALYSIS_LIMITS = { maxYoungGenerationSizeMb: 4 };

/**
 * A trace.dat of 1 MiB or more is read and analyzed on a thread of its own, whose memory limits
 * can be set (the main thread's are fixed at start); its reader threads are spawned from there.
 * Not a text trace: there the small young generation costs the parser (its line strings) ~15%
 * of speed, and a larger one saves no memory. `LOCKSCOPE_TRACEDAT_WORKER=0` keeps everything on
 * this thread.
 */
async function onAnalysisThread(path: string): Promise<boolean> {
  if (path === '-' || process.env.LOCKSCOPE_TRACEDAT_WORKER === '0') return false;
  if (!existsSync(fileURLToPath(ANALYSIS_WORKER))) return false;
  const size = await stat(path).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
  return size >= ANALYSIS_THREAD_MIN_BYTES && (await isTraceDatFile(path));
}

function analyzeOnThread(
  data: AnalysisWorkerData,
): Promise<{ analyzed: AnalyzedTrace; diagnostics: readonly Diagnostic[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ANALYSIS_WORKER, { workerData: data, resourceLimits: ANALYSIS_LIMITS });
    let settled = false;
    worker.once('message', (m: AnalysisWorkerResult) => {
      settled = true;
      if (m.kind === 'done') resolve(m);
      else reject(Object.assign(new Error(m.message), { stack: m.stack }));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the trace analysis thread stopped (exit code ${code})`));
    });
  });
}

/** The classes of a /proc/lockdep dump, for lock types (exit 2 when it holds none). */
export async function readLockdepHints(path: string): Promise<LockdepHint[]> {
  const { classes } = parseProcLockdep((await readInput(path)).toString('utf8'));
  if (classes.length === 0)
    throw new InputError(`${path}: no lock classes found (is it /proc/lockdep?)`, path);
  return classes;
}

/** The classes of a /proc/lock_stat dump, most total wait first (exit 2 when it holds none). */
export async function readLockStat(
  path: string,
  warn?: (path: string, diagnostics: readonly Diagnostic[]) => void,
): Promise<LockStatClass[]> {
  const { classes, diagnostics } = parseLockStat((await readInput(path)).toString('utf8'));
  warn?.(path, diagnostics);
  if (classes.length === 0)
    throw new InputError(`${path}: no lock classes found (is it /proc/lock_stat?)`, path);
  return [...classes].sort((a, b) => b.waittime.total - a.waittime.total);
}

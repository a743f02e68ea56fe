import { analyzeBatches } from '../analyzers/trace/analyze-batches.js';
import type { LockdepHint } from '../analyzers/trace/trace-analyzer.js';
import type { AnalyzedTrace } from '../analyzers/trace/trace-diff.js';
import { InputError, readInput } from '../ingest/input.js';
import { type LockStatClass, parseLockStat } from '../ingest/proc/lock-stat.js';
import { parseProcLockdep } from '../ingest/proc/lockdep.js';
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
  const source = await openTrace(path, undefined, { columns: true });
  const analyzed = await analyzeBatches(source, { lockdep: options.lockdep });
  options.warn?.(path, source.diagnostics);
  if (analyzed.analysis.events.total === 0)
    throw new InputError(`${path}: no trace events found`, path, source.diagnostics[0]?.line ?? null);
  return analyzed;
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

import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { classifyRun, type RunOutcome, type SplatMatcher } from '../analyzers/bisect/verdict.js';
import { ConsoleLogParser, parseConsoleLog } from '../ingest/console/index.js';
import type { Report } from '../model/report.js';

export interface BisectRunOptions {
  /** The command and its arguments, run without a shell. */
  command: string[];
  runs: number;
  /** File CMD writes its console log to; CMD's stdout is the log when absent. */
  log?: string;
  /** Seconds before a run is killed. */
  timeout?: number;
}

/** Runs CMD `runs` times and classifies each console log as hit, clean or broken for `matcher`. */
export async function runAndClassify(
  options: BisectRunOptions,
  matcher: SplatMatcher,
): Promise<RunOutcome[]> {
  const { command, log, timeout } = options;
  const outcomes: RunOutcome[] = [];
  for (let k = 0; k < options.runs; k++) {
    const before = log ? await stamp(log) : null;
    const run = await runOnce(command, log === undefined, timeout);
    if (run.error) outcomes.push(run.error);
    else if (log && (await stamp(log)) !== before) {
      const parsed = await parseConsoleLog(log);
      outcomes.push(judge(parsed.reports, parsed.usable, run, command, matcher));
    } else if (log) outcomes.push({ class: 'broken', reason: 'no console output' });
    else outcomes.push(judge(run.reports, run.usable, run, command, matcher));
  }
  return outcomes;
}

/**
 * A splat in the log is a hit whatever CMD's exit status (a test that saw a splat
 * may well fail). Otherwise a run is clean only when CMD exited 0 within its time
 * and printed kernel output: a failed build, a kernel that did not boot or a log
 * of something else is broken (skip), never good.
 */
function judge(
  reports: Report[],
  usable: boolean,
  run: Run,
  command: string[],
  matcher: SplatMatcher,
): RunOutcome {
  const outcome = classifyRun(reports, true, matcher);
  if (outcome.class === 'hit') return outcome;
  if (run.timedOut !== null) return { class: 'broken', reason: run.timedOut };
  if (!usable)
    return { class: 'broken', reason: run.bytes === 0 ? 'no console output' : 'no kernel console output' };
  if (outcome.class === 'broken') return outcome;
  if (run.code !== 0) return { class: 'broken', reason: `${command[0]} exited ${run.code ?? run.signal}` };
  return outcome;
}

/** mtime+size of the log file, or null when absent: a log CMD did not rewrite is no log. */
async function stamp(path: string): Promise<string | null> {
  return stat(path).then(
    (s) => `${s.mtimeMs}:${s.size}`,
    () => null,
  );
}

interface Run {
  reports: Report[];
  bytes: number;
  /** CMD's stdout was a console log (ConsoleLogParser.usable). */
  usable: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the run was killed (`timed out after N s`), or null. */
  timedOut: string | null;
  error: RunOutcome | null;
}

/** Runs CMD once; its stdout is parsed as a console log as it streams (or passed to stderr with --log). */
function runOnce(command: string[], parseStdout: boolean, timeout: number | undefined): Promise<Run> {
  return new Promise((resolve) => {
    const parser = new ConsoleLogParser({ path: command.join(' ') });
    const reports: Report[] = [];
    let bytes = 0;
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', parseStdout ? 'pipe' : 2, 'inherit'],
    });
    const timer = timeout ? setTimeout(() => child.kill('SIGKILL'), timeout * 1000) : null;
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      reports.push(...parser.push(chunk));
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      const error = { class: 'broken' as const, reason: `cannot run ${command[0]}: ${e.message}` };
      resolve({ reports, bytes, usable: false, code: null, signal: null, timedOut: null, error });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      reports.push(...parser.end());
      const timedOut = signal === 'SIGKILL' && timer !== null ? `timed out after ${timeout} s` : null;
      resolve({ reports, bytes, usable: parser.usable, code, signal, timedOut, error: null });
    });
  });
}

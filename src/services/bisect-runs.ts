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

/** CMD cannot be started at all (not found, not executable): a usage error, not a broken run. */
export class CommandNotRunnable extends Error {}

// spawn() errors that no later run would escape (anything else, e.g. EAGAIN, is one broken run).
const NOT_RUNNABLE = new Set(['ENOENT', 'EACCES', 'ENOTDIR', 'EISDIR', 'ENOEXEC', 'ERR_INVALID_ARG_VALUE']);

// Signals that end lockscope while a run is going on: passed to the run's whole process group first.
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How long a run has to end after a forwarded signal before its group is killed and lockscope ends. */
const SIGNAL_GRACE_MS = 5000;

/**
 * Runs CMD once; its stdout is parsed as a console log as it streams (or passed to stderr with --log).
 *
 * CMD leads its own process group (and session: it has no controlling terminal, as under a
 * non-interactive `git bisect run`), so that nothing of one run lives on into the next: --timeout
 * kills everything it started (a boot script's QEMU, the `sleep` of a shell), and so does CMD's
 * exit (what it left running in the background). A SIGINT, SIGTERM or SIGHUP sent to lockscope
 * goes to the group too; lockscope then ends as it would have when the run has ended, or at once
 * (the group killed) on a second signal or after SIGNAL_GRACE_MS.
 */
function runOnce(command: string[], parseStdout: boolean, timeout: number | undefined): Promise<Run> {
  return new Promise((resolve, reject) => {
    const parser = new ConsoleLogParser({ path: command.join(' ') });
    const reports: Report[] = [];
    let bytes = 0;
    const notRunnable = (e: NodeJS.ErrnoException) =>
      new CommandNotRunnable(`cannot run ${command[0] || "''"}: ${e.message}`);
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command[0]!, command.slice(1), {
        stdio: ['ignore', parseStdout ? 'pipe' : 2, 'inherit'],
        detached: true,
      });
    } catch (e) {
      // (some errors are thrown at once: ENOTDIR, an empty command name)
      const error = e as NodeJS.ErrnoException;
      if (NOT_RUNNABLE.has(error.code ?? '')) reject(notRunnable(error));
      else reject(error);
      return;
    }
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // (the group is gone already)
      }
    };
    let timedOut = false;
    const timer = timeout
      ? setTimeout(() => {
          timedOut = true;
          killGroup('SIGKILL');
        }, timeout * 1000)
      : null;
    let received: NodeJS.Signals | null = null;
    let grace: NodeJS.Timeout | null = null;
    /** The group killed, and lockscope ended by the signal it was sent. */
    const endNow = (signal: NodeJS.Signals) => {
      killGroup('SIGKILL');
      for (const s of FORWARDED) process.off(s, forward);
      process.kill(process.pid, signal);
    };
    const forward = (signal: NodeJS.Signals) => {
      if (received !== null) {
        endNow(signal);
        return;
      }
      received = signal;
      killGroup(signal);
      grace = setTimeout(() => endNow(signal), SIGNAL_GRACE_MS);
    };
    for (const s of FORWARDED) process.on(s, forward);
    let settled = false;
    /** Once: timers and handlers gone; false when it was done already. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      for (const s of FORWARDED) process.off(s, forward);
      // The default action of the signal lockscope was sent, now that the run is gone.
      if (received !== null) process.kill(process.pid, received);
      return true;
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      reports.push(...parser.push(chunk));
    });
    // What CMD left running when it exited belongs to this run: it goes with it.
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (!settle()) return;
      if (NOT_RUNNABLE.has(e.code ?? '')) {
        reject(notRunnable(e));
        return;
      }
      const error = { class: 'broken' as const, reason: `cannot run ${command[0]}: ${e.message}` };
      resolve({ reports, bytes, usable: false, code: null, signal: null, timedOut: null, error });
    });
    child.on('close', (code, signal) => {
      if (!settle()) return;
      reports.push(...parser.end());
      const why = timedOut ? `timed out after ${timeout} s` : null;
      resolve({ reports, bytes, usable: parser.usable, code, signal, timedOut: why, error: null });
    });
  });
}

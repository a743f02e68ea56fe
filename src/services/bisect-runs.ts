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
    if (log && (await stamp(log)) !== before) {
      const parsed = await parseConsoleLog(log);
      outcomes.push(
        classifyRun(parsed.reports, parsed.reports.length > 0 || (await stat(log)).size > 0, matcher),
      );
    } else outcomes.push(run.error ?? classifyRun(run.reports, run.bytes > 0, matcher));
  }
  return outcomes;
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
      resolve({
        reports,
        bytes,
        error: { class: 'broken', reason: `cannot run ${command[0]}: ${e.message}` },
      });
    });
    child.on('close', (_code, signal) => {
      if (timer) clearTimeout(timer);
      reports.push(...parser.end());
      const timedOut = signal === 'SIGKILL' && timer !== null;
      const error =
        timedOut && bytes === 0 ? { class: 'broken' as const, reason: `timed out after ${timeout} s` } : null;
      resolve({ reports, bytes, error });
    });
  });
}

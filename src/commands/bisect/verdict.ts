import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import {
  classifyRun,
  decideVerdict,
  type RunOutcome,
  type SplatMatcher,
} from '../../analyzers/bisect/verdict.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { ConsoleLogParser, parseConsoleLog } from '../../ingest/console/index.js';
import type { Report } from '../../model/report.js';
import { renderVerdict, verdictJson } from '../../render/bisect.js';

export default class BisectVerdict extends LockscopeCommand {
  static override description =
    'Run CMD (no shell) N times; each run prints a console log on stdout or writes one to --log. A run is a ' +
    'hit (the splat is there), clean, or broken (no log, or another crash came first). Exit 1 (bad) when ' +
    'hits ≥ max(1, ⌈N/6⌉), 0 (good) with no hits and ≥ ⌈N/2⌉ clean runs, 125 (skip) otherwise: ' +
    'use it as `git bisect run lockscope bisect verdict ... -- CMD`.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> bisect verdict --title "possible deadlock in lab_scan" -- cat fixtures/console/lab-6.1/shrinker/dmesg.txt',
    'git bisect run <%= config.bin %> bisect verdict --signature SIG --runs 6 --log /tmp/console.log -- ./boot-and-test.sh',
  ];
  static override flags = {
    log: Flags.string({ description: 'file CMD writes its console log to (default: CMD stdout)' }),
    'repro-chance': Flags.string({
      default: '0.5',
      description: 'how often the splat shows on a bad kernel (0-1], for the confidence',
    }),
    runs: Flags.integer({ default: 1, description: 'how many times to run CMD', min: 1 }),
    signature: Flags.string({
      description: 'the splat signature to look for (from triage --json)',
      exclusive: ['title'],
    }),
    timeout: Flags.integer({ description: 'seconds before a run is killed' }),
    title: Flags.string({ description: 'the splat title to look for, e.g. "possible deadlock in lab_scan"' }),
  };
  static override strict = false;
  static override usage = 'bisect verdict [--signature S | --title T] [--runs N] [--log FILE] -- CMD...';
  static override summary = 'A splat-aware predicate for git bisect run: 1 bad, 0 good, 125 skip';

  async run(): Promise<ReturnType<typeof verdictJson>> {
    const { argv, flags } = await this.parse(BisectVerdict);
    // Everything after `--`, verbatim (oclif's argv reorders args that equal a flag value).
    const dashes = this.argv.indexOf('--');
    const command = dashes >= 0 ? this.argv.slice(dashes + 1) : (argv as string[]);
    const reproChance = Number(flags['repro-chance']);
    if (command.length === 0) this.error('give the command to run after --', { exit: 2 });
    if (!(reproChance > 0 && reproChance <= 1)) this.error('--repro-chance must be in (0, 1]', { exit: 2 });
    const matcher: SplatMatcher = { signature: flags.signature, title: flags.title };
    const outcomes: RunOutcome[] = [];
    for (let k = 0; k < flags.runs; k++) {
      const before = flags.log ? await stamp(flags.log) : null;
      const run = await runOnce(command, flags.log === undefined, flags.timeout);
      if (flags.log && (await stamp(flags.log)) !== before) {
        const parsed = await parseConsoleLog(flags.log);
        outcomes.push(
          classifyRun(parsed.reports, parsed.reports.length > 0 || (await stat(flags.log)).size > 0, matcher),
        );
      } else outcomes.push(run.error ?? classifyRun(run.reports, run.bytes > 0, matcher));
    }
    const verdict = decideVerdict(
      outcomes.map((o) => o.class),
      reproChance,
    );
    if (!this.jsonEnabled()) this.out(renderVerdict(matcher, outcomes, verdict));
    process.exitCode = verdict.exitCode;
    return verdictJson(matcher, outcomes, verdict);
  }
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

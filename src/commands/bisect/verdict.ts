import { decideVerdict, type SplatMatcher } from '../../analyzers/bisect/verdict.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Flags } from '../../cli/oclif.js';
import { renderVerdict, verdictJson } from '../../render/bisect.js';
import { CommandNotRunnable, runAndClassify } from '../../services/bisect-runs.js';

/** Any exit code above 127 makes `git bisect run` abort. */
const USAGE_EXIT = 128;

export default class BisectVerdict extends LockscopeCommand {
  static override description =
    'Run CMD (no shell) N times; each run prints a console log on stdout or writes one to --log. A run is a ' +
    'hit (the splat is there), clean, or broken (no log, or another crash came first). Exit 1 (bad) when ' +
    'hits ≥ max(1, ⌈N/6⌉), 0 (good) with no hits and ≥ ⌈N/2⌉ clean runs, 125 (skip) otherwise: ' +
    'use it as `git bisect run lockscope bisect verdict ... -- CMD`. A usage error exits 128, which makes ' +
    '`git bisect run` stop instead of taking every commit for bad (so does a CMD that cannot be started). CMD ' +
    'runs in a process group of its own, without a terminal.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> bisect verdict --title "possible deadlock in lab_scan" \\\n    -- cat fixtures/console/lab-6.1/shrinker/dmesg.txt',
    'git bisect run <%= config.bin %> bisect verdict --signature SIG --runs 6 \\\n    --log /tmp/console.log -- ./boot-and-test.sh',
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
    timeout: Flags.integer({ description: 'seconds before a run, and everything it started, is killed' }),
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
    if (command.length === 0) this.error('give the command to run after --', { exit: USAGE_EXIT });
    if (!(reproChance > 0 && reproChance <= 1))
      this.error('--repro-chance must be in (0, 1]', { exit: USAGE_EXIT });
    const matcher: SplatMatcher = { signature: flags.signature, title: flags.title };
    const outcomes = await runAndClassify(
      { command, runs: flags.runs, log: flags.log, timeout: flags.timeout },
      matcher,
    ).catch((error: unknown) => {
      // A command that cannot start fails at every commit: stop the bisection, do not skip them all.
      if (error instanceof CommandNotRunnable) this.error(error.message, { exit: USAGE_EXIT });
      throw error;
    });
    const verdict = decideVerdict(
      outcomes.map((o) => o.class),
      reproChance,
    );
    if (!this.jsonEnabled()) this.out(renderVerdict(matcher, outcomes, verdict));
    process.exitCode = verdict.exitCode;
    return verdictJson(matcher, outcomes, verdict);
  }

  /** Under `git bisect run`, exit 2 would mark the commit bad: usage errors exit 128 (git then stops). */
  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error.oclif?.exit === 2) error.oclif.exit = USAGE_EXIT;
    return super.catch(error);
  }
}

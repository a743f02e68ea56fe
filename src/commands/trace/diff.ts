import { diffTraces, type TraceDiff } from '../../analyzers/trace/trace-diff.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { renderTraceDiff } from '../../render/trace-text.js';
import { analyzeTraceFile } from '../../services/trace.js';

export default class TraceDiffCommand extends LockscopeCommand {
  static override args = {
    base: Args.string({
      ignoreStdin: true,
      description: 'trace of the baseline (ftrace text, gzip ok, or trace.dat)',
      required: true,
    }),
    head: Args.string({ ignoreStdin: true, description: 'trace of the version under test', required: true }),
  };
  static override description =
    'Analyzes both traces and lists what is new, gone or significantly worse in HEAD: findings (new lock ' +
    'classes inside a shrinker, new reclaim risks, lock-order cycles), new lock-order edges, and latency or ' +
    'contention regressions: latency by a one-sided Mann-Whitney U test (alpha 0.01, at least 20 samples a ' +
    'side, the medians 1.25x and 10 us apart), the share of contended acquisitions of a lock class by a ' +
    'one-sided two-proportion z-test (alpha 0.01, at least 20 contended, the shares 1.25x apart). The latency test and the medians it prints use a seeded uniform sample of at most 1000 values ' +
    'a side of each measure (lock wait and hold times by class, shrinker calls, direct reclaim episodes), ' +
    'not every value: a printed median says so when values were left out, and --json gives both the ' +
    'sample sizes (nBase, nHead) and the counts sampled (baseTotal, headTotal). ' +
    'Exits 1 when something regressed, 0 otherwise, 2 on unusable input.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trace diff fixtures/trace-min/shrinker-trylock.trace.txt \\\n    fixtures/trace-min/shrinker-splat.trace.txt',
    '<%= config.bin %> trace diff --json fixtures/trace-min/shrinker-trylock.trace.txt \\\n    fixtures/trace-min/shrinker-splat.trace.txt',
  ];
  static override flags = {
    alpha: Flags.string({
      description: 'significance level of the latency and contention tests',
      default: '0.01',
    }),
  };
  static override summary = 'What is new, gone or significantly worse in a HEAD trace against a BASE trace';

  async run(): Promise<TraceDiff> {
    const { args, flags } = await this.parse(TraceDiffCommand);
    const alpha = Number(flags.alpha);
    if (!(alpha > 0 && alpha < 1))
      this.error(`--alpha must be a number in (0, 1), not ${flags.alpha}`, { exit: 2 });
    if (args.base === '-' && args.head === '-')
      this.error('only one of BASE and HEAD can be - (stdin)', { exit: 2 });
    const base = await analyzeTraceFile(args.base, { warn: this.diagnosticsSink });
    const head = await analyzeTraceFile(args.head, { warn: this.diagnosticsSink });
    const diff = diffTraces(base, head, { alpha });
    if (!this.jsonEnabled()) this.out(renderTraceDiff(diff, args.base, args.head));
    if (diff.regressions.length > 0) process.exitCode = 1;
    return diff;
  }
}

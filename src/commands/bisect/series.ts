import { bisectSeries, bundleMismatches, pickSplat } from '../../analyzers/bisect/series.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { InputError } from '../../ingest/input.js';
import { readBundles } from '../../ingest/run-bundles.js';
import { readSeries } from '../../ingest/series/index.js';
import { renderSeriesBisect, seriesBisectJson } from '../../render/bisect.js';

export default class BisectSeries extends LockscopeCommand {
  static override args = {
    results: Args.string({
      ignoreStdin: true,
      description: 'directory with one bundle per patch: NN/dmesg.txt (00 = base)',
      required: true,
    }),
  };
  static override description =
    'Offline bisection of a series from per-patch result bundles (NN/dmesg.txt, or NN/<run>/dmesg.txt for ' +
    'several runs): the first patch after which the splat appears, and how far to trust it. Without ' +
    '--signature/--title, the lock splat seen in the most bundles is the one bisected.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> bisect series fixtures/runs/v5-bisect --series fixtures/series/v5',
  ];
  static override flags = {
    series: Flags.string({
      description: 'the series: git range base..tip, mbox, or directory of .patch files',
      required: true,
    }),
    signature: Flags.string({ description: 'the splat signature to look for', exclusive: ['title'] }),
    title: Flags.string({ description: 'the splat title to look for' }),
  };
  static override summary = 'Find the first patch of a series whose runs show the splat';

  async run(): Promise<ReturnType<typeof seriesBisectJson>> {
    const { args, flags } = await this.parse(BisectSeries);
    const [logs, series] = await Promise.all([readBundles(args.results), readSeries(flags.series)]);
    this.warnDiagnostics(flags.series, series.diagnostics);
    const mismatches = bundleMismatches(logs, series);
    if (mismatches.length > 0) {
      const more = mismatches.length > 1 ? `; ${mismatches.length - 1} more runs disagree` : '';
      throw new InputError(`${mismatches[0]} (--series ${flags.series}${more})`, args.results);
    }
    const given = flags.signature !== undefined || flags.title !== undefined;
    const matcher = given ? { signature: flags.signature, title: flags.title } : pickSplat(logs);
    const indices = [...new Set([...logs.map((l) => l.index), ...series.patches.map((p) => p.index)])].sort(
      (a, b) => a - b,
    );
    const result = bisectSeries(logs, matcher, indices);
    if (!this.jsonEnabled()) this.out(renderSeriesBisect(series, result));
    return seriesBisectJson(series, result);
  }
}

import { blameSeries } from '../analyzers/blame.js';
import { LockscopeCommand } from '../cli/base-command.js';
import { Args, Flags } from '../cli/oclif.js';
import { readSeries } from '../ingest/series/index.js';
import { blameJson, renderBlame } from '../render/blame.js';
import { readConsoleLog } from '../services/triage.js';

export default class Blame extends LockscopeCommand {
  static override args = {
    log: Args.string({
      ignoreStdin: true,
      description: 'console log with the splat(s) (.gz or - for stdin)',
      required: true,
    }),
  };
  static override description =
    "Rank the patches of a series by the evidence a log's splats give against them: functions of the " +
    'chain stacks and acquisition sites that a patch adds or changes (frames near the top weigh more) ' +
    'and lock classes of the cycle that a patch starts taking.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> blame fixtures/runs/v5/dmesg.txt --series fixtures/series/v5',
    '<%= config.bin %> blame --json fixtures/runs/v5/dmesg.txt \\\n    --series fixtures/series/v5',
  ];
  static override flags = {
    series: Flags.string({
      description: 'the series: git range base..tip, mbox, or directory of .patch files',
      required: true,
    }),
    top: Flags.integer({ default: 5, description: 'how many candidates to print', min: 1 }),
  };
  static override summary = 'Which patch of a series caused the splats in a console log';

  async run(): Promise<ReturnType<typeof blameJson>> {
    const { args, flags } = await this.parse(Blame);
    const [log, series] = await Promise.all([readConsoleLog(args.log), readSeries(flags.series)]);
    this.warnDiagnostics(flags.series, series.diagnostics);
    const candidates = blameSeries(series, log.reports);
    if (!this.jsonEnabled()) this.out(renderBlame(args.log, log.reports, series, candidates, flags.top));
    return blameJson(candidates);
  }
}

import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { readSeries } from '../../ingest/series/index.js';
import { renderSeriesShow, type SeriesShowJson, seriesShowJson } from '../../render/series-show.js';

export default class SeriesShow extends LockscopeCommand {
  static override args = {
    source: Args.string({
      ignoreStdin: true,
      description:
        'an mbox (git format-patch / b4 output, or a lone cover letter; - for stdin), a directory of .patch files, a git range base..tip, or a b4 branch/tag',
      required: true,
    }),
  };
  static override description =
    'Read a patch series from git, an mbox or a directory of .patch files and list its patches with what ' +
    'each does to locking (lock/unlock calls by primitive, assertions, allocations with their GFP flags, shrinker callbacks).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> series show fixtures/series-min/v1',
    '<%= config.bin %> series show --json fixtures/series-min/toy-v2.mbox',
    '<%= config.bin %> series show fixtures/series/v5',
    'cat fixtures/series/v6/*.patch | <%= config.bin %> series show -',
    '<%= config.bin %> series show --base master b4/shmem-shrinker-v6',
  ];
  static override flags = {
    base: Flags.string({ description: 'base revision when SOURCE is a branch or tag (reads base..SOURCE)' }),
    tree: Flags.string({
      description: 'kernel tree an mbox applies to: lock ops are then read against whole files',
    }),
  };
  static override summary = 'Show a patch series: n/N, subject, files and a lock-op summary per patch';

  async run(): Promise<SeriesShowJson> {
    const { args, flags } = await this.parse(SeriesShow);
    const series = await readSeries(args.source, { base: flags.base, tree: flags.tree });
    this.warnDiagnostics(args.source, series.diagnostics);
    if (!this.jsonEnabled()) this.out(renderSeriesShow(series));
    return seriesShowJson(series, args.source);
  }
}

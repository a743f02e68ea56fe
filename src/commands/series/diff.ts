import { changelogItems, checkChangelog } from '../../analyzers/series/changelog.js';
import { interdiff, shrinkerRoles } from '../../analyzers/series/interdiff.js';
import { pairSeries } from '../../analyzers/series/pairing.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args } from '../../cli/oclif.js';
import { InputError } from '../../ingest/input.js';
import { readSeries } from '../../ingest/series/index.js';
import { renderSeriesDiff, type SeriesDiffResult, seriesDiffJson } from '../../render/series-diff.js';

export default class SeriesDiff extends LockscopeCommand {
  static override args = {
    old: Args.string({
      ignoreStdin: true,
      description: 'older version: git range base..tip, mbox, or directory of .patch files',
      required: true,
    }),
    new: Args.string({
      ignoreStdin: true,
      description: 'newer version, in any of the same forms',
      required: true,
    }),
  };
  static override description =
    'Pair the patches of two versions of a series as git range-diff does (=, !, <, >), summarize what ' +
    "changed in each changed patch's locking, and check the new cover letter's changelog against the changes.";
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> series diff fixtures/series/v5 fixtures/series/v6',
    '<%= config.bin %> series diff --json fixtures/series/v5 fixtures/series/v6',
  ];
  static override summary = 'Compare two versions of a patch series: locking interdiff and changelog check';

  async run(): Promise<ReturnType<typeof seriesDiffJson>> {
    const { args } = await this.parse(SeriesDiff);
    if (args.old === '-' && args.new === '-')
      this.error('only one of OLD and NEW can be - (stdin)', { exit: 2 });
    const [old, next] = await Promise.all([readSeries(args.old), readSeries(args.new)]);
    for (const [path, s] of [
      [args.old, old],
      [args.new, next],
    ] as const) {
      this.warnDiagnostics(path, s.diagnostics);
      if (s.patches.length === 0) throw new InputError(`${path}: no patches found`, path);
    }
    const pairs = pairSeries(old, next);
    const roles = new Map([...old.patches, ...next.patches].flatMap((p) => [...shrinkerRoles(p)]));
    const result: SeriesDiffResult = {
      old,
      next,
      pairs,
      interdiffs: pairs.map((p) => (p.status === '!' ? interdiff(p.old!, p.new!, roles) : null)),
      changelogItems: changelogItems(next),
      findings: checkChangelog(old, next, pairs),
    };
    if (!this.jsonEnabled()) this.out(renderSeriesDiff(result));
    return seriesDiffJson(result);
  }
}

import { checkSeries, KNOWN_FINDING_IDS, unknownFindingIds } from '../../analyzers/series/checks/index.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { findCheckpatch, runCheckpatch } from '../../ingest/series/checkpatch.js';
import { readSeries } from '../../ingest/series/index.js';
import {
  type CheckFindingJson,
  renderSeriesCheck,
  type SeriesCheckJson,
  seriesCheckJson,
} from '../../render/series-check.js';

export default class SeriesCheck extends LockscopeCommand {
  static override args = {
    source: Args.string({
      ignoreStdin: true,
      description:
        'the series: mbox (- for stdin), directory of .patch files, git range base..tip, or a b4 branch/tag',
      required: true,
    }),
  };
  static override description =
    'Pre-send checks with stable ids: series form (PATCH_CORRUPT, VERSION_MISMATCH, NUMBERING_GAP, MISSING_COVER_LETTER, ' +
    'MISSING_CHANGELOG, CHANGELOG_INCOMPLETE with --previous), trailers (MISSING_SIGNOFF, BAD_FIXES_TAG) and locking ' +
    '(BLOCKING_LOCK_IN_SHRINKER, ALLOC_UNDER_RECLAIM_LOCK, UNBALANCED_LOCK, LOCKED_WITHOUT_ASSERT). Inside a kernel tree, ' +
    'scripts/checkpatch.pl runs per patch and its findings are merged as CHECKPATCH_<TYPE>. Exit 1 on errors (--strict: on warnings too).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> series check fixtures/series/v5',
    '<%= config.bin %> series check fixtures/series-min/v1',
    '<%= config.bin %> series check --json --ignore UNBALANCED_LOCK \\\n    fixtures/series-min/v1',
    '<%= config.bin %> series check --previous fixtures/series-min/v1 \\\n    fixtures/series-min/v2',
  ];
  static override flags = {
    base: Flags.string({ description: 'base revision when SOURCE is a branch or tag' }),
    checkpatch: Flags.boolean({
      allowNo: true,
      description:
        'run scripts/checkpatch.pl per patch, from --tree or else the current directory (or a parent); on when one is found, --checkpatch says so when none is',
    }),
    ignore: Flags.string({
      description: 'finding id to leave out (repeatable; an id that names no check is a usage error)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    previous: Flags.string({
      description: 'the previous version (for CHANGELOG_INCOMPLETE); - reads it from stdin',
    }),
    strict: Flags.boolean({ default: false, description: 'warnings fail too (exit 1)' }),
    tree: Flags.string({
      description: 'kernel tree an mbox applies to: lock ops are then read against whole files',
    }),
  };
  static override summary = 'Check a patch series before sending it: form, trailers and locking hazards';

  async run(): Promise<SeriesCheckJson> {
    const { args, flags } = await this.parse(SeriesCheck);
    if (args.source === '-' && flags.previous === '-') {
      this.error('only one of SOURCE and --previous can be - (stdin)', { exit: 2 });
    }
    const ignore = flags.ignore ?? [];
    const unknown = unknownFindingIds(ignore);
    if (unknown.length > 0)
      this.error(
        `--ignore ${unknown.join(', ')}: unknown finding id${unknown.length === 1 ? '' : 's'} (known: ${KNOWN_FINDING_IDS.join(', ')})`,
        { exit: 2 },
      );
    const series = await readSeries(args.source, { base: flags.base, tree: flags.tree });
    this.warnDiagnostics(args.source, series.diagnostics);
    const previous = flags.previous ? await readSeries(flags.previous) : undefined;
    const findings: CheckFindingJson[] = checkSeries(series, { previous, ignore });
    // --tree first, then the current directory; absent flag: run it when found
    const script =
      flags.checkpatch === false
        ? null
        : ((flags.tree === undefined ? null : findCheckpatch(flags.tree)) ?? findCheckpatch(process.cwd()));
    if (flags.checkpatch === true && script === null)
      this.warnLine(
        `lockscope: --checkpatch: no scripts/checkpatch.pl in ${flags.tree === undefined ? '' : `--tree ${flags.tree} or `}the current directory (or a parent): checkpatch was not run`,
      );
    if (script !== null) {
      const run = runCheckpatch(script, series.patches);
      this.warnDiagnostics(script, run.diagnostics);
      for (const { mailLine: _, ...f } of run.findings)
        if (!ignore.includes(f.id)) findings.push({ ...f, confidence: 'checkpatch' as const });
    }
    const failing = findings.some(
      (f) => f.severity === 'error' || (flags.strict && f.severity === 'warning'),
    );
    if (failing) process.exitCode = 1;
    if (!this.jsonEnabled()) this.out(renderSeriesCheck(findings, series.total));
    return seriesCheckJson(findings);
  }
}

import { diffLockdepGraphs, type LockdepDiff } from '../../analyzers/lockdep/dependency-diff.js';
import { graphFromDump } from '../../analyzers/lockdep/dependency-graph.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args } from '../../cli/oclif.js';
import { InputError } from '../../ingest/input.js';
import { readLockdepDump } from '../../ingest/proc/lockdep-dump.js';
import { lockdepDiffText } from '../../render/lockdep-diff.js';

export default class LockdepDiffCommand extends LockscopeCommand {
  static override args = {
    base: Args.string({
      ignoreStdin: true,
      description: '/proc/lockdep or /proc/lockdep_chains dump of the base kernel',
      required: true,
    }),
    head: Args.string({
      ignoreStdin: true,
      description: 'the same dump of the kernel under test',
      required: true,
    }),
  };
  static override description =
    'Compare the lock dependencies of two /proc/lockdep (or /proc/lockdep_chains) dumps, with the `#N` ' +
    'instance suffixes folded. Exits 1 when HEAD adds a dependency, 0 otherwise, 2 on unusable input ' +
    '(including two dumps of different kinds).';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> lockdep diff fixtures/proc/abba-proc-lockdep.txt \\\n    fixtures/proc/shrinker-proc-lockdep.txt',
  ];
  static override summary = 'Lock dependencies added and removed between two lockdep dumps';

  async run(): Promise<{ schemaVersion: 1; base: string; head: string } & LockdepDiff> {
    const { args } = await this.parse(LockdepDiffCommand);
    const [base, head] = [await readLockdepDump(args.base), await readLockdepDump(args.head)];
    this.warnDiagnostics(args.base, base.diagnostics);
    this.warnDiagnostics(args.head, head.diagnostics);
    // A /proc/lockdep dump lists every dependency, a /proc/lockdep_chains dump only the chains'
    // consecutive pairs: their difference says nothing about the kernels, so it is no comparison.
    if (base.kind !== head.kind) {
      throw new InputError(
        `${args.head} is a /proc/${head.kind} dump and ${args.base} a /proc/${base.kind} dump: ` +
          'compare two dumps of the same kind',
        args.head,
      );
    }
    const diff = diffLockdepGraphs(graphFromDump(base), graphFromDump(head));
    if (!this.jsonEnabled()) this.out(lockdepDiffText(diff, args.base, args.head));
    // A checking command: exit 1 on a new dependency (set here so the JSON document still prints).
    if (diff.added.length > 0) process.exitCode = 1;
    return { schemaVersion: 1, base: args.base, head: args.head, ...diff };
  }
}

import { graphFromDump, type LockdepGraph } from '../../analyzers/lockdep/dependency-graph.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import { readLockdepDump } from '../../ingest/proc/lockdep-dump.js';
import { lockdepGraphDot, lockdepGraphText } from '../../render/lockdep-graph.js';

export default class LockdepGraphCommand extends LockscopeCommand {
  static override args = {
    file: Args.string({
      ignoreStdin: true,
      description: '/proc/lockdep or /proc/lockdep_chains dump (`-` = stdin; gzip ok)',
      required: true,
    }),
  };
  static override description =
    'Lock classes and their `->` dependencies from a /proc/lockdep dump (or the consecutive held locks of ' +
    '/proc/lockdep_chains), with the `#N` instance suffixes folded into one class.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> lockdep graph --format dot \\\n    fixtures/proc/shrinker-proc-lockdep.txt | dot -Tsvg > lockdep.svg',
    '<%= config.bin %> lockdep graph fixtures/proc/shrinker-proc-lockdep.txt --json',
  ];
  static override flags = {
    format: Flags.string({ description: 'output format', options: ['text', 'dot', 'json'], default: 'text' }),
  };
  static override summary = 'Lockdep dependency graph of a /proc/lockdep dump';

  async run(): Promise<{ schemaVersion: 1; file: string } & LockdepGraph> {
    const { args, flags } = await this.parse(LockdepGraphCommand);
    const dump = await readLockdepDump(args.file);
    this.warnDiagnostics(args.file, dump.diagnostics);
    const graph = graphFromDump(dump);
    const result = { schemaVersion: 1 as const, file: args.file, ...graph };
    if (this.jsonEnabled()) return result;
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (flags.format === 'dot') this.out(lockdepGraphDot(graph));
    else this.out(lockdepGraphText(graph, args.file));
    return result;
  }
}

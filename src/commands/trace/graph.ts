import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import {
  type LockOrderGraphDocument,
  lockOrderDocument,
  renderLockOrderDot,
} from '../../render/trace-graph.js';
import { analyzeTraceFile } from '../../services/trace.js';

export default class TraceGraph extends LockscopeCommand {
  static override args = {
    file: Args.string({
      ignoreStdin: true,
      description: 'ftrace text (gzip ok) or trace.dat with lock_acquire events; `-` = stdin',
      required: true,
    }),
  };
  static override description =
    'The lock-order graph observed in a trace: an edge A -> B when a task takes B (not by trylock) while ' +
    'holding A; nodes are lock classes as printed, same-class nesting is not an edge. Edges on a cycle are ' +
    'marked (red in DOT, `inCycle` in JSON). `--json` is the same document as `--format json`. A trace ' +
    'without lock_acquire events gives an empty graph, with a note on stderr.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trace graph fixtures/trace-min/abba.trace.txt --format dot \\\n    | dot -Tsvg > order.svg',
    '<%= config.bin %> trace graph fixtures/trace-min/abba.trace.txt --format json',
  ];
  static override flags = {
    format: Flags.string({ description: 'output format', options: ['dot', 'json'], default: 'dot' }),
  };
  static override summary = 'Observed lock-order graph of a trace (DOT or JSON), cycles marked';

  async run(): Promise<LockOrderGraphDocument> {
    const { args, flags } = await this.parse(TraceGraph);
    const { analysis } = await analyzeTraceFile(args.file, { warn: this.diagnosticsSink });
    const doc = lockOrderDocument(analysis.lockOrder);
    // An empty graph from a trace without lock events says nothing about lock order: say why.
    if ((analysis.events.byName.lock_acquire ?? 0) === 0)
      this.warnLine(
        `lockscope: ${args.file}: no lock_acquire events (no lockdep lock tracing): the graph is empty`,
      );
    if (this.jsonEnabled()) return doc;
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else this.out(renderLockOrderDot(doc));
    return doc;
  }
}

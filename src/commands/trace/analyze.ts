import type { TraceAnalysis } from '../../analyzers/trace/trace-analysis.js';
import { LockscopeCommand } from '../../cli/base-command.js';
import { Args, Flags } from '../../cli/oclif.js';
import type { LockStatClass } from '../../ingest/proc/lock-stat.js';
import { renderLockStat, renderTraceAnalysis } from '../../render/trace-text.js';
import { analyzeTraceFile, readLockdepHints, readLockStat } from '../../services/trace.js';

export default class TraceAnalyze extends LockscopeCommand {
  static override args = {
    file: Args.string({
      ignoreStdin: true,
      description: 'ftrace text (tracefs, trace-cmd report; gzip ok) or trace.dat; `-` = stdin',
      required: true,
    }),
  };
  static override description =
    'Reads a trace with lock events (lock_acquire/release, contention_begin/end) next to shrinker and reclaim ' +
    'events, and says which locks each shrinker takes, which locks are held into reclaim, the observed lock ' +
    'order and its cycles, and how long locks, shrinkers and reclaim take. Exits 0 whenever it ran.';
  static override enableJsonFlag = true;
  static override examples = [
    '<%= config.bin %> trace analyze fixtures/trace-min/shrinker-splat.trace.txt',
    '<%= config.bin %> trace analyze --json fixtures/trace-min/shrinker-splat.trace.txt \\\n    --lockdep fixtures/trace-min/shrinker-proc-lockdep.txt',
  ];
  static override flags = {
    lockdep: Flags.string({
      description:
        '/proc/lockdep dump of the same boot (dependencies; a class taken in interrupt context spins)',
    }),
    'lock-stat': Flags.string({
      description: '/proc/lock_stat dump of the same boot: its per-class wait and hold times join the report',
    }),
  };
  static override summary = 'Shrinker × lock × reclaim findings and lock statistics from an ftrace capture';

  async run(): Promise<TraceAnalysis & { lockStat?: LockStatClass[] }> {
    const { args, flags } = await this.parse(TraceAnalyze);
    const lockdep = flags.lockdep ? await readLockdepHints(flags.lockdep) : undefined;
    const lockStat = flags['lock-stat']
      ? await readLockStat(flags['lock-stat'], this.diagnosticsSink)
      : undefined;
    const { analysis } = await analyzeTraceFile(args.file, { lockdep, warn: this.diagnosticsSink });
    if (!this.jsonEnabled()) {
      this.out(renderTraceAnalysis(analysis, args.file));
      if (lockStat) this.out(renderLockStat(lockStat, analysis));
    }
    return lockStat ? { ...analysis, lockStat } : analysis;
  }
}

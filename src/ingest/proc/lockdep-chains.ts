import type { Diagnostic } from '../../model/diagnostic.js';
import { forEachProcLine } from './proc-lines.js';

/** One held-lock chain of `/proc/lockdep_chains` (`lc_show`). */
export interface LockdepChain {
  /** `0`, `hardirq`, `softirq`, `hardirq|softirq` (5.7+), or the older number as printed. */
  irqContext: string;
  /** Class names of the held locks, in acquisition order, as printed. */
  classes: string[];
  /** Class keys, in the same order. */
  keys?: string[];
  /** 1-based line of the `irq_context:` line. */
  line: number;
}

export const LOCKDEP_CHAINS_LINES = {
  // `all lock chains:` (prefixed `(buggered) ` when chain hlocks ran out)
  header: /^(?:\(buggered\) )?all lock chains:\s*$/,
  // `irq_context: 0`, `irq_context: hardirq|softirq`
  context: /^irq_context: (\S+)\s*$/,
  // `[ffffffff81a2ade0] cpu_hotplug_lock`
  member: /^\[([0-9a-f]{8,16})\] (.*)$/,
} as const;

export function parseProcLockdepChains(text: string): { chains: LockdepChain[]; diagnostics: Diagnostic[] } {
  const chains: LockdepChain[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: LockdepChain | null = null;
  const skipped = { code: 'lockdep-chains-skipped-lines', file: '/proc/lockdep_chains' };
  forEachProcLine(text, diagnostics, skipped, (line, n) => {
    if (line.trim() === '') {
      current = null;
      return true;
    }
    if (LOCKDEP_CHAINS_LINES.header.test(line)) {
      if (line.startsWith('(buggered)')) {
        diagnostics.push({
          code: 'lockdep-chains-buggered',
          message: 'lockdep ran out of chain hlocks',
          line: n,
        });
      }
      return true;
    }
    const ctx = LOCKDEP_CHAINS_LINES.context.exec(line);
    if (ctx) {
      current = { irqContext: ctx[1]!, classes: [], keys: [], line: n };
      chains.push(current);
      return true;
    }
    const member = LOCKDEP_CHAINS_LINES.member.exec(line);
    if (!member || !current) return false;
    current.classes.push(member[2]!);
    current.keys!.push(member[1]!);
    return true;
  });
  return { chains, diagnostics };
}

import type { Diagnostic } from '../../model/diagnostic.js';

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
  let skipped = 0;
  let firstSkipped: number | null = null;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const n = i + 1;
    if (line.trim() === '') {
      current = null;
      continue;
    }
    if (LOCKDEP_CHAINS_LINES.header.test(line)) {
      if (line.startsWith('(buggered)')) {
        diagnostics.push({
          code: 'lockdep-chains-buggered',
          message: 'lockdep ran out of chain hlocks',
          line: n,
        });
      }
      continue;
    }
    const ctx = LOCKDEP_CHAINS_LINES.context.exec(line);
    if (ctx) {
      current = { irqContext: ctx[1]!, classes: [], keys: [], line: n };
      chains.push(current);
      continue;
    }
    const member = LOCKDEP_CHAINS_LINES.member.exec(line);
    if (member && current) {
      current.classes.push(member[2]!);
      current.keys!.push(member[1]!);
      continue;
    }
    skipped++;
    firstSkipped ??= n;
  }
  if (skipped > 0) {
    diagnostics.push({
      code: 'lockdep-chains-skipped-lines',
      message: `${skipped} line(s) are not /proc/lockdep_chains output and were skipped`,
      line: firstSkipped,
    });
  }
  return { chains, diagnostics };
}

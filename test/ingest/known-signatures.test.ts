import { describe, expect, it } from 'vitest';
import { parseKnownSignatures } from '../../src/ingest/known-signatures.js';

describe('parseKnownSignatures', () => {
  it('takes one signature per line, drops comments, and reports lines that are not signatures', () => {
    const k = parseKnownSignatures(
      '# known splats\ncircular-dependency:fs_reclaim|lab_shrinker_lock  # v5 only\n\nnot a signature\nbad-unlock-balance:x\n',
    );
    expect([...k.signatures]).toEqual([
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
      'bad-unlock-balance:x',
    ]);
    expect(k.diagnostics).toEqual([
      { code: 'KNOWN_BAD_LINE', message: 'not a signature: not a signature', line: 4 },
    ]);
  });

  it('a signature is the whole line: class names and titles may hold blanks', () => {
    const k = parseKnownSignatures(
      [
        'irq-safe-unsafe-order:&syncp->seq|per_cpu_ptr(&cgroup_rstat_cpu_lock, cpu)  # cgroup',
        'lockdep-capacity:MAX_STACK_TRACE_ENTRIES too low!',
        '  # indented comment',
        'circular-dependency:',
        'deadlock:a|b',
      ].join('\n'),
    );
    expect([...k.signatures]).toEqual([
      'irq-safe-unsafe-order:&syncp->seq|per_cpu_ptr(&cgroup_rstat_cpu_lock, cpu)',
      'lockdep-capacity:MAX_STACK_TRACE_ENTRIES too low!',
    ]);
    expect(k.diagnostics).toEqual([
      { code: 'KNOWN_BAD_LINE', message: 'not a signature: circular-dependency:', line: 4 },
      { code: 'KNOWN_BAD_LINE', message: 'unknown report kind deadlock: deadlock:a|b', line: 5 },
    ]);
  });
});

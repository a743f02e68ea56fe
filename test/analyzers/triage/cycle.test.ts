import { describe, expect, it } from 'vitest';
import { lockCycle } from '../../../src/analyzers/triage/cycle.js';
import { frame, lock, report } from '../../helpers/report.js';

describe('lockCycle', () => {
  // The lab's shrinker splat: -> #1 (fs_reclaim) taken in lab_alloc_under_lock under
  // lab_shrinker_lock; -> #0 (lab_shrinker_lock) wanted by lab_scan under fs_reclaim.
  it('reads the reverse-order chain into a closed cycle with acquisition sites', () => {
    const scan = frame('lab_scan', 0x17, 0x47, 'lab_lockdep');
    const r = report({
      acquiring: lock('lab_shrinker_lock', scan),
      held: [lock('fs_reclaim', frame('balance_pgdat', 0x290, 0x540))],
      chain: [
        {
          index: 1,
          lock: lock('fs_reclaim'),
          stack: [
            frame('fs_reclaim_acquire', 0x64, 0x90),
            frame('__kmem_cache_alloc_node'),
            frame('kmalloc_trace'),
            frame('lab_alloc_under_lock', 0x29, 0x3d, 'lab_lockdep'),
          ],
        },
        {
          index: 0,
          lock: lock('lab_shrinker_lock'),
          stack: [frame('__lock_acquire'), frame('lock_acquire'), frame('__mutex_lock'), scan],
        },
      ],
    });
    const edges = lockCycle(r);
    expect(edges.map((e) => `${e.from}->${e.to}@${e.site?.function}`)).toEqual([
      'lab_shrinker_lock->fs_reclaim@lab_alloc_under_lock',
      'fs_reclaim->lab_shrinker_lock@lab_scan',
    ]);
  });

  it('gives a one-lock cycle for recursive locking and none for other kinds', () => {
    const r = report({
      kind: 'recursive-locking',
      acquiring: lock('&prime_fpriv->lock'),
      held: [lock('&prime_fpriv->lock')],
    });
    expect(lockCycle(r).map((e) => `${e.from}->${e.to}`)).toEqual(['&prime_fpriv->lock->&prime_fpriv->lock']);
    expect(lockCycle(report({ kind: 'bad-unlock-balance' }))).toEqual([]);
  });
});

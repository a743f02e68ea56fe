import { describe, expect, it } from 'vitest';
import {
  analyzePatchLocking,
  extractLockOps,
  type LockOpFacts,
} from '../../../src/analyzers/series/lock-ops.js';
import type { Patch } from '../../../src/model/series.js';

/** A patch whose diff is one file's hunks (lines after the `@@` header, with their ' '/'+'/'-' marks). */
function patchOf(hunks: { header: string; lines: string[] }[], path = 'drivers/gpu/drm/toy/toy.c'): Patch {
  const body = hunks.flatMap(({ header, lines }) => {
    const oldN = lines.filter((l) => !l.startsWith('+')).length;
    const newN = lines.filter((l) => !l.startsWith('-')).length;
    const m = /^(\d+)(?:,(\d+))?\s*(.*)$/.exec(header)!;
    return [`@@ -${m[1]},${oldN} +${m[2] ?? m[1]},${newN} @@${m[3] ? ` ${m[3]}` : ''}`, ...lines];
  });
  return {
    index: 1,
    total: 1,
    version: 1,
    rfc: false,
    resend: false,
    prefix: 'PATCH',
    subject: 'test',
    author: null,
    date: null,
    messageId: null,
    commit: null,
    body: '',
    trailers: [],
    notes: '',
    files: [],
    diff: [`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`, ...body].join('\n'),
    lockOps: [],
  };
}

const summary = (ops: LockOpFacts[]) =>
  ops.map((o) => [o.change, o.kind, o.primitive, o.family, o.lock ?? o.gfp ?? o.role, o.function, o.line]);

describe('extractLockOps (hunk context)', () => {
  it('recognizes every primitive family, with lock expressions and GFP flags', () => {
    const ops = extractLockOps(
      patchOf([
        {
          header: '10 static int toy_work(struct toy_device *tdev)',
          lines: [
            ' \tunsigned long flags;',
            '+\tspin_lock_irqsave(&tdev->irq_lock, flags);',
            '+\tspin_unlock_irqrestore(&tdev->irq_lock, flags);',
            '+\tdown_read(&tdev->mm_sem);',
            '+\tup_read(&tdev->mm_sem);',
            '+\tret = ww_mutex_lock(&bo->lock, ctx);',
            '+\trcu_read_lock();',
            '+\trcu_read_unlock();',
            '+\tret = dma_resv_lock_interruptible(obj->resv, NULL);',
            '+\tlockdep_assert_held(&tdev->lru_lock);',
            '+\tmight_lock(&tdev->lru_lock);',
            '+\tpages = kvmalloc_array(n, sizeof(*pages),',
            '+\t\t\t       GFP_KERNEL | __GFP_NOWARN);',
            '+\tbuf = vmalloc(size);',
            '+\tpage = shmem_read_mapping_page_gfp(mapping, i, mapping_gfp_mask(mapping));',
            '+\ttdev->shrinker = shrinker_alloc(0, "drm-toy");',
            '+\ttdev->shrinker->scan_objects = toy_shrinker_scan;',
            '+\tfuncs->evict = toy_bo_evict;',
            ' \treturn 0;',
          ],
        },
      ]),
    ) as LockOpFacts[];
    expect(summary(ops)).toEqual([
      ['added', 'lock', 'spin_lock_irqsave', 'spinlock', '&tdev->irq_lock', 'toy_work', 11],
      ['added', 'unlock', 'spin_unlock_irqrestore', 'spinlock', '&tdev->irq_lock', 'toy_work', 12],
      ['added', 'lock', 'down_read', 'rwsem', '&tdev->mm_sem', 'toy_work', 13],
      ['added', 'unlock', 'up_read', 'rwsem', '&tdev->mm_sem', 'toy_work', 14],
      ['added', 'lock', 'ww_mutex_lock', 'ww_mutex', '&bo->lock', 'toy_work', 15],
      ['added', 'rcu-read-lock', 'rcu_read_lock', 'rcu', null, 'toy_work', 16],
      ['added', 'rcu-read-unlock', 'rcu_read_unlock', 'rcu', null, 'toy_work', 17],
      ['added', 'lock', 'dma_resv_lock_interruptible', 'dma_resv', 'obj->resv', 'toy_work', 18],
      ['added', 'assert', 'lockdep_assert_held', 'lockdep', '&tdev->lru_lock', 'toy_work', 19],
      ['added', 'might-lock', 'might_lock', 'lockdep', '&tdev->lru_lock', 'toy_work', 20],
      ['added', 'alloc', 'kvmalloc_array', null, 'GFP_KERNEL | __GFP_NOWARN', 'toy_work', 21],
      ['added', 'alloc', 'vmalloc', null, 'GFP_KERNEL', 'toy_work', 23],
      ['added', 'alloc', 'shmem_read_mapping_page_gfp', null, 'mapping_gfp_mask(mapping)', 'toy_work', 24],
      ['added', 'shrinker', 'shrinker_alloc', null, '0', 'toy_work', 25],
      ['added', 'shrinker', '.scan_objects', null, 'scan_objects', 'toy_work', 26],
      ['added', 'shrinker', '.evict', null, 'evict', 'toy_work', 27],
    ]);
    expect(ops.every((o) => o.confidence === 'hunk')).toBe(true);
    expect(ops[14]!.callback).toBe('toy_shrinker_scan');
    expect(ops[15]!.callback).toBe('toy_bo_evict');
    // Held locks where each line is added: the spinlock was released, the ww_mutex and resv are still
    // held, and an assertion counts as holding its lock.
    expect(ops[9]!.held).toEqual([
      { family: 'ww_mutex', lock: '&bo->lock' },
      { family: 'dma_resv', lock: 'obj->resv' },
      { family: 'lockdep', lock: '&tdev->lru_lock' },
    ]);
  });

  it('ignores calls in comments and strings, and reads removed lines from the pre-image side', () => {
    const ops = extractLockOps(
      patchOf([
        {
          header: '40 static void toy_bo_purge(struct toy_bo *bo)',
          lines: [
            '-\tmutex_lock(&bo->pages_lock);',
            '+\t/* mutex_lock(&bo->pages_lock) is taken by the caller */',
            '+\tpr_debug("dma_resv_lock(%p)\\n", bo);',
            ' \tkvfree(bo->pages);',
            '-\tmutex_unlock(&bo->pages_lock);',
          ],
        },
      ]),
    );
    expect(summary(ops as LockOpFacts[])).toEqual([
      ['removed', 'lock', 'mutex_lock', 'mutex', '&bo->pages_lock', 'toy_bo_purge', 40],
      ['removed', 'unlock', 'mutex_unlock', 'mutex', '&bo->pages_lock', 'toy_bo_purge', 42],
    ]);
  });

  it('finds functions defined inside a hunk, past the end of the hunk-header function', () => {
    const ops = extractLockOps(
      patchOf([
        {
          header: '70 static int toy_old(void)',
          lines: [
            ' \treturn 0;',
            ' }',
            '+',
            '+static unsigned long',
            '+toy_shrinker_scan(struct shrinker *s, struct shrink_control *sc)',
            '+{',
            '+\tif (!mutex_trylock(&toy_lock))',
            '+\t\treturn SHRINK_STOP;',
            '+\tmutex_unlock(&toy_lock);',
            '+\treturn 0;',
            '+}',
          ],
        },
      ]),
    ) as LockOpFacts[];
    expect(summary(ops)).toEqual([
      ['added', 'trylock', 'mutex_trylock', 'mutex', '&toy_lock', 'toy_shrinker_scan', 76],
      ['added', 'unlock', 'mutex_unlock', 'mutex', '&toy_lock', 'toy_shrinker_scan', 78],
    ]);
    const { functions } = analyzePatchLocking(
      patchOf([
        {
          header: '70 static int toy_old(void)',
          lines: [' }', '+int toy_bo_pin_locked(struct toy_bo *bo)', '+{', '+\treturn 0;', '+}'],
        },
      ]),
    );
    expect(functions).toEqual([
      {
        name: 'toy_bo_pin_locked',
        file: 'drivers/gpu/drm/toy/toy.c',
        line: 71,
        complete: true,
        added: true,
        hasAssert: false,
        calls: [],
        callSites: [],
        confidence: 'hunk',
      },
    ]);
  });

  it('records call sites with the locks held at each call', () => {
    const { functions } = analyzePatchLocking(
      patchOf([
        {
          header: '1 static int toy_old(void)',
          lines: [
            ' }',
            '+int toy_populate(struct toy_bo *bo)',
            '+{',
            '+\tint ret = toy_prepare(bo);',
            '+\tmutex_lock(&bo->tdev->lru_lock);',
            '+\tret = toy_get_pages(bo);',
            '+\tmutex_unlock(&bo->tdev->lru_lock);',
            ' \ttoy_done(bo);',
            '+\treturn ret;',
            '+}',
          ],
        },
      ]),
    );
    expect(functions.map((f) => [f.name, f.calls, f.callSites])).toEqual([
      [
        'toy_populate',
        ['toy_prepare', 'toy_get_pages', 'toy_done'],
        [
          { callee: 'toy_prepare', line: 4, change: 'added', held: [] },
          {
            callee: 'toy_get_pages',
            line: 6,
            change: 'added',
            held: [{ family: 'mutex', lock: '&bo->tdev->lru_lock' }],
          },
          { callee: 'toy_done', line: 8, change: 'context', held: [] },
        ],
      ],
    ]);
  });

  it('judges whether an added lock is released on every path the hunk shows', () => {
    const balance = (lines: string[]) =>
      (
        extractLockOps(
          patchOf([
            {
              header: '1 int toy_fn(struct toy_bo *bo)',
              lines: ['+int toy_fn(struct toy_bo *bo)', '+{', ...lines, '+}'],
            },
          ]),
        ) as LockOpFacts[]
      )
        .filter((o) => o.kind === 'lock')
        .map((o) => [o.balanced, o.unbalancedAt]);
    // The failure branch of an interruptible lock does not hold it.
    expect(
      balance([
        '+\tret = dma_resv_lock_interruptible(bo->resv, NULL);',
        '+\tif (ret)',
        '+\t\treturn ret;',
        '+\tdma_resv_unlock(bo->resv);',
        '+\treturn 0;',
      ]),
    ).toEqual([[true, null]]);
    // An early return with the lock held.
    expect(
      balance([
        '+\tmutex_lock(&bo->lock);',
        '+\tif (!bo->pages)',
        '+\t\treturn -EINVAL;',
        '+\tmutex_unlock(&bo->lock);',
        '+\treturn 0;',
      ]),
    ).toEqual([[false, 5]]);
    // An early exit that unlocks inside its own block is fine.
    expect(
      balance([
        '+\tmutex_lock(&bo->lock);',
        '+\tif (!bo->pages) {',
        '+\t\tmutex_unlock(&bo->lock);',
        '+\t\treturn -EINVAL;',
        '+\t}',
        '+\tmutex_unlock(&bo->lock);',
        '+\treturn 0;',
      ]),
    ).toEqual([[true, null]]);
    // goto to a label that unlocks is fine; a label that does not is a leak.
    expect(
      balance([
        '+\tmutex_lock(&bo->lock);',
        '+\tif (err)',
        '+\t\tgoto out_unlock;',
        '+\tbo->n++;',
        '+out_unlock:',
        '+\tmutex_unlock(&bo->lock);',
        '+\treturn err;',
      ]),
    ).toEqual([[true, null]]);
    expect(
      balance([
        '+\tmutex_lock(&bo->lock);',
        '+\tif (err)',
        '+\t\tgoto out;',
        '+\tmutex_unlock(&bo->lock);',
        '+out:',
        '+\treturn err;',
      ]),
    ).toEqual([[false, 5]]);
    // Never unlocked before the closing brace.
    expect(balance(['+\tspin_lock(&bo->lock);', '+\tbo->n++;'])).toEqual([[false, 5]]);
  });

  it('reads cleanup guards as scoped locks (released with their scope)', () => {
    const ops = extractLockOps(
      patchOf([
        {
          header: '5 static void toy_lru_add(struct toy_device *tdev, struct toy_bo *bo)',
          lines: [
            '+\tguard(mutex)(&tdev->lru_lock);',
            '+\tscoped_guard(spinlock_irqsave, &tdev->irq_lock)',
            '+\t\ttdev->n++;',
            '+\tguard(rcu)();',
            ' \tlist_add(&bo->lru_node, &tdev->lru);',
          ],
        },
      ]),
    ) as LockOpFacts[];
    expect(ops.map((o) => [o.kind, o.primitive, o.family, o.lock, o.sleeping, o.balanced])).toEqual([
      ['lock', 'guard(mutex)', 'mutex', '&tdev->lru_lock', true, true],
      ['lock', 'scoped_guard(spinlock_irqsave)', 'spinlock', '&tdev->irq_lock', false, true],
      ['rcu-read-lock', 'guard(rcu)', 'rcu', null, false, true],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { blameSeries, opTakesClass, reclaims } from '../../src/analyzers/blame.js';
import type { Frame } from '../../src/model/frame.js';
import type { Lock } from '../../src/model/lock.js';
import type { Report } from '../../src/model/report.js';
import type { LockOp, Patch, PatchSeries } from '../../src/model/series.js';
import { makePatch } from '../helpers/series.js';

function frame(fn: string, unreliable = false): Frame {
  return {
    function: fn,
    offset: 0,
    size: 0,
    module: null,
    file: null,
    line: null,
    inline: false,
    unreliable,
    address: null,
  };
}

function lock(name: string, site: string | null): Lock {
  return {
    name,
    class: name,
    instance: null,
    subclass: null,
    usage: '{+.+.}-{3:3}',
    address: null,
    site: site ? frame(site) : null,
  };
}

/** Shaped like the lab's v5 splat: kswapd's shrink_slab → lab_scan takes a reservation lock under fs_reclaim. */
const SPLAT: Report = {
  kind: 'circular-dependency',
  headline: 'WARNING: possible circular locking dependency detected',
  title: 'possible deadlock in lab_scan',
  altTitles: [],
  corrupted: false,
  corruptedReason: null,
  signature: 'circular-dependency:fs_reclaim|reservation_ww_class_mutex',
  startLine: 277,
  endLine: 360,
  task: { comm: 'kswapd0', pid: 28 },
  kernelRelease: '6.1.192',
  taint: null,
  hardware: null,
  acquiring: lock('reservation_ww_class_mutex', 'lab_scan'),
  held: [lock('fs_reclaim', 'balance_pgdat')],
  chain: [
    {
      index: 1,
      lock: lock('fs_reclaim', null),
      stack: [
        'fs_reclaim_acquire',
        '__kmem_cache_alloc_node',
        'kmalloc_trace',
        'dma_resv_lockdep',
        'do_one_initcall',
      ].map((f) => frame(f)),
    },
    {
      index: 0,
      lock: lock('reservation_ww_class_mutex', null),
      stack: [
        '__lock_acquire',
        'lock_acquire',
        '__ww_mutex_lock.constprop.0',
        'ww_mutex_lock',
        'lab_scan',
        'shrink_slab.constprop.0',
        'shrink_node',
        'balance_pgdat',
        'kswapd',
      ].map((f) => frame(f)),
    },
  ],
  heldLocks: [
    {
      task: { comm: 'kswapd0', pid: 28 },
      count: 2,
      locks: [lock('fs_reclaim', 'balance_pgdat'), lock('shrinker_rwsem', 'shrink_slab.constprop.0')],
      printed: true,
    },
  ],
  stack: [
    'dump_stack_lvl',
    'check_noncircular',
    '__lock_acquire',
    'lock_acquire',
    'ww_mutex_lock',
    'lab_scan',
    'shrink_slab.constprop.0',
    'kswapd',
  ].map((f) => frame(f)),
  guiltyFrame: frame('lab_scan'),
  scenario: [],
  irqStates: [],
  inconsistentUsage: null,
};

function op(p: Partial<LockOp> & Pick<LockOp, 'kind' | 'primitive' | 'function'>): LockOp {
  return {
    family: null,
    lock: null,
    gfp: null,
    role: null,
    file: 'lab.c',
    line: 1,
    change: 'added',
    confidence: 'hunk',
    ...p,
  };
}

function patch(index: number, subject: string, functions: string[], lockOps: LockOp[], diff = ''): Patch {
  return makePatch({
    index,
    subject,
    files: [{ oldPath: 'lab.c', newPath: 'lab.c', additions: 1, deletions: 0, functions }],
    diff,
    lockOps,
  });
}

const SERIES: PatchSeries = {
  source: 'test',
  version: 5,
  total: 4,
  cover: null,
  diagnostics: [],
  patches: [
    patch(
      1,
      'lab: Add objects',
      ['lab_obj_create'],
      [op({ kind: 'alloc', primitive: 'kzalloc', gfp: 'GFP_KERNEL', function: 'lab_obj_create' })],
    ),
    patch(
      2,
      'lab: Add a shrinker',
      ['lab_init'],
      [op({ kind: 'shrinker', primitive: 'register_shrinker', role: 'register', function: 'lab_init' })],
      '+static unsigned long lab_scan(struct shrinker *s, struct shrink_control *sc)\n+{\n+\treturn 0;\n+}\n',
    ),
    patch(
      3,
      'lab: Purge objects under their reservation lock',
      ['lab_scan'],
      [
        op({
          kind: 'lock',
          primitive: 'dma_resv_lock',
          family: 'dma_resv',
          lock: 'obj->resv',
          function: 'lab_scan',
        }),
        op({
          kind: 'unlock',
          primitive: 'dma_resv_unlock',
          family: 'dma_resv',
          lock: 'obj->resv',
          function: 'lab_scan',
        }),
      ],
    ),
    patch(4, 'lab: Add debugfs statistics', ['lab_stats_show'], []),
  ],
};

describe('blameSeries', () => {
  const ranked = blameSeries(SERIES, [SPLAT]);

  it('ranks the patch that made the scan take the reservation lock first', () => {
    expect(ranked.map((c) => c.index)).toEqual([3, 2, 1]);
    expect(ranked[0]!.subject).toBe('lab: Purge objects under their reservation lock');
  });

  it('gives the reasons with their points', () => {
    expect(ranked[0]!.reasons).toEqual([
      'changes locking in lab_scan, the acquisition site of "possible deadlock in lab_scan" (+3)',
      'takes `dma_resv_lock(obj->resv)` in lab_scan, where lockdep saw reservation_ww_class_mutex acquired (the acquisition site) (+6)',
    ]);
    expect(ranked[0]!.score).toBe(9);
    expect(ranked[1]!.reasons).toEqual([
      'adds lab_scan, the acquisition site of "possible deadlock in lab_scan" (+3)',
    ]);
    expect(ranked[2]!.reasons).toEqual([
      'adds a reclaiming allocation `kzalloc(GFP_KERNEL)` in lab_obj_create (fs_reclaim is in the cycle) (+0.5)',
    ]);
  });

  it('weighs an allocation made while holding a lock of the cycle fully', () => {
    const alloc = {
      ...op({ kind: 'alloc', primitive: 'kmalloc', gfp: 'GFP_KERNEL', function: 'lab_populate' }),
      held: [{ family: 'dma_resv', lock: 'obj->resv' }],
    };
    const r = blameSeries({ ...SERIES, patches: [patch(1, 'lab: Populate under the lock', [], [alloc])] }, [
      SPLAT,
    ]);
    expect(r[0]!.reasons).toEqual([
      'allocates with `GFP_KERNEL` (`kmalloc` in lab_populate) while holding reservation_ww_class_mutex: fs_reclaim and reservation_ww_class_mutex are in the cycle (+2)',
    ]);
  });

  it('counts the same splat twice only once', () => {
    expect(blameSeries(SERIES, [SPLAT, { ...SPLAT, startLine: 900 }])).toEqual(ranked);
  });

  it('weighs frames deeper in a stack less', () => {
    const deep = blameSeries(
      {
        ...SERIES,
        patches: [
          patch(1, 'mm: Tweak kswapd', ['kswapd'], []),
          patch(2, 'mm: Tweak shrink_node', ['shrink_node'], []),
        ],
      },
      [SPLAT],
    );
    expect(deep.map((c) => [c.index, c.score])).toEqual([
      [2, 0.4],
      [1, 0.24],
    ]);
  });

  it('returns nothing for a log without reports', () => {
    expect(blameSeries(SERIES, [])).toEqual([]);
  });
});

describe('lock class matching', () => {
  it('maps dma_resv operations to reservation_ww_class_mutex and others by member name', () => {
    const resv = op({
      kind: 'lock',
      primitive: 'dma_resv_lock',
      family: 'dma_resv',
      lock: 'obj->resv',
      function: 'f',
    });
    expect(opTakesClass(resv, 'reservation_ww_class_mutex')).toBe(true);
    expect(opTakesClass(resv, 'fs_reclaim')).toBe(false);
    const pages = op({
      kind: 'lock',
      primitive: 'mutex_lock',
      family: 'mutex',
      lock: '&shmem->pages_lock',
      function: 'f',
    });
    expect(opTakesClass(pages, '&shmem->pages_lock')).toBe(true);
    expect(opTakesClass(pages, 'lab_shrinker_lock')).toBe(false);
  });

  it('knows which GFP flags enter fs_reclaim', () => {
    expect(
      ['GFP_KERNEL', 'GFP_KERNEL | __GFP_ZERO', 'GFP_NOWAIT', 'GFP_NOFS', 'GFP_ATOMIC', 'GFP_USER'].map(
        reclaims,
      ),
    ).toEqual([true, true, false, false, false, true]);
  });
});

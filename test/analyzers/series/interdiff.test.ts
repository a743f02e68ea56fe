import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { BLAME_REGEXES } from '../../../src/analyzers/blame.js';
import { CHANGELOG_MENTION_REGEXES } from '../../../src/analyzers/series/changelog.js';
import {
  INTERDIFF_REGEXES,
  interdiff,
  normalizeLock,
  shrinkerRoles,
} from '../../../src/analyzers/series/interdiff.js';
import { HUNK_VIEW_REGEXES } from '../../../src/analyzers/series/lock-ops.js';
import type { LockOp, Patch } from '../../../src/model/series.js';
import { makePatch } from '../../helpers/series.js';

function op(partial: Partial<LockOp> & Pick<LockOp, 'kind' | 'primitive'>): LockOp {
  return {
    family: 'dma_resv',
    lock: 'obj->resv',
    gfp: null,
    role: null,
    function: 'lab_scan',
    file: 'drivers/gpu/drm/lab/lab_shrinker.c',
    line: 44,
    change: 'added',
    confidence: 'hunk',
    ...partial,
  };
}

function patch(lockOps: LockOp[], diff: string, functions: string[] = ['lab_scan']): Patch {
  return makePatch({
    index: 3,
    total: 8,
    subject: 'drm/lab: Purge objects from the shrinker scan',
    files: [
      {
        oldPath: 'drivers/gpu/drm/lab/lab_shrinker.c',
        newPath: 'drivers/gpu/drm/lab/lab_shrinker.c',
        additions: 5,
        deletions: 0,
        functions,
      },
    ],
    diff,
    lockOps,
  });
}

const V5_DIFF = [
  '--- a/drivers/gpu/drm/lab/lab_shrinker.c',
  '+++ b/drivers/gpu/drm/lab/lab_shrinker.c',
  '@@ -40,6 +40,11 @@ static unsigned long lab_scan(struct shrinker *s,',
  ' \tstruct lab_obj *obj;',
  '+\tdma_resv_lock(obj->resv, NULL);',
  '+\tfreed += lab_obj_purge(obj);',
  '+\tdma_resv_unlock(obj->resv);',
  ' }',
  ' static struct shrinker lab_shrinker = {',
  ' \t.count_objects = lab_count,',
  ' \t.scan_objects = lab_scan,',
].join('\n');
const V6_DIFF = V5_DIFF.replace(
  '+\tdma_resv_lock(obj->resv, NULL);',
  '+\tif (!dma_resv_trylock(obj->resv))\n+\t\tcontinue;',
).replace('+\tfreed += lab_obj_purge(obj);', '+\tfreed += lab_obj_purge(obj);\n+\tlab_obj_evict(obj);');

describe('interdiff', () => {
  const v5 = patch(
    [
      op({ kind: 'lock', primitive: 'dma_resv_lock' }),
      op({ kind: 'unlock', primitive: 'dma_resv_unlock', line: 46 }),
    ],
    V5_DIFF,
  );
  const v6 = patch(
    [
      op({ kind: 'trylock', primitive: 'dma_resv_trylock' }),
      op({ kind: 'unlock', primitive: 'dma_resv_unlock', line: 48 }),
      op({
        kind: 'alloc',
        primitive: 'kmalloc',
        family: null,
        lock: null,
        gfp: 'GFP_KERNEL',
        function: 'lab_obj_evict',
        file: 'drivers/gpu/drm/lab/lab_obj.c',
      }),
    ],
    V6_DIFF,
    ['lab_scan', 'lab_obj_evict'],
  );

  it('summarizes a lock that became a trylock in the scan path', () => {
    const d = interdiff(v5, v6);
    expect(d.lockChanges.map((c) => c.text)).toEqual([
      'lab_scan (scan_objects): `dma_resv_lock` → `dma_resv_trylock`',
      'lab_obj_evict: adds `kmalloc(GFP_KERNEL)`',
    ]);
    expect(d.lockChanges[0]).toMatchObject({
      from: 'dma_resv_lock',
      to: 'dma_resv_trylock',
      role: 'scan_objects',
    });
    expect(d.functionsAdded).toEqual(['lab_obj_evict']);
    expect(d.functionsRemoved).toEqual([]);
    expect([d.linesAdded, d.linesRemoved]).toEqual([3, 1]);
  });

  it('reads the other way round as the opposite change', () => {
    const d = interdiff(v6, v5);
    expect(d.lockChanges.map((c) => c.text)).toEqual([
      'lab_scan (scan_objects): `dma_resv_trylock` → `dma_resv_lock`',
      'lab_obj_evict: no longer adds `kmalloc(GFP_KERNEL)`',
    ]);
  });

  it('shows the lock when the same call now takes another lock', () => {
    const a = patch(
      [op({ kind: 'lock', primitive: 'mutex_lock', family: 'mutex', lock: '&lab->lru_lock' })],
      '',
    );
    const b = patch([op({ kind: 'lock', primitive: 'mutex_lock', family: 'mutex', lock: '&obj->lock' })], '');
    expect(interdiff(a, b).lockChanges.map((c) => c.text)).toEqual([
      'lab_scan: `mutex_lock(&lab->lru_lock)` → `mutex_lock(&obj->lock)`',
    ]);
  });

  it('follows a lock moved into a helper and folds the unlocks that follow it', () => {
    const a = patch(
      [
        op({ kind: 'lock', primitive: 'dma_resv_lock', function: 'lab_scan' }),
        op({ kind: 'unlock', primitive: 'dma_resv_unlock', function: 'lab_scan' }),
      ],
      V5_DIFF,
    );
    const b = patch(
      [
        op({
          kind: 'trylock',
          primitive: 'mutex_trylock',
          family: 'mutex',
          lock: '&lab->lru_lock',
          function: 'lab_scan',
        }),
        op({
          kind: 'unlock',
          primitive: 'mutex_unlock',
          family: 'mutex',
          lock: '&lab->lru_lock',
          function: 'lab_scan',
        }),
        op({ kind: 'trylock', primitive: 'dma_resv_trylock', function: 'lab_scan_list' }),
        op({ kind: 'unlock', primitive: 'dma_resv_unlock', function: 'lab_scan_list' }),
      ],
      V5_DIFF,
    );
    expect(interdiff(a, b).lockChanges.map((c) => c.text)).toEqual([
      'lab_scan (scan_objects): `dma_resv_lock` → `dma_resv_trylock` in lab_scan_list',
      'lab_scan (scan_objects): adds `mutex_trylock(&lab->lru_lock)`',
    ]);
  });

  it('says nothing about locking when the lock operations are the same', () => {
    expect(interdiff(v5, v5)).toEqual({
      lockChanges: [],
      filesAdded: [],
      filesRemoved: [],
      functionsAdded: [],
      functionsRemoved: [],
      linesAdded: 0,
      linesRemoved: 0,
    });
  });
});

describe('normalizeLock', () => {
  it('reduces lock expressions to their last member', () => {
    expect(normalizeLock('&obj->base.resv')).toBe('resv');
    expect(normalizeLock('obj->resv')).toBe('resv');
    expect(normalizeLock('&lab_shrinker_lock')).toBe('lab_shrinker_lock');
    expect(normalizeLock(null)).toBe('');
  });
});

describe('shrinkerRoles', () => {
  it('finds shrinker callbacks in struct initializers and assignments', () => {
    const p = patch([], `${V5_DIFF}\n+\tshrinker->count_objects = drm_gem_shmem_shrinker_count_objects;`);
    expect([...shrinkerRoles(p)]).toEqual([
      ['lab_count', 'count_objects'],
      ['lab_scan', 'scan_objects'],
      ['drm_gem_shmem_shrinker_count_objects', 'count_objects'],
    ]);
  });
});

describe('regexes of series diff and blame', () => {
  for (const re of [
    ...INTERDIFF_REGEXES,
    ...CHANGELOG_MENTION_REGEXES,
    ...BLAME_REGEXES,
    ...HUNK_VIEW_REGEXES,
  ]) {
    it(`cannot backtrack catastrophically: /${re.source}/`, async () => {
      const r = await check(re.source, re.flags, { randomSeed: 20261125 });
      expect(r.status).toBe('safe');
    });
  }
});

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSeries } from '../../../../src/analyzers/series/checks/index.js';
import { readSeries } from '../../../../src/ingest/series/index.js';
import { fixture } from '../../../helpers/shared.js';

/**
 * The lab's real shrinker series (fixtures/series/v5 and v6, git format-patch
 * --cover-letter output of the module the lab boots). v5's scan callback takes
 * dma_resv_lock() while object population allocates with GFP_KERNEL under the
 * same reservation lock (the shrinker-vs-fs_reclaim splat the lab captures);
 * v6 uses dma_resv_trylock() but populates objects under lru_lock, which its
 * shrinker only trylocks: the allocation one call down (get_pages) stops the
 * shrinker under pressure (LOCK_HELD_INTO_RECLAIM in the lab's trace).
 */
const LAB = existsSync(fixture('series', 'v5')) && existsSync(fixture('series', 'v6'));

describe.skipIf(!LAB)('series check on the lab shrinker series', () => {
  it('v5: BLOCKING_LOCK_IN_SHRINKER on patch 6 (the shrinker), ALLOC_UNDER_RECLAIM_LOCK on patch 1', async () => {
    const v5 = await readSeries(fixture('series', 'v5'));
    expect([v5.version, v5.total, v5.patches.length]).toEqual([5, 9, 9]);
    expect(v5.patches[5]!.subject).toBe('shmem-shrinker-lab: Register a generic memory shrinker');
    expect(checkSeries(v5).map((f) => [f.id, f.severity, f.patch, f.file, f.line])).toEqual([
      ['ALLOC_UNDER_RECLAIM_LOCK', 'error', 1, 'shmem_lab_obj.c', 90],
      ['ALLOC_UNDER_RECLAIM_LOCK', 'error', 1, 'shmem_lab_obj.c', 96],
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 6, 'shmem_lab_shrinker.c', 61],
    ]);
  });

  // v6 patch 7 renames shmem_lab_shrinker_scan_list to shmem_lab_shrinker_purge in its first hunk;
  // the second hunk's header still names the old function (git reads it from the pre-image)
  it('v6: the lock ops of patch 7 sit in the function it renamed, by its new name', async () => {
    const v6 = await readSeries(fixture('series', 'v6'));
    const p7 = v6.patches.find((p) => p.index === 7)!;
    expect(
      p7.lockOps.filter((o) => o.line === 41 || o.line === 46).map((o) => [o.primitive, o.function]),
    ).toEqual([
      ['dma_resv_trylock', 'shmem_lab_shrinker_purge'],
      ['dma_resv_unlock', 'shmem_lab_shrinker_purge'],
    ]);
  });

  it('v6: ALLOC_UNDER_RECLAIM_LOCK warning on patch 4 (get_pages called under lru_lock), also against v5', async () => {
    const [v5, v6] = await Promise.all([
      readSeries(fixture('series', 'v5')),
      readSeries(fixture('series', 'v6')),
    ]);
    const expected = [
      {
        id: 'ALLOC_UNDER_RECLAIM_LOCK',
        severity: 'warning',
        evidence: 'patch',
        patch: 4,
        file: 'shmem_lab_workload.c',
        line: 61,
        confidence: 'hunk',
        message:
          'shmem_lab_object_populate: calls shmem_lab_object_get_pages(), which allocates with kvmalloc_array(GFP_KERNEL) (patch 1) and may enter reclaim, while holding &sdev->lru_lock, which the shrinker takes (shmem_lab_shrinker_scan: mutex_trylock(&sdev->lru_lock)): the shrinker only trylocks it, so it cannot free while this is held',
      },
    ];
    expect(checkSeries(v6)).toEqual(expected);
    // The changelog covers the v5 → v6 changes: no CHANGELOG_INCOMPLETE.
    expect(checkSeries(v6, { previous: v5 })).toEqual(expected);
    const scan = v6.patches[5]!.lockOps.find(
      (o) => o.function === 'shmem_lab_shrinker_scan_list' && o.family === 'dma_resv',
    );
    expect(scan).toMatchObject({ kind: 'trylock', primitive: 'dma_resv_trylock', change: 'added' });
  });
});

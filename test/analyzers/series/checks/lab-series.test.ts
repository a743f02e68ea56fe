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
 * v6 uses dma_resv_trylock().
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

  it('v6: no findings, also against v5 (its changelog covers the changes)', async () => {
    const [v5, v6] = await Promise.all([
      readSeries(fixture('series', 'v5')),
      readSeries(fixture('series', 'v6')),
    ]);
    expect(checkSeries(v6)).toEqual([]);
    expect(checkSeries(v6, { previous: v5 })).toEqual([]);
    const scan = v6.patches[5]!.lockOps.find(
      (o) => o.function === 'shmem_lab_shrinker_scan_list' && o.family === 'dma_resv',
    );
    expect(scan).toMatchObject({ kind: 'trylock', primitive: 'dma_resv_trylock', change: 'added' });
  });
});

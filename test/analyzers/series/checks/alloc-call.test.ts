import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSeries } from '../../../../src/analyzers/series/checks/index.js';
import { readSeries } from '../../../../src/ingest/series/index.js';
import { toyPatchMail } from '../../../helpers/series.js';

/**
 * ALLOC_UNDER_RECLAIM_LOCK one call level down: a function of the series
 * calls another one that allocates with GFP_KERNEL while it holds a lock the
 * scan callback takes (the v6 lab regression, in miniature).
 */
function mail(scanLock: string): string {
  const added = [
    'static int toy_get_pages(struct toy_bo *bo)',
    '{',
    '\tbo->pages = kvmalloc_array(bo->npages, sizeof(*bo->pages), GFP_KERNEL);',
    '\treturn bo->pages ? 0 : -ENOMEM;',
    '}',
    '',
    'static int toy_populate(struct toy_device *tdev, struct toy_bo *bo)',
    '{',
    '\tint ret;',
    '',
    '\tmutex_lock(&tdev->lru_lock);',
    '\tret = toy_get_pages(bo);',
    '\tmutex_unlock(&tdev->lru_lock);',
    '\treturn ret;',
    '}',
    '',
    'static unsigned long toy_scan(struct shrinker *s, struct shrink_control *sc)',
    '{',
    '\tstruct toy_device *tdev = s->private_data;',
    '',
    ...scanLock.split('\n'),
    '\ttdev->freed++;',
    '\tmutex_unlock(&tdev->lru_lock);',
    '\treturn 0;',
    '}',
    '',
    'static const struct shrinker_ops toy_ops = {',
    '\t.scan_objects = toy_scan,',
    '};',
  ];
  return toyPatchMail('drm/toy: populate under the LRU lock', added);
}

async function check(scanLock: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-alloc-'));
  try {
    writeFileSync(join(dir, 'toy.patch'), mail(scanLock));
    const series = await readSeries(join(dir, 'toy.patch'));
    return checkSeries(series).filter((f) => f.id === 'ALLOC_UNDER_RECLAIM_LOCK');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ALLOC_UNDER_RECLAIM_LOCK through a call', () => {
  it('is a warning when the shrinker only trylocks the lock', async () => {
    const found = await check('\tif (!mutex_trylock(&tdev->lru_lock))\n\t\treturn SHRINK_STOP;');
    expect(found.map((f) => [f.severity, f.patch, f.file, f.line, f.confidence, f.message])).toEqual([
      [
        'warning',
        1,
        'toy.c',
        13,
        'hunk',
        'toy_populate: calls toy_get_pages(), which allocates with kvmalloc_array(GFP_KERNEL) (patch 1) and may enter reclaim, while holding &tdev->lru_lock, which the shrinker takes (toy_scan: mutex_trylock(&tdev->lru_lock)): the shrinker only trylocks it, so it cannot free while this is held',
      ],
    ]);
  });

  it('is an error when the shrinker takes the lock blocking', async () => {
    const found = await check('\tmutex_lock(&tdev->lru_lock);');
    expect(found.map((f) => [f.severity, f.line, f.message])).toEqual([
      [
        'error',
        13,
        'toy_populate: calls toy_get_pages(), which allocates with kvmalloc_array(GFP_KERNEL) (patch 1) and may enter reclaim, while holding &tdev->lru_lock, which the shrinker takes (toy_scan: mutex_lock(&tdev->lru_lock))',
      ],
    ]);
  });

  it('is nothing when the shrinker takes no lock the caller holds', async () => {
    expect(await check('\tspin_lock(&tdev->stats_lock);')).toEqual([]);
  });
});

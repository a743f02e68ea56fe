import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSeries, SERIES_CHECKS } from '../../../../src/analyzers/series/checks/index.js';
import { readSeries } from '../../../../src/ingest/series/index.js';
import { FINDING_IDS } from '../../../../src/model/finding.js';
import type { PatchSeries } from '../../../../src/model/series.js';
import { toyPatchMail } from '../../../helpers/series.js';
import { fixture } from '../../../helpers/shared.js';

const brief = (series: PatchSeries, options: Parameters<typeof checkSeries>[1] = {}) =>
  checkSeries(series, options).map((f) => [f.id, f.severity, f.patch, f.line, f.confidence]);

const clone = (s: PatchSeries): PatchSeries => structuredClone(s);

describe('checkSeries', () => {
  let v1: PatchSeries;
  let v2: PatchSeries;
  beforeAll(async () => {
    v1 = await readSeries(fixture('series-min', 'v1'));
    v2 = await readSeries(fixture('series-min', 'v2'));
  });

  it('is one table row per global finding id', () => {
    for (const c of SERIES_CHECKS) expect(FINDING_IDS[c.id]).toBeTypeOf('string');
    expect(SERIES_CHECKS.map((c) => c.id)).toEqual([
      'PATCH_CORRUPT',
      'VERSION_MISMATCH',
      'NUMBERING_GAP',
      'MISSING_COVER_LETTER',
      'MISSING_CHANGELOG',
      'CHANGELOG_INCOMPLETE',
      'MISSING_SIGNOFF',
      'BAD_FIXES_TAG',
      'BLOCKING_LOCK_IN_SHRINKER',
      'ALLOC_UNDER_RECLAIM_LOCK',
      'UNBALANCED_LOCK',
      'LOCKED_WITHOUT_ASSERT',
    ]);
  });

  it('finds every hazard of the toy v1 series on its patch and line', () => {
    expect(brief(v1)).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 1, 60, 'hunk'],
      ['BAD_FIXES_TAG', 'error', 2, null, 'series'],
      ['UNBALANCED_LOCK', 'warning', 2, 84, 'hunk'],
      ['ALLOC_UNDER_RECLAIM_LOCK', 'error', 2, 89, 'hunk'],
      ['MISSING_SIGNOFF', 'error', 3, null, 'series'],
      ['LOCKED_WITHOUT_ASSERT', 'warning', 3, 97, 'hunk'],
    ]);
    const blocking = checkSeries(v1).find((f) => f.id === 'BLOCKING_LOCK_IN_SHRINKER')!;
    expect(blocking).toMatchObject({ file: 'drivers/gpu/drm/toy/toy_gem.c', evidence: 'patch' });
    expect(blocking.message).toBe(
      'toy_shrinker_scan (scan_objects) takes dma_resv_lock(bo->resv) without trylock: reclaim would sleep on a lock its callers may hold while allocating',
    );
    const unbalanced = checkSeries(v1).find((f) => f.id === 'UNBALANCED_LOCK')!;
    expect(unbalanced.message).toContain('leaving at line 91');
  });

  it('checks a Fixes: line a blank line keeps out of the trailer block, as checkpatch does', () => {
    const s = clone(v2);
    const p = s.patches.find((x) => x.index === 1)!;
    p.body = `${p.body}\n\nFixes: 85d2c16b1234 foo: add foo_add`;
    expect(brief(s).filter(([id]) => id === 'BAD_FIXES_TAG')).toEqual([
      ['BAD_FIXES_TAG', 'error', 1, null, 'series'],
    ]);
    p.body = `${p.body.slice(0, p.body.lastIndexOf('Fixes:'))}Fixes: 85d2c16b1234 ("foo: add foo_add")`;
    expect(brief(s).filter(([id]) => id === 'BAD_FIXES_TAG')).toEqual([]);
  });

  it('finds nothing in the fixed v2, with or without the previous version', () => {
    expect(brief(v2)).toEqual([]);
    expect(brief(v2, { previous: v1 })).toEqual([]);
  });

  it('leaves out ignored ids', () => {
    expect(
      brief(v1, { ignore: ['UNBALANCED_LOCK', 'BAD_FIXES_TAG', 'MISSING_SIGNOFF', 'LOCKED_WITHOUT_ASSERT'] }),
    ).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 1, 60, 'hunk'],
      ['ALLOC_UNDER_RECLAIM_LOCK', 'error', 2, 89, 'hunk'],
    ]);
  });

  it('CHANGELOG_INCOMPLETE (with --previous) when the changelog names none of the changed patches', () => {
    const vague = clone(v2);
    vague.cover!.changelog = [{ version: 2, items: ['Rebased on drm-misc-next'] }];
    const found = checkSeries(vague, { previous: v1 }).filter((f) => f.id === 'CHANGELOG_INCOMPLETE');
    expect(found.map((f) => [f.severity, f.patch])).toEqual([
      ['warning', 1],
      ['warning', 2],
      ['warning', 3],
    ]);
    expect(checkSeries(vague).some((f) => f.id === 'CHANGELOG_INCOMPLETE')).toBe(false);
  });

  it('checks the form: versions, numbering, cover letter, changelog, sign-off by the author', () => {
    const s = clone(v2);
    s.patches[1]!.version = 3;
    s.patches.splice(2, 1);
    s.patches[0]!.author = { name: 'Other Person', email: 'other@example.org' };
    s.cover!.changelog = [];
    expect(brief(s)).toEqual([
      ['NUMBERING_GAP', 'error', null, null, 'series'],
      ['MISSING_CHANGELOG', 'warning', 0, null, 'series'],
      ['MISSING_SIGNOFF', 'error', 1, null, 'series'],
      ['VERSION_MISMATCH', 'error', 2, null, 'series'],
    ]);
    expect(checkSeries(s).find((f) => f.id === 'NUMBERING_GAP')!.message).toBe('missing patch 3 of 3');
    const noCover = clone(v2);
    noCover.cover = null;
    expect(brief(noCover)).toEqual([
      ['MISSING_COVER_LETTER', 'warning', null, null, 'series'],
      ['MISSING_CHANGELOG', 'warning', null, null, 'series'],
    ]);
  });

  it('follows the shrinker path into functions the series adds (BLOCKING_LOCK_IN_SHRINKER in a helper)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-path-'));
    try {
      const added = [
        'static void toy_release_one(struct toy_device *tdev, struct toy_bo *bo)',
        '{',
        '\tmutex_lock(&tdev->lru_lock);',
        '\tlist_del(&bo->lru_node);',
        '\tmutex_unlock(&tdev->lru_lock);',
        '}',
        '',
        'static unsigned long toy_scan(struct shrinker *s, struct shrink_control *sc)',
        '{',
        '\ttoy_release_one(s->private_data, NULL);',
        '\treturn 0;',
        '}',
        '',
        'static const struct shrinker_ops toy_ops = {',
        '\t.scan_objects = toy_scan,',
        '};',
      ];
      const mail = toyPatchMail('drm/toy: add a scan callback', added);
      writeFileSync(join(dir, 'scan.patch'), mail);
      const series = await readSeries(join(dir, 'scan.patch'));
      const found = checkSeries(series).filter((f) => f.id === 'BLOCKING_LOCK_IN_SHRINKER');
      expect(found.map((f) => [f.patch, f.file, f.line, f.message])).toEqual([
        [
          1,
          'toy.c',
          4,
          'toy_release_one (called from toy_scan, scan_objects) takes mutex_lock(&tdev->lru_lock) without trylock: reclaim would sleep on a lock its callers may hold while allocating',
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a patch that could not be read in full as PATCH_CORRUPT, naming its file and line', () => {
    const series = clone(v1);
    series.patches[1]!.corrupt = {
      path: 'v1/v1-0002-drm-toy-allocate-the-page-array-on-demand.patch',
      line: 21,
      message: 'line not part of the diff: @@ -96,3 +96,X3 @@',
    };
    const corrupt = checkSeries(series).filter((f) => f.id === 'PATCH_CORRUPT');
    expect(corrupt).toEqual([
      {
        id: 'PATCH_CORRUPT',
        severity: 'error',
        evidence: 'patch',
        patch: 2,
        file: null,
        line: null,
        confidence: 'series',
        message:
          'patch seems to be corrupt (line wrapped?) at v1/v1-0002-drm-toy-allocate-the-page-array-on-demand.patch:21, its diff not read in full (the checks miss what was lost): line not part of the diff: @@ -96,3 +96,X3 @@',
      },
    ]);
    expect(checkSeries(series, { ignore: ['PATCH_CORRUPT'] }).map((f) => f.id)).not.toContain(
      'PATCH_CORRUPT',
    );
    expect(checkSeries(v1).map((f) => f.id)).not.toContain('PATCH_CORRUPT');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairSeries } from '../../../src/analyzers/series/pairing.js';
import type { Patch, PatchSeries } from '../../../src/model/series.js';
import { makePatch } from '../../helpers/series.js';

function patch(index: number, subject: string, diff: string, body = 'Body.'): Patch {
  return makePatch({
    index,
    subject,
    body,
    trailers: [{ name: 'Signed-off-by', value: 'Ada Kernel <ada@example.org>' }],
    diff,
  });
}

function series(version: number, patches: Patch[]): PatchSeries {
  return {
    source: `test:v${version}`,
    version,
    total: patches.length,
    cover: null,
    patches: patches.map((p) => ({ ...p, version, total: patches.length })),
    diagnostics: [],
  };
}

function fileDiff(path: string, at: number, fn: string, lines: string[]): string {
  return [
    `diff --git a/${path} b/${path}`,
    'index 1111111..2222222 100644',
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -${at},3 +${at},${3 + lines.length} @@ ${fn}`,
    ' {',
    ...lines,
    ' }',
    '',
  ].join('\n');
}

const ALLOC = fileDiff('drivers/gpu/drm/lab/lab_obj.c', 10, 'struct lab_obj *lab_obj_create(size_t size)', [
  '+\tstruct lab_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);',
  '+\tif (!obj)',
  '+\t\treturn NULL;',
  '+\tdma_resv_init(&obj->resv);',
]);
const COUNT = fileDiff(
  'drivers/gpu/drm/lab/lab_shrinker.c',
  20,
  'static unsigned long lab_count(struct shrinker *s,',
  [
    '+\tunsigned long n = 0;',
    '+\tstruct lab_obj *obj;',
    '+\tlist_for_each_entry(obj, &lab_lru, node)',
    '+\t\tn += obj->purgeable ? obj->pages : 0;',
    '+\treturn n ?: SHRINK_EMPTY;',
  ],
);
const scan = (lock: string) =>
  fileDiff('drivers/gpu/drm/lab/lab_shrinker.c', 40, 'static unsigned long lab_scan(struct shrinker *s,', [
    '+\tstruct lab_obj *obj, *tmp;',
    '+\tunsigned long freed = 0;',
    '+\tlist_for_each_entry_safe(obj, tmp, &lab_lru, node) {',
    `+\t\t${lock}`,
    '+\t\tfreed += lab_obj_purge(obj);',
    '+\t\tdma_resv_unlock(obj->resv);',
    '+\t}',
    '+\treturn freed;',
  ]);
const DEBUGFS = fileDiff(
  'drivers/gpu/drm/lab/lab_debugfs.c',
  5,
  'static int lab_stats_show(struct seq_file *m, void *v)',
  ['+\tseq_printf(m, "objects: %lu\\n", lab_nr_objects);', '+\treturn 0;'],
);
const EVICT = fileDiff('drivers/gpu/drm/lab/lab_obj.c', 60, 'int lab_obj_evict(struct lab_obj *obj)', [
  '+\tdma_resv_assert_held(obj->resv);',
  '+\tshmem_truncate_range(file_inode(obj->filp), 0, (loff_t)-1);',
  '+\tobj->evicted = true;',
  '+\treturn 0;',
]);

describe('pairSeries', () => {
  const v5 = series(5, [
    patch(1, 'drm/lab: Add object allocator', ALLOC),
    patch(2, 'drm/lab: Add shrinker count callback', COUNT),
    patch(3, 'drm/lab: Purge objects from the shrinker scan', scan('dma_resv_lock(obj->resv, NULL);')),
    patch(4, 'drm/lab: Add debugfs statistics', DEBUGFS),
  ]);
  const v6 = series(6, [
    patch(1, 'drm/lab: Add object allocator', ALLOC.replace('@@ -10,3 +10,7 @@', '@@ -12,3 +12,7 @@')),
    patch(2, 'drm/lab: Count purgeable pages in the shrinker', COUNT),
    patch(
      3,
      'drm/lab: Purge objects from the shrinker scan',
      scan('if (!dma_resv_trylock(obj->resv)) continue;'),
    ),
    patch(4, 'drm/lab: Add a separate evict path', EVICT),
  ]);
  const pairs = pairSeries(v5, v6);
  const rows = pairs.map((p) => [p.old?.index ?? null, p.status, p.new?.index ?? null, p.changed]);

  it('pairs like git range-diff: =, !, <, > in range-diff order', () => {
    expect(rows).toEqual([
      [1, '=', 1, []],
      [2, '!', 2, ['subject']],
      [3, '!', 3, ['diff']],
      [4, '<', null, []],
      [null, '>', 4, []],
    ]);
  });

  it('pairs a renamed subject over an unchanged diff', () => {
    const renamed = pairs[1]!;
    expect(renamed.old!.subject).toBe('drm/lab: Add shrinker count callback');
    expect(renamed.new!.subject).toBe('drm/lab: Count purgeable pages in the shrinker');
    expect(renamed.score).toBeGreaterThan(0.7);
  });

  it('pairs a changed diff under the same subject', () => {
    const reworked = pairs[2]!;
    expect(reworked.old!.subject).toBe(reworked.new!.subject);
    expect(reworked.score).toBeGreaterThan(0.8);
    expect(reworked.score).toBeLessThan(1);
  });

  it('treats a rebase (moved hunks, new index lines) as unchanged', () => {
    expect(pairs[0]!.score).toBe(1);
  });

  it('does not pair a reordered series by position but by content', () => {
    const swapped = series(6, [v6.patches[2]!, v6.patches[0]!, v6.patches[1]!]);
    const again = pairSeries(v5, swapped).map((p) => [p.old?.index ?? null, p.status, p.new?.index ?? null]);
    expect(again).toEqual([
      [3, '!', 3],
      [1, '=', 1],
      [2, '!', 2],
      [4, '<', null],
    ]);
  });

  it('reports every patch as dropped or added when nothing is alike', () => {
    const other = series(6, [patch(1, 'net: Fix a typo', DEBUGFS.replace(/lab/g, 'net'))]);
    const one = series(5, [patch(1, 'drm/lab: Add object allocator', ALLOC)]);
    expect(pairSeries(one, other).map((p) => p.status)).toEqual(['<', '>']);
  });

  it('handles empty series', () => {
    expect(pairSeries(series(5, []), series(6, []))).toEqual([]);
  });
});

describe('pairSeries properties', () => {
  const patchArb = fc.record({
    subject: fc.stringMatching(/^[a-z]{3,8}: [A-Za-z ]{5,30}$/),
    lines: fc.array(fc.stringMatching(/^[a-z_(); =0-9]{1,30}$/), { minLength: 1, maxLength: 8 }),
  });
  const build = (version: number, ps: { subject: string; lines: string[] }[]) =>
    series(
      version,
      ps.map((p, k) =>
        patch(
          k + 1,
          p.subject,
          fileDiff(
            `f${k}.c`,
            1,
            'f(void)',
            p.lines.map((l) => `+${l}`),
          ),
        ),
      ),
    );

  it('shows every old and every new patch exactly once, in new-series order', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 8 }), fc.array(patchArb, { maxLength: 8 }), (a, b) => {
        const pairs = pairSeries(build(5, a), build(6, b));
        const olds = pairs.flatMap((p) => (p.old ? [p.old.index] : []));
        const news = pairs.flatMap((p) => (p.new ? [p.new.index] : []));
        expect([...olds].sort((x, y) => x - y)).toEqual(a.map((_, k) => k + 1));
        expect(news).toEqual(b.map((_, k) => k + 1));
        for (const p of pairs)
          expect(p.status === '<' || p.status === '>').toBe(p.old === null || p.new === null);
      }),
    );
  });

  it('pairs a series with itself as all `=`', () => {
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 8 }), (a) => {
        const s = build(5, a);
        expect(pairSeries(s, s).map((p) => [p.status, p.old?.index, p.new?.index])).toEqual(
          a.map((_, k) => ['=', k + 1, k + 1]),
        );
      }),
    );
  });
});

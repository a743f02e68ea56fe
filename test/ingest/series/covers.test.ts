import { describe, expect, it } from 'vitest';
import { readSeries } from '../../../src/ingest/series/index.js';
import { SHARED, sharedPath } from '../../helpers/shared.js';

/**
 * The real cover letters in ../shared/corpus/series (raw list messages:
 * base64 bodies with CRLF, list-mangled subjects). Expected values were
 * written from reading the letters: version, total, and for each changelog
 * section its version, item count and first item.
 */
const V2 = [2, 3, 'Changed locking specification to avoid problems with a cross-driver ww locking'] as const;
const V3 = [
  3,
  7,
  'Factored out dma_buf_mmap_unlocked() and attachment functions into aseparate patches',
] as const;
const V4 = [4, 5, 'Added dma_buf_mmap() to the "locking convention" documentation'] as const;
const V5 = [5, 2, 'Added acks and r-bs that were given to v4.'] as const;
const V6 = [6, 3, 'Added r-b from Michael Ruhl to the i915 patch.'] as const;
const V7 = [7, 3, 'Rebased on top of recent drm-misc-next.'] as const;

const COVERS: Record<
  string,
  { version: number; total: number; changelog: (readonly [number, number, string])[] }
> = {
  'dmabuf-locking-v1-0000-cover.txt': { version: 1, total: 6, changelog: [] },
  'dmabuf-locking-v2-0000-cover.txt': { version: 2, total: 5, changelog: [V2] },
  'dmabuf-locking-v3-0000-cover.txt': { version: 3, total: 9, changelog: [V3, V2] },
  'dmabuf-locking-v4-0000-cover.txt': { version: 4, total: 21, changelog: [V4, V3, V2] },
  'dmabuf-locking-v5-0000-cover.txt': { version: 5, total: 21, changelog: [V5, V4, V3, V2] },
  'dmabuf-locking-v6-0000-cover.txt': { version: 6, total: 21, changelog: [V6, V5, V4, V3, V2] },
  'dmabuf-locking-v7-0000-cover.txt': { version: 7, total: 21, changelog: [V7, V6, V5, V4, V3, V2] },
  'v6-0000-cover.txt': {
    version: 6,
    total: 22,
    changelog: [
      [
        6,
        7,
        "Added new VirtIO-related fix patch that previously was sent separately and didn't get much attention: drm/gem: Properly annotate WW context",
      ],
      [5, 10, 'Added new for-stable patch "drm/panfrost: Put mapping instead of shmem obj on'],
      [4, 2, 'Corrected minor W=1 warnings reported by kernel test robot for v3.'],
      [3, 19, "Hardened shrinker's count() with usage of READ_ONCE()"],
      [2, 5, 'Improved shrinker by using a more fine-grained locking'],
    ],
  },
};

describe.skipIf(!SHARED)('real cover letters (../shared/corpus/series)', () => {
  for (const [file, want] of Object.entries(COVERS)) {
    it(`${file}: v${want.version}, ${want.total} patches, ${want.changelog.length} changelog sections`, async () => {
      const series = await readSeries(sharedPath('corpus', 'series', file));
      expect(series.version).toBe(want.version);
      expect(series.total).toBe(want.total);
      expect(series.patches).toEqual([]);
      expect(series.cover?.author).toEqual({
        name: 'Dmitry Osipenko',
        email: 'dmitry.osipenko@collabora.com',
      });
      const got = series.cover!.changelog;
      expect(got.map((s) => [s.version, s.items.length])).toEqual(want.changelog.map(([v, n]) => [v, n]));
      for (const [i, s] of got.entries()) expect(s.items[0]).toContain(want.changelog[i]![2]);
    });
  }

  it('joins nested bullets and wrapped lines into their item (shrinker v6: "Reworked shrinker patches")', async () => {
    const series = await readSeries(sharedPath('corpus', 'series', 'v6-0000-cover.txt'));
    const v6 = series.cover!.changelog[0]!;
    expect(v6.items[6]).toMatch(
      /^Reworked shrinker patches like was suggested by Daniel Vetter: Introduced the new locking convention/,
    );
    expect(v6.items[6]).toContain('Dropped dynamic counting of evictable pages.');
    expect(series.cover!.subject).toBe('Add generic memory shrinker to VirtIO-GPU and Panfrost DRM drivers');
  });
});

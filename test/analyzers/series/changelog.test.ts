import { describe, expect, it } from 'vitest';
import { changelogItems, checkChangelog } from '../../../src/analyzers/series/changelog.js';
import type { SeriesPair } from '../../../src/analyzers/series/pairing.js';
import type { ChangelogSection, Patch, PatchSeries } from '../../../src/model/series.js';
import { makePatch } from '../../helpers/series.js';

function patch(index: number, version: number, subject: string, extra: Partial<Patch> = {}): Patch {
  return makePatch({ index, version, subject, ...extra });
}

function series(version: number, patches: Patch[], changelog: ChangelogSection[] = []): PatchSeries {
  return {
    source: `test:v${version}`,
    version,
    total: patches.length,
    cover: { version, total: patches.length, subject: 'Lab shrinker', author: null, body: '', changelog },
    patches,
    diagnostics: [],
  };
}

const SCAN_FILE = {
  oldPath: 'drivers/gpu/drm/lab/lab_shrinker.c',
  newPath: 'drivers/gpu/drm/lab/lab_shrinker.c',
  additions: 4,
  deletions: 1,
  functions: ['lab_scan'],
};

const v5 = series(5, [
  patch(1, 5, 'drm/lab: Add object allocator'),
  patch(2, 5, 'drm/lab: Add shrinker count callback'),
  patch(3, 5, 'drm/lab: Purge objects from the shrinker scan', { files: [SCAN_FILE] }),
  patch(4, 5, 'drm/lab: Add debugfs statistics'),
]);
const v6Patches = [
  patch(1, 6, 'drm/lab: Add object allocator'),
  patch(2, 6, 'drm/lab: Count purgeable pages in the shrinker'),
  patch(3, 6, 'drm/lab: Purge objects from the shrinker scan', { files: [SCAN_FILE] }),
  patch(4, 6, 'drm/lab: Add a separate evict path'),
];
const pairs: SeriesPair[] = [
  { status: '=', old: v5.patches[0]!, new: v6Patches[0]!, score: 1, changed: [] },
  { status: '!', old: v5.patches[1]!, new: v6Patches[1]!, score: 0.8, changed: ['subject'] },
  { status: '!', old: v5.patches[2]!, new: v6Patches[2]!, score: 0.9, changed: ['diff'] },
  { status: '<', old: v5.patches[3]!, new: null, score: 0, changed: [] },
  { status: '>', old: null, new: v6Patches[3]!, score: 0, changed: [] },
];

describe('checkChangelog', () => {
  it('names the subject words an item shares with an unchanged patch, and checks nothing between two copies of a version', () => {
    const v6 = series(6, v6Patches, [
      { version: 6, items: ['Debugfs statistics are gone; the object allocator stays.'] },
    ]);
    const same: SeriesPair[] = v5.patches.map((p) => ({
      status: '=',
      old: p,
      new: p,
      score: 1,
      changed: [],
    }));
    const v5again = series(5, v5.patches, [{ version: 5, items: ['Added debugfs statistics.'] }]);
    expect(checkChangelog(v5, v5again, same)).toEqual([]);
    expect(checkChangelog(v5, v6, pairs).find((f) => f.patch === 1)?.message).toBe(
      'the v6 changelog mentions patch 1 "drm/lab: Add object allocator" (subject words object, allocator: "Debugfs statistics are gone; the object allocator stays.") but it did not change',
    );
  });

  it('flags changed patches it omits and unchanged patches it names', () => {
    const v6 = series(6, v6Patches, [
      {
        version: 6,
        items: [
          'Switched lab_scan() to dma_resv_trylock() so the shrinker never blocks on a reservation lock.',
          'Added new patch: "drm/lab: Add a separate evict path"',
          'Reworded the commit message of "drm/lab: Add object allocator"',
        ],
      },
      { version: 5, items: ['Added debugfs statistics.'] },
    ]);
    const findings = checkChangelog(v5, v6, pairs);
    expect(findings.map((f) => [f.id, f.severity, f.patch, f.confidence])).toEqual([
      ['CHANGELOG_INCOMPLETE', 'warning', 1, 'series'],
      ['CHANGELOG_INCOMPLETE', 'warning', 2, 'series'],
      ['CHANGELOG_INCOMPLETE', 'warning', null, 'series'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'the v6 changelog mentions patch 1 "drm/lab: Add object allocator" (subject: "Reworded the commit message of "drm/lab: Add object allocator"") but it did not change',
      'patch 2 "drm/lab: Count purgeable pages in the shrinker" changed (subject) but the v6 changelog does not mention it',
      'v5 patch 4 "drm/lab: Add debugfs statistics" was dropped but the v6 changelog does not mention it',
    ]);
  });

  it('accepts mentions by patch number, quoted subject part, file and subject words', () => {
    const v6 = series(6, v6Patches, [
      {
        version: 6,
        items: [
          'Patches 2-3: count only purgeable pages.',
          'Changed lab_shrinker.c to trylock.',
          'Dropped the debugfs statistics patch, it is not needed.',
          'New "Add a separate evict ..." patch.',
        ],
      },
    ]);
    expect(checkChangelog(v5, v6, pairs)).toEqual([]);
  });

  it('needs no mention for a trailer-only change and never flags one', () => {
    const trailersOnly: SeriesPair[] = [
      { status: '!', old: v5.patches[0]!, new: v6Patches[0]!, score: 1, changed: ['trailers'] },
    ];
    const v6 = series(
      6,
      [v6Patches[0]!],
      [{ version: 6, items: ['Added r-b to patch 1 "Add object allocator".'] }],
    );
    expect(checkChangelog(v5, v6, trailersOnly)).toEqual([]);
  });

  it('says nothing without a changelog (MISSING_CHANGELOG is series check’s)', () => {
    expect(checkChangelog(v5, series(6, v6Patches, []), pairs)).toEqual([]);
  });
});

describe('changelogItems', () => {
  it('takes the section for the new version, else the unversioned list', () => {
    const versioned = series(
      6,
      [],
      [
        { version: 6, items: ['a'] },
        { version: 5, items: ['b'] },
      ],
    );
    expect(changelogItems(versioned)).toEqual(['a']);
    const plain = series(6, [], [{ version: null, items: ['c', 'd'] }]);
    expect(changelogItems(plain)).toEqual(['c', 'd']);
  });
});

describe('checkChangelog mentions through the locking interdiff', () => {
  const resv = (primitive: string, kind: 'lock' | 'trylock') => ({
    kind,
    primitive,
    family: 'dma_resv',
    lock: 'obj->resv',
    gfp: null,
    role: null,
    function: 'lab_scan',
    file: 'lab.c',
    line: 10,
    change: 'added' as const,
    confidence: 'hunk' as const,
  });
  it('counts a changelog item naming a lock call that changed as a mention', () => {
    const old = patch(6, 5, 'lab: Register a generic memory shrinker', {
      lockOps: [resv('dma_resv_lock', 'lock')],
    });
    const next = patch(6, 6, 'lab: Register a generic memory shrinker', {
      lockOps: [resv('dma_resv_trylock', 'trylock')],
    });
    const pair: SeriesPair[] = [{ status: '!', old, new: next, score: 0.9, changed: ['diff'] }];
    const item = (text: string) => series(6, [next], [{ version: 6, items: [text] }]);
    const before = series(5, [old]);
    expect(
      checkChangelog(before, item('The shrinker must not sleep: use dma_resv_trylock().'), pair),
    ).toEqual([]);
    expect(checkChangelog(before, item('Rebased on drm-misc-next.'), pair).map((f) => f.patch)).toEqual([6]);
  });
});

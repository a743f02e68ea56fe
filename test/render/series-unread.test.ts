import { describe, expect, it } from 'vitest';
import type { PatchSeries } from '../../src/model/series.js';
import { unreadPatchLines } from '../../src/render/series-unread.js';
import { makePatch } from '../helpers/series.js';

const series = (patches: PatchSeries['patches']): PatchSeries => ({
  source: 'dir:v5',
  version: 5,
  total: 9,
  cover: null,
  patches,
  diagnostics: [],
});
const corrupt = { path: 'v5/x.patch', line: 100, message: 'line not part of the diff: @@ -0,0 +1,87 @ @' };

describe('unreadPatchLines', () => {
  it('says which patches could not be read in full: one line, wrapped at 80 columns when long', () => {
    expect(unreadPatchLines(series([makePatch({ index: 6, total: 9, corrupt })]))).toEqual([
      'warning: patch 6/9 could not be read in full: its locking is incomplete',
    ]);
    expect(
      unreadPatchLines(
        series([makePatch({ index: 2, total: 9, corrupt }), makePatch({ index: 6, total: 9, corrupt })]),
        'v5 ',
      ),
    ).toEqual(['warning: v5 patches 2/9, 6/9 could not be read in full: their locking is', '  incomplete']);
  });

  it('is empty when every patch was read', () => {
    expect(unreadPatchLines(series([makePatch({ index: 1, total: 9 })]))).toEqual([]);
  });
});

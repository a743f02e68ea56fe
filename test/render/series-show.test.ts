import { describe, expect, it } from 'vitest';
import type { PatchSeries } from '../../src/model/series.js';
import { renderSeriesShow } from '../../src/render/series-show.js';
import { makePatch } from '../helpers/series.js';

describe('renderSeriesShow', () => {
  it('cleans a subject of escape sequences before it is clipped and padded, so columns line up', () => {
    const series: PatchSeries = {
      source: 'mbox:esc.mbox',
      version: 1,
      total: 2,
      cover: null,
      patches: [
        makePatch({
          index: 1,
          total: 2,
          subject: 'd: \x1b[2J\x1b[31mred\x1b]0;title\x07 subject \x9b31m c1 and more words',
        }),
        makePatch({ index: 2, total: 2, subject: 'plain' }),
      ],
      diagnostics: [],
    };
    expect(renderSeriesShow(series).split('\n')).toEqual([
      'v1, 2 patches',
      'no cover letter',
      '',
      'n/N  subject                         files  locking (+ added, - removed)',
      '1/2  d: red subject  c1 and more w…      0  -',
      '2/2  plain                               0  -',
    ]);
  });
});

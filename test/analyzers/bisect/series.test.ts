import { describe, expect, it } from 'vitest';
import { bundleMismatches } from '../../../src/analyzers/bisect/series.js';
import type { PatchRunLog, RunAbout } from '../../../src/model/report.js';
import type { PatchSeries } from '../../../src/model/series.js';
import { makePatch } from '../../helpers/series.js';

const series: PatchSeries = {
  source: 'dir:v6',
  version: 6,
  total: 2,
  cover: null,
  patches: [
    makePatch({ index: 1, total: 2, version: 6, subject: 'lab: Add objects' }),
    makePatch({ index: 2, total: 2, version: 6, subject: 'lab: Purge  objects first' }),
  ],
  diagnostics: [],
};
const run = (index: number, about?: Partial<RunAbout>): PatchRunLog => ({
  index,
  runs: [
    {
      reports: [],
      hadOutput: true,
      ...(about
        ? { about: { path: `r/0${index}/run.json`, series: null, patch: null, subject: null, ...about } }
        : {}),
    },
  ],
});

describe('bundleMismatches', () => {
  it('says which run names another version, patch number, total or subject, and what the series has', () => {
    expect(
      bundleMismatches(
        [
          run(1, { series: 'v5', patch: '01/02', subject: 'lab: Add objects' }),
          run(2, { series: 'v6', patch: '03/09', subject: 'lab: Swap in' }),
        ],
        series,
      ),
    ).toEqual([
      'r/01/run.json: a run of v5 patch 01/02 "lab: Add objects", but the series is v6',
      'r/02/run.json: a run of v6 patch 03/09 "lab: Swap in", but its bundle is 02, the series has 2 patches, the series\' patch 2 is "lab: Purge  objects first"',
    ]);
  });

  it('passes runs that agree (whitespace aside), runs without run.json, and fields that are absent', () => {
    expect(
      bundleMismatches(
        [
          run(0, { series: 'v6', patch: '00/02', subject: 'base' }),
          run(1, { series: 'v6', patch: '01/02', subject: 'lab: Add objects' }),
          run(2, { subject: 'lab: Purge objects first' }),
          run(2),
        ],
        series,
      ),
    ).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { groupBySignature } from '../../../src/analyzers/triage/group.js';
import { report } from '../../helpers/report.js';

describe('groupBySignature', () => {
  it('folds identical signatures across files in order of first appearance', () => {
    const a = report({
      signature: 'circular-dependency:fs_reclaim|lab_shrinker_lock',
      title: 'possible deadlock in lab_scan',
      startLine: 277,
    });
    const b = report({
      kind: 'recursive-locking',
      signature: 'recursive-locking:lab_lock',
      title: 'possible deadlock in lab_x',
      startLine: 9,
    });
    const c = report({
      signature: 'circular-dependency:fs_reclaim|lab_shrinker_lock',
      title: 'possible deadlock in lab_alloc',
      startLine: 40,
    });
    expect(
      groupBySignature([
        { path: 'one.log', reports: [a, b] },
        { path: 'two.log', reports: [c] },
      ]),
    ).toEqual([
      {
        signature: 'circular-dependency:fs_reclaim|lab_shrinker_lock',
        kind: 'circular-dependency',
        title: 'possible deadlock in lab_scan',
        count: 2,
        occurrences: [
          { path: 'one.log', startLine: 277 },
          { path: 'two.log', startLine: 40 },
        ],
      },
      {
        signature: 'recursive-locking:lab_lock',
        kind: 'recursive-locking',
        title: 'possible deadlock in lab_x',
        count: 1,
        occurrences: [{ path: 'one.log', startLine: 9 }],
      },
    ]);
  });
});

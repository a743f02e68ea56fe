import { describe, expect, it } from 'vitest';
import { diffSignatures } from '../../../src/analyzers/triage/diff.js';
import { groupBySignature } from '../../../src/analyzers/triage/group.js';
import { report } from '../../helpers/report.js';

const v5 = groupBySignature([
  {
    path: 'v5.log',
    reports: [
      report({ signature: 'circular-dependency:fs_reclaim|reservation_ww_class_mutex' }),
      report({ signature: 'bad-unlock-balance:x' }),
    ],
  },
]);
const v6 = groupBySignature([
  {
    path: 'v6.log',
    reports: [
      report({ signature: 'bad-unlock-balance:x' }),
      report({ signature: 'circular-dependency:a|b' }),
      report({ signature: 'recursive-locking:k' }),
    ],
  },
]);

describe('diffSignatures', () => {
  it('sorts signatures into new, gone and both', () => {
    const d = diffSignatures(v5, v6);
    expect(d.new.map((g) => g.signature)).toEqual(['circular-dependency:a|b', 'recursive-locking:k']);
    expect(d.gone.map((g) => g.signature)).toEqual([
      'circular-dependency:fs_reclaim|reservation_ww_class_mutex',
    ]);
    expect(d.both.map((p) => p.head.signature)).toEqual(['bad-unlock-balance:x']);
    expect(d.knownNew).toEqual([]);
  });

  it('never counts a known signature as new', () => {
    const d = diffSignatures(v5, v6, new Set(['recursive-locking:k']));
    expect(d.new.map((g) => g.signature)).toEqual(['circular-dependency:a|b']);
    expect(d.knownNew.map((g) => g.signature)).toEqual(['recursive-locking:k']);
  });
});

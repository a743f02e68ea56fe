import { describe, expect, it } from 'vitest';
import { sourceLabel } from '../../src/render/series-diff.js';

describe('sourceLabel', () => {
  it('cuts full commit hashes to 12 hex digits, and leaves short ones and names alone', () => {
    expect(sourceLabel('git:f230ab47fa20f1752c7669c078cbf42a4a3469af..b4/foo-v1')).toBe(
      'git:f230ab47fa20..b4/foo-v1',
    );
    expect(sourceLabel(`git:${'ab'.repeat(32)}..${'c'.repeat(40)}`)).toBe(
      `git:${'ab'.repeat(6)}..${'c'.repeat(12)}`,
    );
    expect(sourceLabel('git:f230ab47fa20..HEAD')).toBe('git:f230ab47fa20..HEAD');
    expect(sourceLabel('dir:fixtures/series/v5')).toBe('dir:fixtures/series/v5');
  });
});

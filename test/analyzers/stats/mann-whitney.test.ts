import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../../src/analyzers/stats/mann-whitney.js';

// Expected values from scipy 1.17.1: mannwhitneyu(x, y, alternative=..., method='asymptotic').
describe('mannWhitneyU', () => {
  const x = [19, 22, 16, 29, 24];
  const y = [20, 11, 17, 12];

  it('matches scipy two-sided on a textbook sample', () => {
    const r = mannWhitneyU(x, y, 'two-sided');
    expect(r.u).toBe(17);
    expect(r.p).toBeCloseTo(0.11134688653314041, 6);
  });

  it('matches scipy one-sided (greater)', () => {
    expect(mannWhitneyU(x, y, 'greater').p).toBeCloseTo(0.055673443266570206, 6);
  });

  it('handles ties like scipy and is symmetric between greater and less', () => {
    const a = [1, 2, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    const b = a.map((v) => v + 5);
    const greater = mannWhitneyU(b, a, 'greater');
    expect(greater.u).toBe(350.5);
    expect(greater.p).toBeCloseTo(0.005577310542673716, 6);
    const less = mannWhitneyU(a, b, 'less');
    expect(less.u).toBe(133.5);
    expect(less.p).toBeCloseTo(0.005577310542673716, 6);
  });

  it('gives p = 1 for identical constant samples and NaN for an empty side', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5], 'greater').p).toBe(1);
    expect(mannWhitneyU([], [1], 'greater').p).toBeNaN();
  });
});

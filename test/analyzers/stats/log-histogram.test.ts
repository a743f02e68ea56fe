import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketTable, LogHistogram } from '../../../src/analyzers/stats/log-histogram.js';
import { Reservoir } from '../../../src/analyzers/stats/reservoir.js';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe('LogHistogram', () => {
  it('gives exact count, total, max and 1%-bounded quantiles on a small sample', () => {
    const h = new LogHistogram();
    const values = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 1_000_000];
    for (const v of values) h.add(v);
    const s = h.summary();
    expect(s.count).toBe(10);
    expect(s.total).toBe(1_045_000);
    expect(s.max).toBe(1_000_000);
    expect(Math.abs(s.p50! - 5000) / 5000).toBeLessThanOrEqual(0.01);
    expect(s.p99).toBe(1_000_000);
  });

  it('counts zeros exactly and reports null quantiles when empty', () => {
    const h = new LogHistogram();
    expect(h.summary()).toEqual({ count: 0, total: 0, p50: null, p99: null, max: null });
    h.add(0);
    h.add(0);
    h.add(-5);
    h.add(10);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.quantile(1)).toBe(10);
  });

  it('stays within 1% of the exact nearest-rank quantile for any sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000_000 }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0.01, 0.1, 0.5, 0.9, 0.99, 1),
        (values, q) => {
          const h = new LogHistogram();
          for (const v of values) h.add(v);
          const exact = exactQuantile(
            [...values].sort((a, b) => a - b),
            q,
          );
          const approx = h.quantile(q)!;
          if (exact === 0) return approx === 0;
          return Math.abs(approx - exact) / exact <= 0.01 + 1e-12;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders fractional, nanosecond and huge samples across its dense and sparse buckets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ min: 0.001, max: 0.999, noNaN: true }),
            fc.integer({ min: 1, max: 5_000_000_000 }),
            fc.double({ min: 1e36, max: 1e40, noNaN: true }),
          ),
          { minLength: 1, maxLength: 200 },
        ),
        fc.constantFrom(0.01, 0.25, 0.5, 0.75, 0.99),
        (values, q) => {
          const h = new LogHistogram();
          for (const v of values) h.add(v);
          const exact = exactQuantile(
            [...values].sort((a, b) => a - b),
            q,
          );
          return Math.abs(h.quantile(q)! - exact) / exact <= 0.01 + 1e-12;
        },
      ),
      { numRuns: 300 },
    );
    const h = new LogHistogram();
    for (const v of [0.5, 0.25, 1e38, 100, 1000]) h.add(v);
    expect(h.quantile(0.2)).toBeCloseTo(0.25, 2);
    expect(h.quantile(0.4)).toBeCloseTo(0.5, 2);
    expect(Math.abs(h.quantile(0.6)! - 100) / 100).toBeLessThanOrEqual(0.01);
    expect(Math.abs(h.quantile(0.8)! - 1000) / 1000).toBeLessThanOrEqual(0.01);
    expect(h.quantile(1)).toBe(1e38);
  });
});

describe('Reservoir', () => {
  it('keeps everything below capacity and exactly capacity samples above it, deterministically', () => {
    const a = new Reservoir(10);
    const b = new Reservoir(10);
    for (let i = 0; i < 5; i++) a.add(i);
    expect(a.samples).toEqual([0, 1, 2, 3, 4]);
    for (let i = 5; i < 1000; i++) a.add(i);
    for (let i = 0; i < 1000; i++) b.add(i);
    expect(a.samples).toHaveLength(10);
    expect(a.seen).toBe(1000);
    expect(a.samples).toEqual(b.samples);
  });

  it('keeps every position with the same probability (capacity / stream length)', () => {
    // 4000 seeded reservoirs of 10 over a stream of 200: each position kept 200 times on average
    const kept = new Array<number>(200).fill(0);
    for (let seed = 1; seed <= 4000; seed++) {
      const r = new Reservoir(10, seed * 2654435761);
      for (let i = 0; i < 200; i++) r.add(i);
      for (const v of r.samples) kept[v]!++;
    }
    const firstHalf = kept.slice(0, 100).reduce((a, b) => a + b, 0);
    expect(firstHalf / 40000).toBeGreaterThan(0.47);
    expect(firstHalf / 40000).toBeLessThan(0.53);
    // no position far from its expected 200 (a binomial sd of about 14)
    expect(Math.min(...kept)).toBeGreaterThan(140);
    expect(Math.max(...kept)).toBeLessThan(260);
  });
});

describe('BucketTable', () => {
  it('gives ceil(log_γ v) without a logarithm: every integer up to 2·10^6, and doubles up to 2^62', () => {
    const gamma = 1.01 / 0.99;
    const lnGamma = Math.log(gamma);
    const table = BucketTable.for(gamma, lnGamma)!;
    const slow = (v: number) => Math.ceil(Math.log(v) / lnGamma);
    // only a value within rounding of a bucket boundary may differ, by one bucket
    const onBoundary = (v: number) =>
      Math.abs(Math.log(v) / lnGamma - Math.round(Math.log(v) / lnGamma)) < 1e-9;
    let differ = 0;
    for (let v = 1; v <= 2_000_000; v++) if (table.index(v) !== slow(v) && !onBoundary(v)) differ++;
    let x = 12345;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const v = 2 ** ((x / 2 ** 32) * 62);
      if (table.index(v) !== slow(v) && !onBoundary(v)) differ++;
    }
    expect(differ).toBe(0);
    expect(BucketTable.for(1.0001, Math.log(1.0001))).toBeNull(); // finer than a table slice
  });
});

/**
 * A log-bucket histogram (the DDSketch construction): a value v > 0 falls in
 * bucket ceil(log_γ v) with γ = (1 + α) / (1 − α), and the bucket's
 * representative 2γ^i / (γ + 1) is within α of every value in it. With
 * α = 0.01 every quantile is within 1% of the exact nearest-rank quantile,
 * and memory grows with log(max/min), not with the number of samples.
 */
export interface DistributionSummary {
  count: number;
  /** Sum of all samples (exact). */
  total: number;
  p50: number | null;
  p99: number | null;
  /** Exact. */
  max: number | null;
}

/** Buckets kept in the packed array: with α = 0.01, values up to γ^4096 ≈ 10^35. */
const DENSE_BUCKETS = 4096;

/** Values below this take the table (2^62 ns is 146 years). */
const FAST_LIMIT = 2 ** 62;
/** Slices per power of two in the table: each narrower than a bucket when γ ≥ 1 + 1/SLICES. */
const SLICE_BITS = 7;
const SLICES = 1 << SLICE_BITS;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the word with the exponent

/**
 * ceil(log_γ v) for v in [1, 2^62) from the double's exponent and top mantissa bits: each
 * slice [2^e·(1 + m/SLICES), 2^e·(1 + (m+1)/SLICES)) is narrower than a bucket, so it holds at
 * most one bucket boundary γ^k; the slice's first bucket and one compare with that boundary give
 * the bucket. The boundaries are γ^k as `Math.exp(k·ln γ)` gives them, the same expression
 * `ceil(ln v / ln γ)` inverts, so both agree except within rounding of a boundary.
 */
export class BucketTable {
  private static readonly cache = new Map<number, BucketTable | null>();
  private readonly first: Int32Array;
  private readonly bound: Float64Array;

  static for(gamma: number, logGamma: number): BucketTable | null {
    let t = BucketTable.cache.get(gamma);
    if (t === undefined) {
      t =
        gamma >= 1 + 1 / SLICES && 62 * Math.LN2 < DENSE_BUCKETS * logGamma
          ? new BucketTable(logGamma)
          : null;
      BucketTable.cache.set(gamma, t);
    }
    return t;
  }

  private constructor(logGamma: number) {
    const buckets = Math.ceil((62 * Math.LN2) / logGamma) + 2;
    this.bound = new Float64Array(buckets);
    for (let k = 0; k < buckets; k++) this.bound[k] = Math.exp(k * logGamma);
    this.first = new Int32Array(62 * SLICES);
    for (let e = 0; e < 62; e++) {
      for (let m = 0; m < SLICES; m++) {
        const low = 2 ** e * (1 + m / SLICES);
        let k = Math.max(0, Math.ceil(Math.log(low) / logGamma) - 1);
        while (this.bound[k]! < low) k++;
        this.first[e * SLICES + m] = k;
      }
    }
  }

  index(v: number): number {
    scratch[0] = v;
    const hi = scratchWords[HI]!;
    const k = this.first[(((hi >>> 20) - 1023) << SLICE_BITS) | ((hi >>> (20 - SLICE_BITS)) & (SLICES - 1))]!;
    return v <= this.bound[k]! ? k : k + 1;
  }
}

export class LogHistogram {
  private readonly gamma: number;
  private readonly logGamma: number;
  /** The bucket of a value in [1, FAST_LIMIT) without a logarithm (null: γ too fine for the table). */
  private readonly fast: BucketTable | null;
  /** Counts of buckets 0 … DENSE_BUCKETS−1 (values ≥ 1: every nanosecond duration) in a packed array. */
  private readonly dense: number[] = [];
  /** Any other bucket (fractional or huge values), rare: index → count. */
  private readonly sparse = new Map<number, number>();
  private zeros = 0;
  count = 0;
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly relativeError = 0.01) {
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.logGamma = Math.log(this.gamma);
    this.fast = BucketTable.for(this.gamma, this.logGamma);
  }

  /** Records a non-negative sample (negative samples, e.g. from clock steps, count as 0). */
  add(value: number): void {
    const v = Math.max(Number.isNaN(value) ? 0 : value, 0);
    this.count++;
    this.total += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v === 0) {
      this.zeros++;
      return;
    }
    const index = v >= 1 && v < FAST_LIMIT && this.fast !== null ? this.fast.index(v) : this.slowIndex(v);
    if (index >= 0 && index < DENSE_BUCKETS) {
      const dense = this.dense;
      // Fill the gap with zeros so the array stays packed (no holes).
      while (dense.length <= index) dense.push(0);
      dense[index]!++;
    } else this.sparse.set(index, (this.sparse.get(index) ?? 0) + 1);
  }

  /** ceil(log_γ v): the bucket of v. */
  private slowIndex(v: number): number {
    return Math.ceil(Math.log(v) / this.logGamma);
  }

  /** The nearest-rank quantile (the ⌈q·n⌉-th smallest sample), within the relative error; null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank >= this.count) return this.max;
    if (rank <= this.zeros) return 0;
    let seen = this.zeros;
    const sparse = [...this.sparse.keys()].sort((a, b) => a - b);
    let k = 0;
    for (; k < sparse.length && sparse[k]! < 0; k++) {
      seen += this.sparse.get(sparse[k]!)!;
      if (seen >= rank) return this.estimate(sparse[k]!);
    }
    for (let index = 0; index < this.dense.length; index++) {
      seen += this.dense[index]!;
      if (seen >= rank) return this.estimate(index);
    }
    for (; k < sparse.length; k++) {
      seen += this.sparse.get(sparse[k]!)!;
      if (seen >= rank) return this.estimate(sparse[k]!);
    }
    return this.max;
  }

  /** The representative of bucket `index`, clamped to the samples' range. */
  private estimate(index: number): number {
    const estimate = (2 * this.gamma ** index) / (this.gamma + 1);
    return Math.min(Math.max(estimate, this.min), this.max);
  }

  summary(): DistributionSummary {
    return {
      count: this.count,
      total: this.total,
      p50: round(this.quantile(0.5)),
      p99: round(this.quantile(0.99)),
      max: this.count === 0 ? null : this.max,
    };
  }
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}

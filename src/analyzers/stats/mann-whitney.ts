/**
 * Mann–Whitney U test (Wilcoxon rank-sum), normal approximation with tie
 * correction and continuity correction, as scipy.stats.mannwhitneyu does
 * with `method='asymptotic'`. Used by `trace diff` to judge whether HEAD's
 * latencies are stochastically greater than BASE's.
 */
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U statistic of the first sample (`x`). */
  u: number;
  z: number;
  p: number;
  nx: number;
  ny: number;
}

export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) return { u: Number.NaN, z: Number.NaN, p: Number.NaN, nx, ny };
  const all = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))];
  all.sort((a, b) => a.v - b.v);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.fromX) rankSumX += rank;
    i = j + 1;
  }
  const n = nx + ny;
  const u = rankSumX - (nx * (nx + 1)) / 2;
  const mean = (nx * ny) / 2;
  const sd = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return { u, z: 0, p: 1, nx, ny };
  let p: number;
  let z: number;
  if (alternative === 'greater') {
    z = (u - mean - 0.5) / sd;
    p = upperTail(z);
  } else if (alternative === 'less') {
    z = (u - mean + 0.5) / sd;
    p = upperTail(-z); // P(Z < z), without the cancellation of 1 − P(Z > z) far in the tail
  } else {
    const big = Math.max(u, nx * ny - u);
    z = (big - mean - 0.5) / sd;
    p = Math.min(1, 2 * upperTail(z));
  }
  return { u, z, p, nx, ny };
}

/** P(Z > z) for a standard normal Z. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes `erfcc`, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

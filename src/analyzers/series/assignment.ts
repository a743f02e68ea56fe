import { munkres } from 'munkres';

/**
 * Optimal assignment with a creation cost, the way `git range-diff` pairs
 * commits: every old item may pair with a new one (at `cost(i, j)`) or stay
 * unpaired (at `dropCost(i)`), every new one likewise (at `addCost(j)`); the
 * assignment with the least total cost wins. Solved as a square
 * (n+m)×(n+m) linear assignment (Hungarian/Munkres, from the `munkres`
 * package): the top-right and bottom-left blocks are the "pair with a dummy"
 * costs, the bottom-right block is free.
 */
export interface AssignmentProblem {
  old: number;
  next: number;
  cost(i: number, j: number): number;
  dropCost(i: number): number;
  addCost(j: number): number;
}

/** `match[i]` is the new index paired with old `i`, or -1 when old `i` stays unpaired. */
export function assign(problem: AssignmentProblem): number[] {
  const { old: n, next: m } = problem;
  const size = n + m;
  const matrix: number[][] = [];
  for (let i = 0; i < size; i++) {
    const row = new Array<number>(size).fill(0);
    for (let j = 0; j < size; j++) {
      if (i < n && j < m) row[j] = problem.cost(i, j);
      else if (i < n) row[j] = j - m === i ? problem.dropCost(i) : Number.POSITIVE_INFINITY;
      else if (j < m) row[j] = i - n === j ? problem.addCost(j) : Number.POSITIVE_INFINITY;
    }
    matrix.push(row);
  }
  const match = new Array<number>(n).fill(-1);
  if (size === 0) return match;
  for (const [i, j] of munkres(matrix)) {
    if (i < n && j < m) match[i] = j;
  }
  return match;
}

import type { Patch, PatchSeries } from '../../model/series.js';
import { assign } from './assignment.js';

/**
 * Pairs the patches of two versions of a series the way `git range-diff`
 * does: a cost for every (old, new) pair, a creation cost for leaving a patch
 * unpaired, and the optimal assignment over all of them. The pair cost mixes
 * diff similarity (the changed lines and files, as multisets, so a rebase
 * that only moves hunks or context costs nothing) with subject similarity,
 * so a renamed patch with the same diff still pairs, and so does a reworked
 * patch that kept its subject.
 *
 * Status as range-diff prints it: `=` same subject, message and changed
 * lines; `!` paired but different; `<` only in the old version (dropped);
 * `>` only in the new one (added).
 */
export interface SeriesPair {
  status: '=' | '!' | '<' | '>';
  old: Patch | null;
  new: Patch | null;
  /** Similarity of the pair, 0..1 (1 = identical); 0 for `<` and `>`. */
  score: number;
  /** For `!`: what differs. */
  changed: PatchChange[];
}

export type PatchChange = 'subject' | 'message' | 'trailers' | 'diff';

/** Weight of the diff in a pair's similarity; the subject has the rest. */
const DIFF_WEIGHT = 0.7;
/**
 * Cost of leaving one patch unpaired (range-diff's `--creation-factor`, here
 * on the 0..1 similarity scale): two patches pair when their similarity
 * exceeds 1 - 2 × CREATION_COST = 0.4.
 */
const CREATION_COST = 0.3;

export function pairSeries(old: PatchSeries, next: PatchSeries): SeriesPair[] {
  const a = old.patches.map(fingerprint);
  const b = next.patches.map(fingerprint);
  const match = assign({
    old: a.length,
    next: b.length,
    cost: (i, j) => 1 - similarity(a[i]!, b[j]!),
    dropCost: () => CREATION_COST,
    addCost: () => CREATION_COST,
  });
  const matchedBy = new Array<number>(b.length).fill(-1);
  match.forEach((j, i) => {
    if (j >= 0) matchedBy[j] = i;
  });
  return rangeDiffOrder(old.patches, next.patches, match, matchedBy, (i, j) => {
    const changed = changes(a[i]!, b[j]!);
    return {
      status: changed.length === 0 ? '=' : '!',
      old: old.patches[i]!,
      new: next.patches[j]!,
      score: round(similarity(a[i]!, b[j]!)),
      changed,
    };
  });
}

/**
 * range-diff's output order: walk the new series; before each new patch show
 * the old patches that are unpaired and come before the next one still to be
 * shown, so a dropped patch appears where it used to be.
 */
function rangeDiffOrder(
  oldPatches: Patch[],
  newPatches: Patch[],
  match: number[],
  matchedBy: number[],
  pairOf: (i: number, j: number) => SeriesPair,
): SeriesPair[] {
  const pairs: SeriesPair[] = [];
  const shown = new Array<boolean>(oldPatches.length).fill(false);
  let i = 0;
  let j = 0;
  while (i < oldPatches.length || j < newPatches.length) {
    while (i < oldPatches.length && shown[i]) i++;
    if (i < oldPatches.length && match[i] === -1) {
      pairs.push({ status: '<', old: oldPatches[i]!, new: null, score: 0, changed: [] });
      shown[i] = true;
      i++;
      continue;
    }
    while (j < newPatches.length && matchedBy[j] === -1) {
      pairs.push({ status: '>', old: null, new: newPatches[j]!, score: 0, changed: [] });
      j++;
    }
    if (j < newPatches.length) {
      const from = matchedBy[j]!;
      pairs.push(pairOf(from, j));
      shown[from] = true;
      j++;
    }
  }
  return pairs;
}

interface Fingerprint {
  subject: string;
  subjectWords: Set<string>;
  message: string;
  trailers: string;
  /** `+`/`-` lines and touched files, in order (for equality). */
  changeLines: string[];
  /** The same as a multiset (for similarity). */
  changeBag: Map<string, number>;
}

function fingerprint(patch: Patch): Fingerprint {
  const changeLines = changedLines(patch.diff);
  const changeBag = new Map<string, number>();
  for (const line of changeLines) changeBag.set(line, (changeBag.get(line) ?? 0) + 1);
  return {
    subject: patch.subject.trim(),
    subjectWords: new Set(words(patch.subject)),
    message: patch.body.replace(/\s+/g, ' ').trim(),
    trailers: patch.trailers.map((t) => `${t.name}: ${t.value}`).join('\n'),
    changeLines,
    changeBag,
  };
}

/**
 * The lines of a unified diff that say what the patch does: file headers
 * and added/removed lines (trailing blanks trimmed). Hunk positions, context
 * and `index` lines are left out, so a rebased but otherwise identical patch
 * compares equal.
 */
export function changedLines(diff: string): string[] {
  const out: string[] = [];
  for (const raw of diff.split('\n')) {
    if (raw === '-- ') break; // the mail signature after the last hunk
    const line = raw.trimEnd();
    if (line.startsWith('+++ ') || line.startsWith('--- ')) out.push(`file ${line.slice(4)}`);
    else if (line.startsWith('+') || line.startsWith('-')) out.push(line);
  }
  return out;
}

function similarity(a: Fingerprint, b: Fingerprint): number {
  return (
    DIFF_WEIGHT * bagDice(a.changeBag, b.changeBag) +
    (1 - DIFF_WEIGHT) * setDice(a.subjectWords, b.subjectWords)
  );
}

function bagDice(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0;
  let sizeB = 0;
  let common = 0;
  for (const n of a.values()) sizeA += n;
  for (const [line, n] of b) {
    sizeB += n;
    common += Math.min(n, a.get(line) ?? 0);
  }
  return sizeA + sizeB === 0 ? 1 : (2 * common) / (sizeA + sizeB);
}

function setDice(a: Set<string>, b: Set<string>): number {
  if (a.size + b.size === 0) return 1;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return (2 * common) / (a.size + b.size);
}

function changes(a: Fingerprint, b: Fingerprint): PatchChange[] {
  const out: PatchChange[] = [];
  if (a.subject !== b.subject) out.push('subject');
  if (a.message !== b.message) out.push('message');
  if (a.trailers !== b.trailers) out.push('trailers');
  if (a.changeLines.length !== b.changeLines.length || a.changeLines.some((l, k) => l !== b.changeLines[k])) {
    out.push('diff');
  }
  return out;
}

/** Lower-case words of a subject, the `area: ` prefix kept (it is part of what pairs patches). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

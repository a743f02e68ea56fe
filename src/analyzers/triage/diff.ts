import type { SignatureGroup } from './group.js';

/**
 * The splat half of "what regressed between v5 and v6": signatures new in
 * HEAD, gone from HEAD, and in both. Known signatures never count as new.
 */
export interface SignatureDiff {
  new: SignatureGroup[];
  gone: SignatureGroup[];
  both: { base: SignatureGroup; head: SignatureGroup }[];
  /** New in HEAD but listed in --known. */
  knownNew: SignatureGroup[];
}

export function diffSignatures(
  base: SignatureGroup[],
  head: SignatureGroup[],
  known: ReadonlySet<string> = new Set(),
): SignatureDiff {
  const baseBySig = new Map(base.map((g) => [g.signature, g]));
  const headSigs = new Set(head.map((g) => g.signature));
  const result: SignatureDiff = { new: [], gone: [], both: [], knownNew: [] };
  for (const g of head) {
    const b = baseBySig.get(g.signature);
    if (b !== undefined) result.both.push({ base: b, head: g });
    else if (known.has(g.signature)) result.knownNew.push(g);
    else result.new.push(g);
  }
  for (const g of base) if (!headSigs.has(g.signature)) result.gone.push(g);
  return result;
}

import type { LockOp, LockOpKind, Patch } from '../../model/series.js';
import type { LockedPatch } from './lock-ops.js';
import { changedLines } from './pairing.js';

/**
 * What changed between two versions of one patch, told in locking terms:
 * per function, the lock operations the old patch made that the new one no
 * longer makes and vice versa, paired where one replaced the other
 * ("lab_scan (scan_objects): `dma_resv_lock` → `dma_resv_trylock`"), plus
 * the files and functions that entered or left the patch and how many
 * changed lines differ.
 */
export interface LockChange {
  /** The function the operations sit in, or the file when none is known. */
  function: string;
  file: string;
  /** Shrinker role of the function (`scan_objects`, `count_objects`, `evict`, `purge`) or null. */
  role: string | null;
  /** The old patch's operation (null: the new version adds one). */
  from: string | null;
  /** The new patch's operation (null: the new version no longer makes it). */
  to: string | null;
  /** When the new operation sits in another function (the lock moved into a helper), that function. */
  movedTo: string | null;
  text: string;
}

export interface Interdiff {
  lockChanges: LockChange[];
  filesAdded: string[];
  filesRemoved: string[];
  functionsAdded: string[];
  functionsRemoved: string[];
  /** Changed lines only the new version has / only the old version had. */
  linesAdded: number;
  linesRemoved: number;
}

/**
 * `knownRoles`: shrinker callbacks wired up elsewhere in the series (from
 * an mbox, a patch's hunks may not show the `.scan_objects =` line).
 */
export function interdiff(old: Patch, next: Patch, knownRoles: Map<string, string> = new Map()): Interdiff {
  const roles = new Map([...knownRoles, ...shrinkerRoles(old), ...shrinkerRoles(next)]);
  const oldFiles = filesOf(old);
  const newFiles = filesOf(next);
  const oldFunctions = functionsOf(old);
  const newFunctions = functionsOf(next);
  const [linesAdded, linesRemoved] = bagDifference(changedLines(old.diff), changedLines(next.diff));
  return {
    lockChanges: lockChanges(old.lockOps, next.lockOps, roles),
    filesAdded: [...newFiles].filter((f) => !oldFiles.has(f)),
    filesRemoved: [...oldFiles].filter((f) => !newFiles.has(f)),
    functionsAdded: [...newFunctions].filter((f) => !oldFunctions.has(f)),
    functionsRemoved: [...oldFunctions].filter((f) => !newFunctions.has(f)),
    linesAdded,
    linesRemoved,
  };
}

/** Kinds that replace one another: a `lock` that became a `trylock` is one change, not two. */
const CATEGORY: Record<LockOpKind, string> = {
  lock: 'acquire',
  trylock: 'acquire',
  'might-lock': 'acquire',
  unlock: 'release',
  assert: 'assert',
  'rcu-read-lock': 'rcu',
  'rcu-read-unlock': 'rcu-release',
  alloc: 'alloc',
  shrinker: 'shrinker',
};

interface KeyedOp {
  key: string;
  op: LockOp;
}

interface LooseOp {
  op: LockOp;
  where: string;
}

/**
 * Per function, the operations only one version makes, then paired where
 * one replaced the other: first in the same function on the same lock, then
 * on the same lock moved into another function ("→ `dma_resv_trylock` in
 * scan_list"), then in the same function on any lock of the same kind.
 * Unlock changes that only follow a reported lock change are folded away.
 */
function lockChanges(oldOps: LockOp[], newOps: LockOp[], roles: Map<string, string>): LockChange[] {
  const byFunction = new Map<string, { old: KeyedOp[]; next: KeyedOp[] }>();
  const slot = (op: LockOp) => {
    const where = op.function ?? op.file;
    const entry = byFunction.get(where) ?? { old: [], next: [] };
    byFunction.set(where, entry);
    return entry;
  };
  for (const op of oldOps) if (op.change !== 'context') slot(op).old.push({ key: opKey(op), op });
  for (const op of newOps) if (op.change !== 'context') slot(op).next.push({ key: opKey(op), op });
  const oldOnly: LooseOp[] = [];
  const newOnly: LooseOp[] = [];
  for (const [where, { old, next }] of byFunction) {
    for (const { op } of multisetMinus(old, next)) oldOnly.push({ op, where });
    for (const { op } of multisetMinus(next, old)) newOnly.push({ op, where });
  }
  const passes: ((a: LooseOp, b: LooseOp) => boolean)[] = [
    (a, b) => a.where === b.where && replaces(a.op, b.op) && sameLock(a.op, b.op),
    (a, b) => a.where !== b.where && replaces(a.op, b.op) && sameLock(a.op, b.op),
    (a, b) => a.where === b.where && replaces(a.op, b.op),
  ];
  const paired: [LooseOp | null, LooseOp | null][] = [];
  for (const accept of passes) {
    for (const to of [...newOnly]) {
      const k = oldOnly.findIndex((from) => accept(from, to));
      if (k < 0) continue;
      paired.push([oldOnly.splice(k, 1)[0]!, to]);
      newOnly.splice(newOnly.indexOf(to), 1);
    }
  }
  for (const to of newOnly) paired.push([null, to]);
  for (const from of oldOnly) paired.push([from, null]);
  const order = [...byFunction.keys()];
  const position = ([a, b]: [LooseOp | null, LooseOp | null]) => order.indexOf((a ?? b)!.where);
  paired.sort((x, y) => position(x) - position(y));
  const changed = paired.filter(([a, b]) => CATEGORY[(a ?? b)!.op.kind] === 'acquire').flat();
  const lockChanged = new Set(changed.filter((x) => x !== null).map((x) => normalizeLock(x.op.lock)));
  return paired
    .filter(([a, b]) => {
      const op = (a ?? b)!.op;
      return CATEGORY[op.kind] !== 'release' || !lockChanged.has(normalizeLock(op.lock));
    })
    .map(([a, b]) => change(a, b, roles));
}

function replaces(a: LockOp, b: LockOp): boolean {
  return a.change === b.change && CATEGORY[a.kind] === CATEGORY[b.kind];
}

function sameLock(a: LockOp, b: LockOp): boolean {
  const family = (op: LockOp) => (op.family === 'ww_mutex' ? 'dma_resv' : op.family);
  return normalizeLock(a.lock) === normalizeLock(b.lock) && family(a) === family(b);
}

function change(from: LooseOp | null, to: LooseOp | null, roles: Map<string, string>): LockChange {
  const where = (from ?? to)!.where;
  const sample = (to ?? from)!.op;
  const role = roles.get(where) ?? null;
  const pairedCall = from !== null && to !== null;
  const sameCall = pairedCall && from.op.primitive === to.op.primitive;
  const a = from ? label(from.op, sameCall || !pairedCall) : null;
  const b = to ? label(to.op, sameCall || !pairedCall) : null;
  const moved = from !== null && to !== null && to.where !== from.where ? to.where : null;
  const head = role ? `${where} (${role})` : where;
  let text: string;
  if (a && b) text = `${head}: \`${a}\` → \`${b}\`${moved ? ` in ${moved}` : ''}`;
  else if (b) text = `${head}: ${to!.op.change === 'removed' ? 'now removes' : 'adds'} \`${b}\``;
  else text = `${head}: no longer ${from!.op.change === 'removed' ? 'removes' : 'adds'} \`${a}\``;
  return { function: where, file: sample.file, role, from: a, to: b, movedTo: moved, text };
}

/** The operation as shown: the call, with its lock or GFP flags when the call alone does not tell the change. */
function label(op: LockOp, withArgument: boolean): string {
  const prefix = op.change === 'removed' ? '-' : '';
  if (op.kind === 'alloc') return `${prefix}${op.primitive}(${op.gfp ?? '?'})`;
  if (withArgument && op.lock) return `${prefix}${op.primitive}(${op.lock})`;
  return `${prefix}${op.primitive}`;
}

function opKey(op: LockOp): string {
  return [op.change, op.kind, op.primitive, normalizeLock(op.lock), op.gfp ?? '', op.role ?? ''].join('|');
}

/** `&obj->base.resv`, `obj->resv` and `resv` name the same lock for pairing purposes. */
export function normalizeLock(expr: string | null): string {
  if (!expr) return '';
  let start = 0;
  let end = expr.length;
  while (start < end && '&*( \t'.includes(expr[start]!)) start++;
  while (end > start && ') \t'.includes(expr[end - 1]!)) end--;
  const parts = expr.slice(start, end).split(/->|\./);
  return parts[parts.length - 1] ?? '';
}

function multisetMinus(a: KeyedOp[], b: KeyedOp[]): KeyedOp[] {
  const counts = new Map<string, number>();
  for (const { key } of b) counts.set(key, (counts.get(key) ?? 0) + 1);
  return a.filter(({ key }) => {
    const n = counts.get(key) ?? 0;
    if (n > 0) counts.set(key, n - 1);
    return n === 0;
  });
}

function bagDifference(a: string[], b: string[]): [onlyB: number, onlyA: number] {
  const counts = new Map<string, number>();
  for (const line of a) counts.set(line, (counts.get(line) ?? 0) + 1);
  let onlyB = 0;
  for (const line of b) {
    const n = counts.get(line) ?? 0;
    if (n > 0) counts.set(line, n - 1);
    else onlyB++;
  }
  let onlyA = 0;
  for (const n of counts.values()) onlyA += n;
  return [onlyB, onlyA];
}

function filesOf(patch: Patch): Set<string> {
  return new Set(patch.files.map((f) => f.newPath ?? f.oldPath ?? '').filter(Boolean));
}

/**
 * The functions a patch changes: those whose lines it adds or removes, as the lock-op analyzer
 * found them. Without that analysis, its hunk headers' function names, which are git's context
 * (the definition above the hunk), not always a function the hunk changes.
 */
function functionsOf(patch: Patch): Set<string> {
  const out = new Set<string>();
  const analyzed = (patch as LockedPatch).lockFunctions;
  if (analyzed) for (const fn of analyzed) out.add(fn.name);
  else for (const f of patch.files) for (const fn of f.functions) out.add(fn);
  for (const op of patch.lockOps) if (op.function && op.change !== 'context') out.add(op.function);
  return out;
}

// `+	.scan_objects = lab_scan_objects,` (a struct shrinker initializer, added or context)
const SHRINKER_CALLBACK = /^[+ ]\s*\.(count_objects|scan_objects)\s*=\s*&?([A-Za-z_]\w*)/;
// `+	shrinker->scan_objects = drm_gem_shmem_shrinker_scan_objects;` (6.7+ shrinker_alloc style)
const SHRINKER_ASSIGN = /^[+ ]\s*[A-Za-z_][\w.>-]*->(count_objects|scan_objects)\s*=\s*&?([A-Za-z_]\w*)/;

/** Every regex of this file, for the ReDoS test. */
export const INTERDIFF_REGEXES = [SHRINKER_CALLBACK, SHRINKER_ASSIGN];

/** Functions the patch wires up as shrinker callbacks (added or context lines), with their role. */
export function shrinkerRoles(patch: Patch): Map<string, string> {
  const roles = new Map<string, string>();
  for (const line of patch.diff.split('\n')) {
    const m = SHRINKER_CALLBACK.exec(line) ?? SHRINKER_ASSIGN.exec(line);
    if (m) roles.set(m[2]!, m[1]!);
  }
  for (const op of patch.lockOps as (LockOp & { callback?: string | null })[]) {
    if (op.kind === 'shrinker' && op.callback && op.role) roles.set(op.callback, op.role);
  }
  return roles;
}

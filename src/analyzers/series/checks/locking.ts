import type { Patch, PatchSeries } from '../../../model/series.js';
import { NON_RECLAIMING_GFP } from '../c-source/primitives.js';
import {
  analyzePatchLocking,
  type FunctionFacts,
  type HeldLockRef,
  type LockedPatch,
  type LockOpFacts,
} from '../lock-ops.js';
import type { SeriesCheck } from './finding.js';

/**
 * Locking checks over the lock ops of each patch (see lock-ops.ts). The
 * shrinker path is every function assigned to `.scan_objects`, `.evict` or
 * `.purge` anywhere the series shows, plus functions named like one
 * (`*_scan_objects`, `*shrinker_scan*`, `*_evict*`, `*_purge*`).
 */

// drm_gem_shmem_shrinker_scan_objects   virtio_gpu_shmem_evict   toy_bo_purge
const SHRINKER_PATH_NAME = /_scan_objects$|shrinker_scan|_evict|_purge/;
const SHRINKER_ROLES = new Set(['scan_objects', 'evict', 'purge']);

const opsOf = (p: Patch) => p.lockOps as LockOpFacts[];

/**
 * Shrinker-path functions and how each is reached: the callbacks and
 * callback-named functions, then (up to three calls deep) the functions they
 * call that the series itself adds or changes.
 */
function shrinkerPath(series: PatchSeries): Map<string, string> {
  const path = new Map<string, string>();
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (
        op.kind === 'shrinker' &&
        op.callback &&
        op.role &&
        SHRINKER_ROLES.has(op.role) &&
        op.change !== 'removed'
      ) {
        path.set(op.callback, op.role);
      }
      if (op.function && SHRINKER_PATH_NAME.test(op.function) && !path.has(op.function)) {
        path.set(
          op.function,
          /_evict/.test(op.function) ? 'evict' : /_purge/.test(op.function) ? 'purge' : 'scan_objects',
        );
      }
    }
  }
  const calls = new Map<string, string[]>();
  for (const p of series.patches as LockedPatch[]) {
    for (const f of p.lockFunctions ?? []) calls.set(f.name, [...(calls.get(f.name) ?? []), ...f.calls]);
  }
  let frontier = [...path.keys()];
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const caller of frontier) {
      for (const callee of calls.get(caller) ?? []) {
        if (path.has(callee) || !calls.has(callee)) continue;
        const how = path.get(caller)!;
        path.set(callee, how.includes(' from ') ? how : `called from ${caller}, ${how}`);
        next.push(callee);
      }
    }
    frontier = next;
  }
  return path;
}

/**
 * A lock's class as far as a patch shows it: any reservation object →
 * `dma_resv` (one lockdep class); otherwise the member name
 * (`&tdev->lru_lock` → `lru_lock`), so that `lockdep_assert_held(&tdev->lru_lock)`
 * and `mutex_lock(&tdev->lru_lock)` name the same lock.
 */
export function lockClass(op: { family: string | null; lock: string | null }): string {
  if (op.family === 'dma_resv' || op.family === 'ww_mutex' || /(?:^|\W)resv\s*\)?$/.test(op.lock ?? ''))
    return 'dma_resv';
  return /([A-Za-z_]\w*)\s*\)?\s*$/.exec(op.lock ?? '')?.[1] ?? op.lock ?? '';
}

const call = (op: LockOpFacts) => `${op.primitive}(${op.lock ?? ''})`;
const at = (op: LockOpFacts) => ({
  patch: null as number | null,
  file: op.file,
  line: op.line,
  confidence: op.confidence,
});

export const blockingLockInShrinker: SeriesCheck['run'] = (series) => {
  const path = shrinkerPath(series);
  const findings = [];
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (op.change !== 'added' || op.kind !== 'lock' || !op.sleeping || !op.function) continue;
      const role = path.get(op.function);
      if (!role) continue;
      findings.push({
        ...at(op),
        patch: p.index,
        message: `${op.function} (${role}) takes ${call(op)} without trylock: reclaim would sleep on a lock its callers may hold while allocating`,
      });
    }
  }
  return findings;
};

/** How the shrinker path takes a lock class: blocking wins over trylock. */
interface ShrinkerTake {
  how: 'blocking' | 'trylock';
  where: string;
}

function shrinkerTakes(series: PatchSeries): Map<string, ShrinkerTake> {
  const path = shrinkerPath(series);
  const taken = new Map<string, ShrinkerTake>();
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if ((op.kind !== 'lock' && op.kind !== 'trylock') || op.change === 'removed') continue;
      if (!op.function || !path.has(op.function)) continue;
      const cls = lockClass(op);
      const how = op.kind === 'lock' ? 'blocking' : 'trylock';
      // A per-object reservation the shrinker trylocks is the documented
      // convention (busy objects are skipped, the rest still get freed).
      if (how === 'trylock' && cls === 'dma_resv') continue;
      if (taken.get(cls)?.how === 'blocking') continue;
      taken.set(cls, { how, where: `${op.function}: ${call(op)}` });
    }
  }
  return taken;
}

/** The held lock the shrinker takes: one it blocks on first, else one it only trylocks. */
function heldReclaimLock(held: HeldLockRef[] | undefined, taken: Map<string, ShrinkerTake>) {
  const hits = (held ?? []).filter((h) => taken.has(lockClass(h)));
  const lock = hits.find((h) => taken.get(lockClass(h))!.how === 'blocking') ?? hits[0];
  return lock === undefined ? null : { lock, take: taken.get(lockClass(lock))! };
}

function reclaimLockMessage(held: HeldLockRef, take: ShrinkerTake): string {
  const name = held.lock ?? held.family;
  return take.how === 'blocking'
    ? `while holding ${name}, which the shrinker takes (${take.where})`
    : `while holding ${name}, which the shrinker takes (${take.where}): the shrinker only trylocks it, so it cannot free while this is held`;
}

const reclaiming = (op: LockOpFacts) =>
  op.kind === 'alloc' && op.change !== 'removed' && !NON_RECLAIMING_GFP.test(op.gfp ?? '');

/**
 * A reclaiming allocation made while holding a lock the shrinker path takes:
 * in the function itself, or one call level down (a call, added by the
 * series, to a function of the series that allocates). An error when the
 * shrinker blocks on the lock, a warning when it only trylocks it. A call site
 * is left out for a lock the callee already holds at its allocation (that
 * allocation carries the finding).
 */
export const allocUnderReclaimLock: SeriesCheck['run'] = (series) => {
  const taken = shrinkerTakes(series);
  if (taken.size === 0) return [];
  const findings: ReturnType<SeriesCheck['run']> = [];
  const allocators = new Map<string, { op: LockOpFacts; patch: number }>();
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (!reclaiming(op)) continue;
      if (op.function && !allocators.has(op.function)) allocators.set(op.function, { op, patch: p.index });
      if (op.change !== 'added') continue;
      const hit = heldReclaimLock(op.held, taken);
      if (!hit) continue;
      findings.push({
        ...at(op),
        patch: p.index,
        severity: hit.take.how === 'blocking' ? 'error' : 'warning',
        message: `${op.function ?? '?'}: ${op.primitive}(${op.gfp ?? 'implied GFP'}) may enter reclaim ${reclaimLockMessage(hit.lock, hit.take)}`,
      });
    }
  }
  for (const p of series.patches as LockedPatch[]) {
    for (const f of p.lockFunctions ?? []) {
      for (const site of f.callSites ?? []) {
        const allocator = allocators.get(site.callee);
        if (site.change !== 'added' || !allocator) continue;
        const own = new Set((allocator.op.held ?? []).map(lockClass));
        const hit = heldReclaimLock(
          site.held.filter((h) => !own.has(lockClass(h))),
          taken,
        );
        if (!hit) continue;
        const { op } = allocator;
        findings.push({
          patch: p.index,
          file: f.file,
          line: site.line,
          confidence: f.confidence,
          severity: hit.take.how === 'blocking' ? 'error' : 'warning',
          message: `${f.name}: calls ${site.callee}(), which allocates with ${op.primitive}(${op.gfp ?? 'implied GFP'}) (patch ${allocator.patch}) and may enter reclaim, ${reclaimLockMessage(hit.lock, hit.take)}`,
        });
      }
    }
  }
  return findings;
};

export const unbalancedLock: SeriesCheck['run'] = (series) => {
  const findings = [];
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (op.change !== 'added' || op.balanced !== false) continue;
      findings.push({
        ...at(op),
        patch: p.index,
        message: `${op.function ?? '?'}: ${call(op)} at line ${op.line} is not released on the path leaving at line ${op.unbalancedAt ?? '?'}`,
      });
    }
  }
  return findings;
};

export const lockedWithoutAssert: SeriesCheck['run'] = (series) => {
  const findings = [];
  for (const p of series.patches as LockedPatch[]) {
    const functions: FunctionFacts[] = p.lockFunctions ?? analyzePatchLocking(p).functions;
    for (const f of functions) {
      if (!/_locked$/.test(f.name) || !f.complete || f.hasAssert) continue;
      findings.push({
        patch: p.index,
        file: f.file,
        line: f.line,
        confidence: f.confidence,
        message: `${f.name}() relies on its caller holding a lock but asserts none (add lockdep_assert_held() or dma_resv_assert_held())`,
      });
    }
  }
  return findings;
};

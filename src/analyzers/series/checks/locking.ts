import type { Patch, PatchSeries } from '../../../model/series.js';
import { NON_RECLAIMING_GFP } from '../c-source/primitives.js';
import { analyzePatchLocking, type FunctionFacts, type LockedPatch, type LockOpFacts } from '../lock-ops.js';
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

export const allocUnderReclaimLock: SeriesCheck['run'] = (series) => {
  const path = shrinkerPath(series);
  const taken = new Map<string, string>();
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (op.kind === 'lock' && op.change !== 'removed' && op.function && path.has(op.function)) {
        taken.set(lockClass(op), `${op.function}: ${call(op)}`);
      }
    }
  }
  if (taken.size === 0) return [];
  const findings = [];
  for (const p of series.patches) {
    for (const op of opsOf(p)) {
      if (op.change !== 'added' || op.kind !== 'alloc' || NON_RECLAIMING_GFP.test(op.gfp ?? '')) continue;
      const held = (op.held ?? []).find((h) => taken.has(lockClass(h)));
      if (!held) continue;
      findings.push({
        ...at(op),
        patch: p.index,
        message: `${op.function ?? '?'}: ${op.primitive}(${op.gfp ?? 'implied GFP'}) may enter reclaim while holding ${held.lock ?? held.family}, which the shrinker takes (${taken.get(lockClass(held))})`,
      });
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

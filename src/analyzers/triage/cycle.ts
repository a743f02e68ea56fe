import type { Frame } from '../../model/frame.js';
import type { Report } from '../../model/report.js';

/** One edge of a lock cycle: `to` was taken while `from` was held, at `site`. */
export interface CycleEdge {
  from: string;
  to: string;
  site: Frame | null;
}

/**
 * The lock cycle a report describes, as a maintainer reads it:
 * `lab_shrinker_lock --> fs_reclaim --> lab_shrinker_lock`.
 *
 * lockdep prints "the existing dependency chain (in reverse order)": `-> #0`
 * is the lock being acquired, `-> #N` the lock already held, and entry #k's
 * stack shows #k being taken while #k-1 was held. The new acquisition
 * (#N held, #0 wanted) closes the cycle at the `acquiring` lock's site.
 * A recursive report is the one-lock cycle `X --> X`. Other kinds: none.
 */
export function lockCycle(report: Report): CycleEdge[] {
  if (report.kind === 'recursive-locking' && report.acquiring !== null) {
    const held = report.held[0];
    return [
      { from: held?.name ?? report.acquiring.name, to: report.acquiring.name, site: report.acquiring.site },
    ];
  }
  if (report.kind !== 'circular-dependency' || report.chain.length < 2) return [];
  const links = [...report.chain].sort((a, b) => a.index - b.index);
  const edges: CycleEdge[] = [];
  for (let k = 1; k < links.length; k++) {
    const from = links[k - 1]!;
    const to = links[k]!;
    edges.push({ from: from.lock.name, to: to.lock.name, site: acquisitionSite(to.stack) });
  }
  const first = links[0]!;
  const last = links[links.length - 1]!;
  edges.push({
    from: last.lock.name,
    to: first.lock.name,
    site: report.acquiring?.site ?? acquisitionSite(first.stack),
  });
  return edges;
}

// Lock and allocator internals that sit above the caller that took the lock:
// `__lock_acquire+0x14bf/0x2480`, `fs_reclaim_acquire+0x64/0x90`, `kmalloc_trace+0x26/0xb0`.
const INTERNAL =
  /^(?:__?lock_acquire|lock_acquire|lock_acquired|__?mutex_lock|mutex_lock|ww_mutex_lock|__ww_mutex_lock|_raw_(?:spin|read|write)_lock|down_(?:read|write)|__down|rt_|fs_reclaim_acquire|might_alloc|__might_|__?kmem_cache_alloc|kmem_cache_alloc|kmalloc|__kmalloc|kzalloc|kvmalloc|__alloc_pages|alloc_pages|__vmalloc|vmalloc|slab_|prepare_alloc_pages|get_page_from_freelist|dma_resv_lock(?:_interruptible)?\b|lock_map_acquire|__flush_work|flush_work|__flush_workqueue|touch_wq_lockdep_map)/;

/** The first frame of a stack that is not lock or allocator machinery. */
export function acquisitionSite(stack: Frame[]): Frame | null {
  for (const f of stack) {
    if (f.function === null || f.unreliable) continue;
    if (INTERNAL.test(f.function)) continue;
    return f;
  }
  return stack[0] ?? null;
}

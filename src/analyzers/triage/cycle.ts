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
    site: callerSite(report.acquiring?.site ?? null) ?? acquisitionSite(first.stack),
  });
  return edges;
}

// Lock and allocator internals that sit above the caller that took the lock:
// `__lock_acquire+0x14bf/0x2480`, `fs_reclaim_acquire+0x64/0x90`, `kmalloc_trace+0x26/0xb0`,
// and syzbot's inlined wrappers: `__raw_spin_lock include/linux/spinlock_api_smp.h:133 [inline]`,
// `spin_lock_bh include/linux/spinlock.h:356 [inline]`, `local_lock_acquire ... [inline]`.
const INTERNAL =
  /^(?:__?lock_acquire|lock_acquire|lock_acquired|__?mutex_lock|mutex_lock|ww_mutex_lock|__ww_mutex_lock|_{0,2}raw_(?:spin|read|write)_lock|(?:spin|read|write)_lock(?:_irq|_irqsave|_bh|_nested)*$|local_lock_acquire|__local_lock|rcu_lock_acquire|percpu_down_|__percpu_down_|rwsem_down_|down_(?:read|write)|__down|rt_|_{0,2}fs_reclaim_acquire|might_alloc|__might_|__?kmem_cache_alloc|kmem_cache_alloc|kmalloc|__kmalloc|kzalloc|kvmalloc|__alloc_pages|alloc_pages|__vmalloc|vmalloc|slab_|prepare_alloc_pages|get_page_from_freelist|dma_resv_lock(?:_interruptible)?\b|lock_map_acquire|__flush_work|flush_work|__flush_workqueue|touch_wq_lockdep_map)/;

/** A lock line's `at:` site, unless it is lock or allocator machinery (`at: fs_reclaim_acquire+0xf7/0x160`). */
function callerSite(site: Frame | null): Frame | null {
  return site !== null && isInternal(site) ? null : site;
}

/** Lock or allocator machinery: by name, or by its file in kernel/locking/ (syzbot's `check_prev_add kernel/locking/lockdep.c:3051`). */
function isInternal(f: Frame): boolean {
  return (
    (f.function !== null && INTERNAL.test(f.function)) || (f.file?.startsWith('kernel/locking/') ?? false)
  );
}

/** The first frame of a stack that is not lock or allocator machinery. */
export function acquisitionSite(stack: Frame[]): Frame | null {
  for (const f of stack) {
    if (f.function === null || f.unreliable || isInternal(f)) continue;
    return f;
  }
  return stack[0] ?? null;
}

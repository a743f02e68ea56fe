/**
 * Whether a lock class sleeps or spins, from the evidence a trace and a
 * /proc/lockdep dump can give. Sources, strongest first:
 *  1. `contention_begin` flags seen on the same task while it acquired the
 *     class (MUTEX/RT/PERCPU, or READ/WRITE without SPIN = rwsem: sleeping;
 *     SPIN alone or with READ/WRITE = spinlock/rwlock: spinning);
 *  2. the lockdep wait type `{inner:outer}` of the class (`-{3:3}` sleeping,
 *     `-{2:2}` spinning) from a supplied /proc/lockdep;
 *  3. the table of well-known kernel classes below;
 *  4. the preempt depth of its lock_release events: spin_unlock() traces the
 *     release before preempt_enable(), so the depth is above the task's
 *     baseline; mutex_unlock()/up_*() release at the baseline (see
 *     `lockTypeFromReleaseDepths`).
 * Otherwise the type is `unknown`.
 */
export type LockType = 'sleeping' | 'spinning' | 'unknown';
export type LockTypeSource = 'contention' | 'lockdep' | 'preempt-depth' | 'known-class' | null;

// LCB_F_* from include/trace/events/lock.h: bits 1<<0 … 1<<5.
const LCB = { SPIN: 1, READ: 2, WRITE: 4, RT: 8, PERCPU: 16, MUTEX: 32 } as const;

/**
 * Whether a contention_begin with these flags means waiting. 6.1's `__mutex_lock_common` traces
 * SPIN|MUTEX before its trylock on every call (a lockdep kernel takes no mutex fast path), and
 * MUTEX alone before it sleeps: only the second is a wait. Other locks trace their slow path only.
 */
export function contentionMeansWait(bits: number): boolean {
  return (bits & (LCB.SPIN | LCB.MUTEX)) !== (LCB.SPIN | LCB.MUTEX);
}

/** `SPIN|MUTEX` (text) or 33 (trace.dat) → a bit mask. */
const flagCache = new Map<string, number>();

export function contentionFlagBits(flags: unknown): number {
  if (typeof flags === 'number') return flags;
  if (typeof flags !== 'string') return 0;
  let bits = flagCache.get(flags);
  if (bits === undefined) {
    bits = parseFlagBits(flags);
    if (flagCache.size < 256) flagCache.set(flags, bits);
  }
  return bits;
}

function parseFlagBits(flags: string): number {
  if (/^(?:0x)?[0-9a-f]+$/i.test(flags.trim()))
    return Number.parseInt(flags, flags.startsWith('0x') ? 16 : 10) || 0;
  let bits = 0;
  for (const part of flags.split('|')) bits |= LCB[part.trim() as keyof typeof LCB] ?? 0;
  return bits;
}

export function lockTypeFromContention(bits: number): LockType {
  if (bits & (LCB.MUTEX | LCB.RT | LCB.PERCPU)) return 'sleeping';
  if (bits & LCB.SPIN) return 'spinning';
  if (bits & (LCB.READ | LCB.WRITE)) return 'sleeping';
  return 'unknown';
}

// (lab_shrinker_lock){+.+.}-{3:3}   → 3 = LD_WAIT_SLEEP, 2 = LD_WAIT_SPIN / CONFIG
const WAIT_TYPE = /-\{(\d):(\d)\}/;

// The irq usage characters: `{-.-.}` in a report, `-.-.` in /proc/lockdep (which prints no wait
// type). Per irq state, `-` = taken in that interrupt context, `?` = there and with it enabled.
const IRQ_USAGE = /^(?:[^{]*\{)?([.+?-]{2,})(?:\}|$)/;

/** The regexes that read lockdep usage strings (the ReDoS test checks them). */
export const USAGE_REGEXES: readonly RegExp[] = [WAIT_TYPE, IRQ_USAGE];

export function lockTypeFromLockdepUsage(usage: string | null | undefined): LockType {
  const m = usage ? WAIT_TYPE.exec(usage) : null;
  if (m) {
    const inner = Number(m[1]);
    if (inner >= 3) return 'sleeping';
    if (inner === 2) return 'spinning';
  }
  // Taken in hardirq or softirq context: it cannot sleep.
  const irq = usage ? IRQ_USAGE.exec(usage) : null;
  if (irq && /[?-]/.test(irq[1]!)) return 'spinning';
  return 'unknown';
}

/** Well-known classes (one row each: class name as lockdep prints it → type). */
const KNOWN_CLASSES: ReadonlyArray<readonly [RegExp, LockType]> = [
  [/^reservation_ww_class_mutex$/, 'sleeping'], // dma_resv_lock()
  [/^&mm->mmap_lock$/, 'sleeping'], // rw_semaphore
  [/^shrinker_rwsem$/, 'sleeping'],
  [
    /^&(?:dev->struct_mutex|dev->mode_config\.mutex|dev->mode_config\.idr_mutex|dev->object_name_lock)$/,
    'sleeping',
  ],
  [/^&(?:shmem|obj)->pages_lock$/, 'sleeping'],
  [
    /^&(?:rq->__lock|rq->lock|p->pi_lock|zone->lock|lruvec->lru_lock|vgvq->qlock|vgdev->obj_free_lock)$/,
    'spinning',
  ],
  [/^&vgdev->(?:fence_drv\.lock|display_info_lock|ctx_id_idr_lock|resource_idr_lock)$/, 'spinning'],
  [/^drm_minor_lock$/, 'spinning'], // DEFINE_SPINLOCK in drm_drv.c
  [/^&vgvq->ack_queue$/, 'spinning'], // wait_queue_head lock
  // Names that say what they are.
  [/(?:^|[_>.])(?:mutex|rwsem|sem|lock_mutex)(?:#\d+)?(?:\/\d+)?$/, 'sleeping'],
  [/(?:^|[_>.])(?:spinlock|raw_lock|seqcount|seqlock)(?:#\d+)?(?:\/\d+)?$/, 'spinning'],
];

export function lockTypeFromKnownClass(name: string): LockType {
  for (const [re, type] of KNOWN_CLASSES) if (re.test(name)) return type;
  return 'unknown';
}

/**
 * Lockdep annotations that are not locks one blocks on in the usual sense:
 * `fs_reclaim` (taken by every reclaiming allocation), dma-fence signalling
 * and workqueue/completion maps, RCU/SRCU read sections.
 */
const ANNOTATION_MAPS =
  /^(?:fs_reclaim|dma_fence_map|mmu_notifier_invalidate_range_start|rcu_read_lock\w*|\w*_srcu|\((?:work_completion|wq_completion)\).*)$/;

export function isAnnotationMap(name: string): boolean {
  return ANNOTATION_MAPS.test(name);
}

/**
 * RCU and SRCU read sections: lockdep tracks them as recursive read maps
 * without dependency checks (`lock_acquire(map, 0, 0, 2, 0, …)`), so they
 * take no part in the lock-order graph.
 */
// rcu_read_lock  rcu_read_lock_bh  rcu_read_lock_sched  drm_unplug_srcu
const RCU_READ = /^(?:rcu_read_lock\w*|rcu_callback|\w*srcu\w*)$/;

export function isRcuReadSection(name: string): boolean {
  return RCU_READ.test(name);
}

/**
 * Preempt depth as the latency flags print it (`...2.` → 2; 4 or 5 columns:
 * irqs-off, need-resched, hardirq/softirq, preempt depth[, migrate-disable]);
 * null in irq context (another baseline) or when absent.
 */
export function preemptDepth(flags: string | null): number | null {
  // Runs on every event: character codes, no substring or parseInt.
  if (flags === null || flags.length < 4 || flags.charCodeAt(2) !== 0x2e /* . */) return null;
  return hexDigit(flags.charCodeAt(3));
}

/** 0–15 for `0-9a-fA-F`, else null. */
function hexDigit(c: number): number | null {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x57;
  return null;
}

/**
 * Releases above the task's baseline depth vs at it: at least 3 judged and
 * 90% one way. Above = spinning; at = a lock that leaves preemption alone,
 * i.e. a sleeping lock (lockdep maps and RCU are handled apart).
 */
export function lockTypeFromReleaseDepths(above: number, atBaseline: number): LockType {
  const n = above + atBaseline;
  if (n < 3) return 'unknown';
  if (above >= 0.9 * n) return 'spinning';
  if (atBaseline >= 0.9 * n) return 'sleeping';
  return 'unknown';
}

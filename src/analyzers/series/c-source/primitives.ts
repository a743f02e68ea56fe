import type { LockOpKind } from '../../../model/series.js';

/**
 * The locking, allocation and shrinker calls lock-op extraction knows: one
 * row per family and kind, with a real kernel line above each. Calls are
 * looked up by exact name (no regex runs over source lines).
 */
export interface PrimitiveRow {
  kind: LockOpKind;
  family: string | null;
  names: string[];
  /** Sleeping lock (mutex, rwsem, ww_mutex, dma_resv): may not be taken blocking in reclaim. */
  sleeping?: boolean;
  /** For allocations: index of the GFP argument, or the implied flags when the call takes none. */
  gfp?: number | { implied: string };
  /** For shrinker calls: the role recorded on the op. */
  role?: string;
}

export const PRIMITIVES: PrimitiveRow[] = [
  // mutex_lock(&shmem->pages_lock);
  {
    kind: 'lock',
    family: 'mutex',
    sleeping: true,
    names: [
      'mutex_lock',
      'mutex_lock_interruptible',
      'mutex_lock_killable',
      'mutex_lock_nested',
      'mutex_lock_io',
    ],
  },
  // if (!mutex_trylock(&vm->lock))
  { kind: 'trylock', family: 'mutex', sleeping: true, names: ['mutex_trylock'] },
  // mutex_unlock(&shmem->pages_lock);
  { kind: 'unlock', family: 'mutex', names: ['mutex_unlock'] },
  // spin_lock_irqsave(&vgdev->display_info_lock, flags);
  {
    kind: 'lock',
    family: 'spinlock',
    names: [
      'spin_lock',
      'spin_lock_irq',
      'spin_lock_irqsave',
      'spin_lock_bh',
      'spin_lock_nested',
      'raw_spin_lock',
      'raw_spin_lock_irq',
      'raw_spin_lock_irqsave',
    ],
  },
  // if (!spin_trylock(&pfdev->as_lock))
  {
    kind: 'trylock',
    family: 'spinlock',
    names: ['spin_trylock', 'spin_trylock_irq', 'spin_trylock_irqsave', 'spin_trylock_bh'],
  },
  // spin_unlock_irqrestore(&vgdev->display_info_lock, flags);
  {
    kind: 'unlock',
    family: 'spinlock',
    names: [
      'spin_unlock',
      'spin_unlock_irq',
      'spin_unlock_irqrestore',
      'spin_unlock_bh',
      'raw_spin_unlock',
      'raw_spin_unlock_irq',
      'raw_spin_unlock_irqrestore',
    ],
  },
  // read_lock(&tasklist_lock);
  {
    kind: 'lock',
    family: 'rwlock',
    names: [
      'read_lock',
      'write_lock',
      'read_lock_irqsave',
      'write_lock_irqsave',
      'read_lock_bh',
      'write_lock_bh',
    ],
  },
  // read_unlock(&tasklist_lock);
  {
    kind: 'unlock',
    family: 'rwlock',
    names: [
      'read_unlock',
      'write_unlock',
      'read_unlock_irqrestore',
      'write_unlock_irqrestore',
      'read_unlock_bh',
      'write_unlock_bh',
    ],
  },
  // down_read(&mm->mmap_lock);
  {
    kind: 'lock',
    family: 'rwsem',
    sleeping: true,
    names: [
      'down_read',
      'down_write',
      'down_read_killable',
      'down_write_killable',
      'down_read_interruptible',
      'down_read_nested',
      'down_write_nested',
    ],
  },
  // if (!down_read_trylock(&shrinker_rwsem))
  { kind: 'trylock', family: 'rwsem', sleeping: true, names: ['down_read_trylock', 'down_write_trylock'] },
  // up_read(&mm->mmap_lock);
  { kind: 'unlock', family: 'rwsem', names: ['up_read', 'up_write'] },
  // ret = ww_mutex_lock_interruptible(&obj->resv->lock, ctx);
  {
    kind: 'lock',
    family: 'ww_mutex',
    sleeping: true,
    names: [
      'ww_mutex_lock',
      'ww_mutex_lock_interruptible',
      'ww_mutex_lock_slow',
      'ww_mutex_lock_slow_interruptible',
    ],
  },
  // if (!ww_mutex_trylock(&obj->lock, NULL))
  { kind: 'trylock', family: 'ww_mutex', sleeping: true, names: ['ww_mutex_trylock'] },
  // ww_mutex_unlock(&obj->lock);
  { kind: 'unlock', family: 'ww_mutex', names: ['ww_mutex_unlock'] },
  // dma_resv_lock(shmem->base.resv, NULL);
  {
    kind: 'lock',
    family: 'dma_resv',
    sleeping: true,
    names: [
      'dma_resv_lock',
      'dma_resv_lock_interruptible',
      'dma_resv_lock_slow',
      'dma_resv_lock_slow_interruptible',
    ],
  },
  // if (!dma_resv_trylock(obj->resv))
  { kind: 'trylock', family: 'dma_resv', sleeping: true, names: ['dma_resv_trylock'] },
  // dma_resv_unlock(obj->resv);
  { kind: 'unlock', family: 'dma_resv', names: ['dma_resv_unlock'] },
  // rcu_read_lock();
  {
    kind: 'rcu-read-lock',
    family: 'rcu',
    names: ['rcu_read_lock', 'rcu_read_lock_bh', 'rcu_read_lock_sched'],
  },
  // rcu_read_unlock();
  {
    kind: 'rcu-read-unlock',
    family: 'rcu',
    names: ['rcu_read_unlock', 'rcu_read_unlock_bh', 'rcu_read_unlock_sched'],
  },
  // lockdep_assert_held(&vm->lock);
  {
    kind: 'assert',
    family: 'lockdep',
    names: [
      'lockdep_assert_held',
      'lockdep_assert_held_once',
      'lockdep_assert_held_read',
      'lockdep_assert_held_write',
      'assert_spin_locked',
    ],
  },
  // dma_resv_assert_held(shmem->base.resv);
  { kind: 'assert', family: 'dma_resv', names: ['dma_resv_assert_held'] },
  // might_lock(&vm->lock);
  { kind: 'might-lock', family: 'lockdep', names: ['might_lock', 'might_lock_read', 'might_lock_nested'] },
  // shmem = kzalloc(sizeof(*shmem), GFP_KERNEL);
  {
    kind: 'alloc',
    family: null,
    gfp: 1,
    names: [
      'kmalloc',
      'kzalloc',
      'kvmalloc',
      'kvzalloc',
      'krealloc',
      'kmemdup',
      'kstrdup_const',
      'kmem_cache_alloc',
      'kmem_cache_zalloc',
    ],
  },
  // pages = kvmalloc_array(npages, sizeof(struct page *), GFP_KERNEL);
  {
    kind: 'alloc',
    family: null,
    gfp: 2,
    names: ['kmalloc_array', 'kcalloc', 'kvmalloc_array', 'kvcalloc', 'sg_alloc_table'],
  },
  // bo->sgt = vmalloc(size);
  {
    kind: 'alloc',
    family: null,
    gfp: { implied: 'GFP_KERNEL' },
    names: ['vmalloc', 'vzalloc', 'vmalloc_array'],
  },
  // page = alloc_page(GFP_KERNEL | __GFP_ZERO);
  {
    kind: 'alloc',
    family: null,
    gfp: 0,
    names: [
      'alloc_page',
      'alloc_pages',
      '__get_free_page',
      '__get_free_pages',
      'get_zeroed_page',
      'folio_alloc',
    ],
  },
  // ptr = __vmalloc(size, GFP_KERNEL | __GFP_NOWARN);
  { kind: 'alloc', family: null, gfp: 1, names: ['__vmalloc', 'mempool_alloc'] },
  // page = shmem_read_mapping_page_gfp(mapping, i, mapping_gfp_mask(mapping));
  { kind: 'alloc', family: null, gfp: 2, names: ['shmem_read_mapping_page_gfp', 'shmem_read_folio_gfp'] },
  // pages = drm_gem_get_pages(obj);   (mapping gfp mask: GFP_HIGHUSER, reclaims)
  {
    kind: 'alloc',
    family: null,
    gfp: { implied: 'mapping_gfp_mask(mapping)' },
    names: ['drm_gem_get_pages', 'shmem_read_mapping_page', 'shmem_read_folio'],
  },
  // vaddr = dma_alloc_coherent(dev, size, &dma_addr, GFP_KERNEL);
  { kind: 'alloc', family: null, gfp: 3, names: ['dma_alloc_coherent', 'dma_alloc_attrs'] },
  // ret = register_shrinker(&vgdev->shrinker, "drm-virtio_gpu");
  {
    kind: 'shrinker',
    family: null,
    role: 'register',
    names: ['register_shrinker', 'shrinker_register', 'shrinker_alloc'],
  },
  // unregister_shrinker(&vgdev->shrinker);
  { kind: 'shrinker', family: null, role: 'unregister', names: ['unregister_shrinker', 'shrinker_free'] },
];

export const PRIMITIVE_BY_NAME: ReadonlyMap<string, PrimitiveRow> = new Map(
  PRIMITIVES.flatMap((row) => row.names.map((name) => [name, row] as const)),
);

/**
 * Shrinker callback members: `.scan_objects = virtio_gpu_shrinker_scan,`
 * or `shrinker->count_objects = drm_gem_shmem_shrinker_count_objects;` and
 * the drm-shmem `.evict`/`.purge` callbacks.
 */
// .scan_objects = drm_gem_shmem_shrinker_scan_objects,
export const CALLBACK_ASSIGNMENT =
  /(?:\.|->)\s*(count_objects|scan_objects|evict|purge|evict_object|purge_object)\s*=\s*(?:&\s*)?([A-Za-z_]\w*)/;

/** GFP expressions that never enter direct reclaim. */
// gfp = GFP_NOWAIT | __GFP_NOWARN;      kmalloc(sizeof(*e), GFP_ATOMIC);
export const NON_RECLAIMING_GFP =
  /\b(?:GFP_ATOMIC|GFP_NOWAIT|GFP_NOWAIT_NOWARN|__GFP_NOWAIT)\b|&\s*~\s*__GFP_(?:DIRECT_)?RECLAIM/;

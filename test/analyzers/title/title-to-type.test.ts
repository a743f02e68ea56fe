import { describe, expect, test } from 'vitest';
import { titleToType } from '../../../src/analyzers/title/title-to-type.js';

describe('titleToType', () => {
  test.each<[string, string | null]>([
    ['possible deadlock in lab_scan', 'LOCKDEP'],
    ['inconsistent lock state in fs_reclaim_acquire', 'LOCKDEP'],
    ['WARNING: suspicious RCU usage in cpuacct_charge', 'LOCKDEP'],
    ['BUG: spinlock lockup suspected in foo', 'LOCKDEP'],
    ['BUG: sleeping function called from invalid context in lab_work', 'ATOMIC_SLEEP'],
    ['INFO: task hung in write_cache_pages', 'HANG'],
    ['WARNING in dma_buf_vmap', 'WARNING'],
    ['WARNING: refcount bug in foo', 'REFCOUNT_WARNING'],
    ['KASAN: slab-use-after-free Read in foo', 'KASAN-USE-AFTER-FREE-READ'],
    ['BUG: unable to handle kernel NULL pointer dereference in foo', 'NULL-POINTER-DEREFERENCE'],
    ['general protection fault in foo', 'DoS'],
    ['memory leak in foo', 'LEAK'],
    ['WARNING: kernel stack regs has bad value', null],
    ['INFO: trying to register non-static key in foo', null],
    ['BUG: MAX_LOCKDEP_KEYS too low!', null],
    ['something else', null],
  ])('%s → %s', (title, type) => {
    expect(titleToType(title)).toBe(type);
  });
});

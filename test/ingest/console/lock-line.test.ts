import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import {
  LOCK_LINE_REGEXES,
  lockFromName,
  parseLock,
  splitLockName,
} from '../../../src/ingest/console/lock-line.js';

describe('parseLock', () => {
  it('a 6.x lock line with instance, subclass, usage and module site', () => {
    expect(
      parseLock(
        'ffff888100e0a8b0 (&shmem->pages_lock#2/1){+.+.}-{3:3}, at: drm_gem_shmem_evict+0x1d/0x80 [drm_shmem_helper]',
      ),
    ).toEqual({
      name: '&shmem->pages_lock#2/1',
      class: '&shmem->pages_lock',
      instance: 2,
      subclass: 1,
      usage: '{+.+.}-{3:3}',
      address: 'ffff888100e0a8b0',
      site: {
        function: 'drm_gem_shmem_evict',
        offset: 0x1d,
        size: 0x80,
        module: 'drm_shmem_helper',
        file: null,
        line: null,
        inline: false,
        unreliable: false,
        address: null,
      },
    });
  });

  it('a held-lock entry `#0:` with a syzbot site', () => {
    const l = parseLock(
      ' #0: ffff888022485298 (&mm->mmap_lock){++++}-{3:3}, at: mmap_read_lock include/linux/mmap_lock.h:117 [inline]',
    );
    expect(l).toMatchObject({ name: '&mm->mmap_lock', class: '&mm->mmap_lock', address: 'ffff888022485298' });
    expect(l?.site).toMatchObject({
      function: 'mmap_read_lock',
      file: 'include/linux/mmap_lock.h',
      line: 117,
      inline: true,
    });
  });

  it('(____ptrval____) and the old 4-char usage', () => {
    expect(
      parseLock('(____ptrval____) (&rq->lock){-.-.}, at: online_fair_sched_group+0x70/0x140'),
    ).toMatchObject({
      name: '&rq->lock',
      usage: '{-.-.}',
      address: null,
      site: { function: 'online_fair_sched_group' },
    });
  });

  it('the 4.x layout: no address, 6-char usage, `[<addr>] func` site', () => {
    expect(
      parseLock(' #0:  (&pipe->mutex/1){+.+.+.}, at: [<ffffffff81844c6b>] pipe_lock+0x5b/0x70'),
    ).toMatchObject({
      name: '&pipe->mutex/1',
      class: '&pipe->mutex',
      subclass: 1,
      instance: null,
      usage: '{+.+.+.}',
      address: null,
      site: { function: 'pipe_lock', offset: 0x5b, address: 'ffffffff81844c6b' },
    });
  });

  it('names with parentheses inside', () => {
    expect(
      parseLock(
        ' #1: ffffc900000e7d20 ((work_completion)(&(&wb->dwork)->work)){+.+.}-{0:0}, at: process_one_work+0x7c6/0x13a0',
      ),
    ).toMatchObject({
      name: '(work_completion)(&(&wb->dwork)->work)',
      class: '(work_completion)(&(&wb->dwork)->work)',
    });
    expect(
      parseLock(
        ' #0: ffff8881451bb938 ((wq_completion)writeback){+.+.}-{0:0}, at: process_one_work+0x77f/0x13a0',
      ),
    ).toMatchObject({ name: '(wq_completion)writeback' });
    expect(parseLock('-> #4 (&(c->notifiers)->rwsem){++++}-{3:3}:')).toMatchObject({
      name: '&(c->notifiers)->rwsem',
      site: null,
    });
  });

  it('chain entries and irq dependency heads', () => {
    expect(parseLock('-> #1 (fs_reclaim){+.+.}-{0:0}:')).toMatchObject({
      name: 'fs_reclaim',
      usage: '{+.+.}-{0:0}',
    });
    expect(parseLock('-> (console_owner){-.-.}-{0:0} ops: 1191 {')).toMatchObject({ name: 'console_owner' });
    expect(parseLock('-> #2 (&sb->s_type->i_mutex_key#3){++++}:')).toMatchObject({
      class: '&sb->s_type->i_mutex_key',
      instance: 3,
    });
    expect(
      parseLock(' #3: ffff8880b9d4d660 (lock#2){-.-.}-{2:2}, at: __alloc_pages_bulk+0x4ad/0x1870'),
    ).toMatchObject({
      name: 'lock#2',
      class: 'lock',
      instance: 2,
    });
  });

  it('a wrapped `at:` with nothing after it has no site', () => {
    expect(parseLock(' #0: dc43a6a0 ((wq_completion)msm){+.+.}, at:')).toMatchObject({
      name: '(wq_completion)msm',
      address: 'dc43a6a0',
      site: null,
    });
  });

  it('prose and scenario lines are not locks', () => {
    expect(parseLock('  lock(&o->lock);')).toBeNull();
    expect(parseLock('but task is already holding lock:')).toBeNull();
    expect(parseLock('ffffffffa0002250 (unterminated{+.+.}')).toBeNull();
    expect(parseLock('')).toBeNull();
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const l = parseLock(s);
        expect(l === null || typeof l.name === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('splitLockName', () => {
  it('drops a trailing #N and /N only', () => {
    expect(splitLockName('&xa->xa_lock#9')).toEqual({
      name: '&xa->xa_lock#9',
      class: '&xa->xa_lock',
      instance: 9,
      subclass: null,
    });
    expect(splitLockName('&pipe->mutex/1')).toMatchObject({
      class: '&pipe->mutex',
      subclass: 1,
      instance: null,
    });
    expect(splitLockName('(wq_completion)events')).toMatchObject({ class: '(wq_completion)events' });
    expect(lockFromName('k-slock-AF_INET6/1')).toMatchObject({
      class: 'k-slock-AF_INET6',
      usage: null,
      site: null,
    });
  });
});

describe('ReDoS', () => {
  it.each(LOCK_LINE_REGEXES.map((r) => [r.source, r]))('%s is safe', async (_src, re) => {
    const r = await check(re.source, re.flags);
    expect(r.status).toBe('safe');
  });
});

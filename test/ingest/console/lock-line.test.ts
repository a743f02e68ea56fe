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
      ' #0: ffff888003a41e70 (&mm->mmap_lock){++++}-{3:3}, at: mmap_read_lock include/linux/mmap_lock.h:117 [inline]',
    );
    expect(l).toMatchObject({ name: '&mm->mmap_lock', class: '&mm->mmap_lock', address: 'ffff888003a41e70' });
    expect(l?.site).toMatchObject({
      function: 'mmap_read_lock',
      file: 'include/linux/mmap_lock.h',
      line: 117,
      inline: true,
    });
  });

  it('(____ptrval____) and the old 4-char usage', () => {
    expect(
      parseLock('(____ptrval____) (&vgdev->ctrlq.qlock){-.-.}, at: virtio_gpu_dequeue_ctrl_func+0x3c/0x2a0'),
    ).toMatchObject({
      name: '&vgdev->ctrlq.qlock',
      usage: '{-.-.}',
      address: null,
      site: { function: 'virtio_gpu_dequeue_ctrl_func' },
    });
  });

  it('the 4.x layout: no address, 6-char usage, `[<addr>] func` site', () => {
    expect(
      parseLock(' #0:  (&pipe->mutex/1){+.+.+.}, at: [<ffffffff8120a3c4>] pipe_lock+0x24/0x30'),
    ).toMatchObject({
      name: '&pipe->mutex/1',
      class: '&pipe->mutex',
      subclass: 1,
      instance: null,
      usage: '{+.+.+.}',
      address: null,
      site: { function: 'pipe_lock', offset: 0x24, address: 'ffffffff8120a3c4' },
    });
  });

  it('names with parentheses inside', () => {
    expect(
      parseLock(
        ' #1: ffffc90000217e68 ((work_completion)(&(&vgdev->obj_free_work)->work)){+.+.}-{0:0}, at: process_one_work+0x1f2/0x5c0',
      ),
    ).toMatchObject({
      name: '(work_completion)(&(&vgdev->obj_free_work)->work)',
      class: '(work_completion)(&(&vgdev->obj_free_work)->work)',
    });
    expect(
      parseLock(
        ' #0: ffff888003059d48 ((wq_completion)events){+.+.}-{0:0}, at: process_one_work+0x1c4/0x5c0',
      ),
    ).toMatchObject({ name: '(wq_completion)events' });
    expect(parseLock('-> #3 (&(vgdev->notifiers)->rwsem){++++}-{3:3}:')).toMatchObject({
      name: '&(vgdev->notifiers)->rwsem',
      site: null,
    });
  });

  it('chain entries and irq dependency heads', () => {
    expect(parseLock('-> #1 (fs_reclaim){+.+.}-{0:0}:')).toMatchObject({
      name: 'fs_reclaim',
      usage: '{+.+.}-{0:0}',
    });
    expect(parseLock('-> (&vgdev->display_info_lock){-.-.}-{2:2} ops: 402 {')).toMatchObject({
      name: '&vgdev->display_info_lock',
    });
    expect(parseLock('-> #2 (&sb->s_type->i_mutex_key#7){++++}:')).toMatchObject({
      class: '&sb->s_type->i_mutex_key',
      instance: 7,
    });
    expect(
      parseLock(' #2: ffff88803ec2d4a0 (lock#4){-.-.}-{2:2}, at: rmqueue_bulk+0x4a/0x2e0'),
    ).toMatchObject({
      name: 'lock#4',
      class: 'lock',
      instance: 4,
    });
  });

  it('a wrapped `at:` with nothing after it has no site', () => {
    expect(parseLock(' #0: c1f2a3b0 ((wq_completion)virtio_gpu){+.+.}, at:')).toMatchObject({
      name: '(wq_completion)virtio_gpu',
      address: 'c1f2a3b0',
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
    // a fixed seed keeps the fuzzing checker reproducible
    const r = await check(re.source, re.flags, { randomSeed: 20261125 });
    expect(r.status).toBe('safe');
  });
});

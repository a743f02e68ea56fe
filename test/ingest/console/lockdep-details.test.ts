import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { HEADER_REGEXES } from '../../../src/ingest/console/details/header.js';
import {
  ContinuationReader,
  JOIN_REGEXES,
  joinContinuations,
} from '../../../src/ingest/console/details/join.js';
import { STACK_REGEXES } from '../../../src/ingest/console/details/stack.js';
import { DETAILS_REGEXES, extractLockDetails } from '../../../src/ingest/console/lockdep-details.js';
import type { ConsoleLine } from '../../../src/model/console-line.js';
import type { ReportKind } from '../../../src/model/report.js';
import { fixture } from '../../helpers/shared.js';

/**
 * Minimal stand-in for the console normalizer: strips `[  12.345678]` and `[  T123]`/`[    C4]`
 * prefixes (and the one space after them) so these tests do not depend on the other pipeline.
 */
function consoleLines(raw: string, firstLine = 1): ConsoleLine[] {
  return raw.split('\n').map((rawText, i) => {
    let text = rawText.replace(/\r$/, '');
    let ts: number | null = null;
    let caller: string | null = null;
    const m = /^\[ *(\d+\.\d+)\](?:\[ *([TC]\d+)\])? ?/.exec(text);
    if (m) {
      ts = Number(m[1]);
      caller = m[2] ?? null;
      text = text.slice(m[0].length);
    }
    return { text, ts, caller, level: null, line: firstLine + i, quoteDepth: 0 };
  });
}

/** The lines of a lab fixture from `fromLine` to `toLine` (1-based, inclusive). */
function labLines(name: string, fromLine: number, toLine?: number): ConsoleLine[] {
  const all = readFileSync(fixture('console', 'lab-6.1', name, 'dmesg.txt'), 'utf8').split('\n');
  return consoleLines(all.slice(fromLine - 1, toLine ?? all.length).join('\n'), fromLine);
}

const names = (locks: { name: string }[]) => locks.map((l) => l.name);

// Hand-checked against the logs (written before the parser): fixtures/console/lab-6.1/*/dmesg.txt.
describe('lab 6.1 splats, hand-checked fields', () => {
  it('shrinker: kswapd0 holds fs_reclaim and takes lab_shrinker_lock in lab_scan', () => {
    const d = extractLockDetails('circular-dependency', labLines('shrinker', 276));
    expect(d.task).toEqual({ comm: 'kswapd0', pid: 28 });
    expect(d.kernelRelease).toBe('6.1.192');
    expect(d.taint).toBe('G           O');
    expect(d.hardware).toBe('QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014');
    expect(d.acquiring).toEqual({
      name: 'lab_shrinker_lock',
      class: 'lab_shrinker_lock',
      instance: null,
      subclass: null,
      usage: '{+.+.}-{3:3}',
      address: 'ffffffffa0002250',
      site: expect.objectContaining({
        function: 'lab_scan',
        offset: 0x17,
        size: 0x47,
        module: 'lab_lockdep',
      }),
    });
    expect(names(d.held)).toEqual(['fs_reclaim']);
    expect(d.held[0]?.site?.function).toBe('balance_pgdat');
    expect(d.chain.map((c) => [c.index, c.lock.name, c.stack[0]?.function])).toEqual([
      [1, 'fs_reclaim', 'fs_reclaim_acquire'],
      [0, 'lab_shrinker_lock', '__lock_acquire'],
    ]);
    expect(d.chain[0]?.stack).toHaveLength(10);
    expect(d.chain[0]?.stack[4]).toMatchObject({ function: null, address: 'ffffffffa0005056' });
    expect(d.chain[1]?.stack.map((f) => f.function)).toContain('lab_scan');
    expect(d.heldLocks).toEqual([
      {
        task: { comm: 'kswapd0', pid: 28 },
        count: 2,
        locks: [
          expect.objectContaining({ name: 'fs_reclaim', address: 'ffffffff81ac7f00' }),
          expect.objectContaining({ name: 'shrinker_rwsem', usage: '{++++}-{3:3}' }),
        ],
        printed: true,
      },
    ]);
    expect(d.scenario.map((s) => s.trim())).toEqual([
      'CPU0                    CPU1',
      '----                    ----',
      'lock(fs_reclaim);',
      'lock(lab_shrinker_lock);',
      'lock(fs_reclaim);',
      'lock(lab_shrinker_lock);',
      '*** DEADLOCK ***',
    ]);
    expect(d.stack[0]?.function).toBe('dump_stack_lvl');
    expect(d.stack).toHaveLength(22);
    expect(d.stack.filter((f) => f.unreliable)).toHaveLength(10);
    expect(d.stack.at(-1)?.function).toBe('ret_from_fork');
    expect(d.diagnostics).toEqual([]);
  });

  it('abba: insmod holds lab_lock_b and takes lab_lock_a', () => {
    const d = extractLockDetails('circular-dependency', labLines('abba', 276));
    expect(d.task).toEqual({ comm: 'insmod', pid: 129 });
    expect(d.acquiring?.name).toBe('lab_lock_a');
    expect(d.acquiring?.site?.function).toBe('lab_abba');
    expect(names(d.held)).toEqual(['lab_lock_b']);
    expect(d.chain.map((c) => c.lock.class)).toEqual(['lab_lock_b', 'lab_lock_a']);
    expect(d.heldLocks).toHaveLength(1);
    expect(d.heldLocks[0]?.count).toBe(1);
    expect(d.stack.find((f) => !f.unreliable && f.function?.startsWith('lab_'))?.function).toBe('lab_abba');
    expect(d.diagnostics).toEqual([]);
  });

  it('recursive: &o->lock taken twice in lab_recursive', () => {
    const d = extractLockDetails('recursive-locking', labLines('recursive', 275));
    expect(d.acquiring).toMatchObject({ name: '&o->lock', class: '&o->lock', address: 'ffff888003996370' });
    expect(d.held).toMatchObject([{ name: '&o->lock', address: 'ffff8880039962b0' }]);
    expect(d.acquiring?.site?.function).toBe('lab_recursive');
    expect(d.chain).toEqual([]);
    expect(d.scenario.map((s) => s.trim())).toEqual([
      'CPU0',
      '----',
      'lock(&o->lock);',
      'lock(&o->lock);',
      '*** DEADLOCK ***',
    ]);
    expect(d.heldLocks.map((h) => h.count)).toEqual([1]);
  });

  it('irq: lab_irq_lock {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}, no locks held', () => {
    const d = extractLockDetails('inconsistent-lock-state', labLines('irq', 275));
    expect(d.task).toEqual({ comm: 'insmod', pid: 128 });
    expect(d.acquiring).toMatchObject({
      name: 'lab_irq_lock',
      usage: '{?...}-{2:2}',
      address: 'ffffffffa0002058',
    });
    expect(d.acquiring?.site?.function).toBe('lab_irq');
    expect(d.held).toEqual([]);
    expect(d.irqStates.map((s) => [s.state, s.stack.length, s.stack[2]?.function])).toEqual([
      ['IN-HARDIRQ-W', 16, 'lab_timer_fn'],
    ]);
    expect(d.heldLocks).toEqual([{ task: { comm: 'insmod', pid: 128 }, count: 0, locks: [], printed: true }]);
    expect(d.scenario.map((s) => s.trim())).toContain('<Interrupt>');
  });

  it('sleep: might_sleep under lab_irq_lock, then an invalid wait context', () => {
    const first = extractLockDetails('sleeping-in-atomic', labLines('sleep', 274, 306));
    expect(first.task).toEqual({ comm: 'insmod', pid: 128 });
    expect(first.acquiring).toBeNull();
    expect(first.heldLocks).toMatchObject([
      { count: 1, locks: [{ name: 'lab_irq_lock', usage: '{+.+.}-{2:2}' }] },
    ]);
    expect(first.stack.filter((f) => !f.unreliable).map((f) => f.function)).toEqual([
      'dump_stack_lvl',
      '__might_resched.cold',
      '__mutex_lock',
      'lab_sleep',
      'lab_init',
      'do_one_initcall',
      'do_init_module',
      '__do_sys_finit_module',
      'do_syscall_64',
      'entry_SYSCALL_64_after_hwframe',
    ]);
    const second = extractLockDetails('invalid-wait-context', labLines('sleep', 308, 350));
    expect(second.task).toEqual({ comm: 'insmod', pid: 128 });
    expect(second.taint).toBe('G        W  O');
    expect(second.acquiring).toMatchObject({ name: 'lab_lock_a', usage: '{....}-{3:3}' });
    expect(second.heldLocks[0]?.locks.map((l) => l.name)).toEqual(['lab_irq_lock']);
  });
});

// Minimal cases written for these tests, in the layouts mail clients and pr_cont() races produce.
describe('mail-wrapped and pr_cont-broken lock lines', () => {
  it('joins `{3:3}, at:` continued on the next line (a mail client wrap)', () => {
    const d = extractLockDetails(
      'recursive-locking',
      consoleLines(
        [
          '[   41.200101] drmfb:cs0/3121 is trying to acquire lock:',
          '[   41.200102] ffff888004c1a1a8 (reservation_ww_class_mutex){+.+.}-',
          '{3:3}, at: virtio_gpu_array_lock_resv+0x2b/0xa0',
          '[   41.200120] 2 locks held by drmfb:cs0/3121:',
          '[   41.200121]  #0: ffff888004c10d48 (&vgdev->obj_free_lock){+.+.}-{3:3}, at: virtio_gpu_cleanup_object+0x12/0x40',
          '[   41.200122]  #1: ffffc900001f7b88',
          '(reservation_ww_class_acquire){+.+.}-{0:0}, at:',
          'virtio_gpu_array_lock_resv+0x11/0xa0',
        ].join('\n'),
      ),
    );
    expect(d.task).toEqual({ comm: 'drmfb:cs0', pid: 3121 });
    expect(d.acquiring).toMatchObject({ name: 'reservation_ww_class_mutex', usage: '{+.+.}-{3:3}' });
    expect(d.acquiring?.site?.function).toBe('virtio_gpu_array_lock_resv');
    expect(d.heldLocks[0]).toMatchObject({ count: 2, task: { comm: 'drmfb:cs0', pid: 3121 } });
    expect(d.heldLocks[0]?.locks[1]).toMatchObject({
      name: 'reservation_ww_class_acquire',
      address: 'ffffc900001f7b88',
      usage: '{+.+.}-{0:0}',
    });
    expect(d.heldLocks[0]?.locks[1]?.site?.function).toBe('virtio_gpu_array_lock_resv');
    expect(d.diagnostics).toEqual([]);
  });

  it('joins an address on its own line and a name split before `)` (pr_cont breakage)', () => {
    const d = extractLockDetails(
      'irq-safe-unsafe-order',
      consoleLines(
        [
          'kworker/0:2/57 [HC0[0]:SC0[1]:HE0:SE0] is trying to acquire:',
          'ffff888004d3c020 (&vgdev->free_vbufs_lock){+...}-{2:2}, at: virtio_gpu_get_vbuf+0x21/0x90',
          '',
          'and this task is already holding:',
          'ffff888004d3c6a8',
          ' (&vgdev->ctrlq.qlock){-.-.}-{2:2}, at: virtio_gpu_queue_ctrl_sgs+0x4c/0x2d0 drivers/gpu/drm/virtio/virtgpu_vq.c:341',
          '2 locks held by kworker/0:2/57:',
          ' #0: ',
          'ffff888004d3c6a8',
          ' (&vgdev->ctrlq.qlock){-.-.}-{2:2}, at: virtio_gpu_queue_ctrl_sgs+0x4c/0x2d0 drivers/gpu/drm/virtio/virtgpu_vq.c:341',
          ' #1: ffffffff81a4c0e0',
          ' (rcu_read_lock',
          '){....}-{1:2}, at: rcu_lock_acquire include/linux/rcupdate.h:301 [inline]',
          '){....}-{1:2}, at: virtio_gpu_fence_event_process+0x3a/0x160 drivers/gpu/drm/virtio/virtgpu_fence.c:133',
        ].join('\n'),
      ),
    );
    expect(d.task).toEqual({ comm: 'kworker/0:2', pid: 57 });
    expect(d.acquiring?.name).toBe('&vgdev->free_vbufs_lock');
    expect(d.held).toMatchObject([{ name: '&vgdev->ctrlq.qlock', address: 'ffff888004d3c6a8' }]);
    expect(d.heldLocks[0]?.locks.map((l) => [l.name, l.address])).toEqual([
      ['&vgdev->ctrlq.qlock', 'ffff888004d3c6a8'],
      ['rcu_read_lock', 'ffffffff81a4c0e0'],
    ]);
    // syzbot prints one line per inlined frame of a held lock: the real (non-inline) site is kept
    expect(d.heldLocks[0]?.locks[1]?.site?.function).toBe('virtio_gpu_fence_event_process');
  });

  it('takes the `Chain exists of:` locks as the chain of an irq safe -> unsafe report', () => {
    const d = extractLockDetails(
      'irq-safe-unsafe-order',
      consoleLines(
        [
          'insmod/130 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:',
          'ffffffffa0002310 (lab_unsafe_lock){+.-.}-{2:2}, at: lab_unsafe+0x31/0x60 [lab_lockdep]',
          'and this task is already holding:',
          'ffffffffa0002250 (lab_mid_lock){....}-{2:2}, at: lab_unsafe+0x22/0x60 [lab_lockdep]',
          'but this new dependency connects a HARDIRQ-irq-safe lock:',
          ' (lab_irq_lock){-.-.}-{2:2}',
          'to a HARDIRQ-irq-unsafe lock:',
          ' (lab_unsafe_lock){+.-.}-{2:2}',
          'other info that might help us debug this:',
          'Chain exists of:',
          '  lab_irq_lock --> lab_mid_lock --> lab_unsafe_lock',
        ].join('\n'),
      ),
    );
    expect(d.chain.map((c) => [c.index, c.lock.name])).toEqual([
      [2, 'lab_irq_lock'],
      [1, 'lab_mid_lock'],
      [0, 'lab_unsafe_lock'],
    ]);
  });

  it('without `Chain exists of:`, the irq-safe and irq-unsafe locks make the chain', () => {
    const d = extractLockDetails(
      'irq-safe-unsafe-order',
      consoleLines(
        [
          'but this new dependency connects a SOFTIRQ-irq-safe lock:',
          ' (lab_irq_lock){-.-.}-{2:2}',
          'to a SOFTIRQ-irq-unsafe lock:',
          ' (lab_unsafe_lock){+.-.}-{2:2}',
        ].join('\n'),
      ),
    );
    expect(d.chain.map((c) => [c.index, c.lock.name])).toEqual([
      [1, 'lab_irq_lock'],
      [0, 'lab_unsafe_lock'],
    ]);
  });

  it('comms with blanks and slashes (`Web Content`, `kworker/u4:0`)', () => {
    const d = extractLockDetails(
      'circular-dependency',
      consoleLines(
        [
          'Web Content/2210 is trying to acquire lock:',
          'ffff888004c1a1a8 (reservation_ww_class_mutex){+.+.}-{3:3}, at: virtio_gpu_array_lock_resv+0x2b/0xa0',
          '2 locks held by Web Content/2210:',
          ' #0: ffff888004c10d48 (&vgdev->obj_free_lock){+.+.}-{3:3}, at: virtio_gpu_cleanup_object+0x12/0x40',
          ' #1: ffff888004c1a1a8 (reservation_ww_class_mutex){+.+.}-{3:3}, at: virtio_gpu_array_lock_resv+0x2b/0xa0',
          'no locks held by kworker/u4:0/9.',
          'CPU: 1 PID: 2210 Comm: Web Content Tainted: G        W          6.1.192 #2',
        ].join('\n'),
      ),
    );
    expect(d.task).toEqual({ comm: 'Web Content', pid: 2210 });
    expect(d.heldLocks.map((h) => [h.task, h.count, h.locks.length])).toEqual([
      [{ comm: 'Web Content', pid: 2210 }, 2, 2],
      [{ comm: 'kworker/u4:0', pid: 9 }, 0, 0],
    ]);
    expect(d).toMatchObject({ kernelRelease: '6.1.192', taint: 'G        W' });
  });

  it('another CPU’s frames interleaved into a held-lock list (no caller ids) are skipped', () => {
    const d = extractLockDetails(
      'lockdep-internal',
      consoleLines(
        [
          '[  184.812718] 2 locks held by drmfb/4037:',
          '[  184.812742]  ? virtio_gpu_queue_ctrl_sgs+0x4c/0x2d0',
          '[  184.815312]  #0: ffff888004c10d48 (&vgdev->obj_free_lock){+.+.}-{3:3}, at: virtio_gpu_cleanup_object+0x12/0x40',
          '[  184.815313]  ? virtio_gpu_notify+0x20/0x60',
          '[  184.815314]  #1: ffff888004c1a1a8 (reservation_ww_class_mutex){+.+.}-{3:3}, at: virtio_gpu_array_lock_resv+0x2b/0xa0',
          '[  184.815315]  virtio_gpu_dequeue_ctrl_func+0x3c/0x2a0',
        ].join('\n'),
      ),
    );
    expect(d.heldLocks[0]?.locks.map((l) => l.name)).toEqual([
      '&vgdev->obj_free_lock',
      'reservation_ww_class_mutex',
    ]);
    expect(d.diagnostics).toEqual([]);
  });

  it('the task lines of bad unlock balance, held lock freed and hung tasks', () => {
    const task = (line: string, kind: ReportKind = 'bad-unlock-balance') =>
      extractLockDetails(kind, consoleLines(line)).task;
    expect(task('drmfb/1869 is trying to release lock (&vgdev->obj_free_lock) at:')).toEqual({
      comm: 'drmfb',
      pid: 1869,
    });
    expect(
      task(
        'Web Content/77 is freeing memory ffff888004c1a000-ffff888004c1afff, with a lock still held there!',
      ),
    ).toEqual({ comm: 'Web Content', pid: 77 });
    expect(task('INFO: task kworker/u4:0:9 blocked for more than 143 seconds.', 'hung-task')).toEqual({
      comm: 'kworker/u4:0',
      pid: 9,
    });
    expect(
      task('BUG: workqueue leaked lock or atomic: kworker/2:4/0xfffffe00/188', 'workqueue-leaked-lock'),
    ).toEqual({
      comm: 'kworker/2:4',
      pid: 188,
    });
    expect(
      task('BUG: scheduling while atomic: kworker/2:4/188/0x00000201', 'scheduling-while-atomic'),
    ).toEqual({
      comm: 'kworker/2:4',
      pid: 188,
    });
    expect(task('[ BUG: drmfb/31761 still has locks held! ]', 'locks-held-at-exit')).toEqual({
      comm: 'drmfb',
      pid: 31761,
    });
  });

  it('a release wrapped under the CPU line, with the rest of the taint flags', () => {
    const d = extractLockDetails(
      'kcsan-data-race',
      consoleLines(['CPU: 0 PID: 132 Comm: drmfb Tainted: G', '          O  6.1.192 #2'].join('\n')),
    );
    expect(d).toMatchObject({ task: { comm: 'drmfb', pid: 132 }, kernelRelease: '6.1.192', taint: 'G O' });
  });

  // parseFrame (src/ingest/console/frame.ts) does not take decode_stacktrace.sh frames that list
  // several inlined locations in one parenthesis; LKP mails are full of them. Until it does, such
  // frames are lost from every stack (they become FRAME_UNPARSED diagnostics).
  it('keeps decoded frames that list several inlined locations (needs parseFrame)', () => {
    const d = extractLockDetails(
      'recursive-locking',
      consoleLines(
        [
          'Call Trace:',
          ' <TASK>',
          ' dump_stack_lvl (lib/dump_stack.c:94 lib/dump_stack.c:120)',
          ' lab_recursive (lab/lab_lockdep.c:88 (discriminator 3) lab/lab_lockdep.c:97) lab_lockdep',
          ' lab_init (lab/lab_lockdep.c:140) lab_lockdep',
          ' </TASK>',
        ].join('\n'),
      ),
    );
    expect(d.stack.map((f) => [f.function, f.file, f.line, f.module])).toEqual([
      ['dump_stack_lvl', 'lib/dump_stack.c', 94, null],
      ['lab_recursive', 'lab/lab_lockdep.c', 88, 'lab_lockdep'],
      ['lab_init', 'lab/lab_lockdep.c', 140, 'lab_lockdep'],
    ]);
    expect(d.diagnostics).toEqual([]);
  });
});

describe('held-lock lists whose locks are missing', () => {
  // Written after lockdep_print_held_locks(): the count line, then the locks unless the task
  // runs on another CPU; debug_show_all_locks() closes the list with a rule of `=`.
  const hung = (between: string) =>
    extractLockDetails(
      'hung-task',
      consoleLines(
        [
          'Showing all locks held in the system:',
          '1 lock held by khungtaskd/32:',
          ' #0: c3baa3d4 (rcu_read_lock){....}-{1:3}, at: debug_show_all_locks+0x23/0x190',
          '2 locks held by depmod/567:',
          ...between.split('\n').filter((l) => l !== ''),
          '',
          '=============================================',
        ].join('\n'),
      ),
    );

  it('a running task: the count alone, then the end of the list (printed: false, no diagnostic)', () => {
    const d = hung('');
    expect(d.heldLocks.map((b) => [b.task?.comm, b.count, b.printed, b.locks.length])).toEqual([
      ['khungtaskd', 1, true, 1],
      ['depmod', 2, false, 0],
    ]);
    expect(d.diagnostics).toEqual([]);
  });

  it('lines of another CPU in their place: a parsing gap, said in a diagnostic', () => {
    const d = hung('CPU: 0 PID: 5955 Comm: syz-executor5 Not tainted 4.15.0+ #222');
    expect(d.heldLocks[1]).toMatchObject({ count: 2, printed: true, locks: [] });
    expect(d.diagnostics).toEqual([
      { code: 'HELD_LOCKS_COUNT', message: '2 held locks announced, 0 parsed', line: 4 },
    ]);
  });
});

describe('joinContinuations: one rule per way a line gets broken', () => {
  const joined = (...pieces: string[]) => joinContinuations(consoleLines(pieces.join('\n'))).map((l) => l.t);
  it.each([
    [
      'address alone (pr_cont)',
      ['ffff888004d3c6a8', ' (&vgdev->ctrlq.qlock){-.-.}-{2:2}, at: f+0x1/0x2'],
      ['ffff888004d3c6a8 (&vgdev->ctrlq.qlock){-.-.}-{2:2}, at: f+0x1/0x2'],
    ],
    [
      '`#N:` alone, then the address',
      [' #0: ', 'ffff888004d3c6a8', ' (a_lock){....}-{2:2}, at: f+0x1/0x2'],
      ['#0: ffff888004d3c6a8 (a_lock){....}-{2:2}, at: f+0x1/0x2'],
    ],
    [
      'usage dash',
      ['ffff888004c1a1a8 (a_lock){+.+.}-', '{3:3}, at: f+0x1/0x2'],
      ['ffff888004c1a1a8 (a_lock){+.+.}-{3:3}, at: f+0x1/0x2'],
    ],
    [
      'usage comma',
      ['#2: ffff888004c1a1a8 (a_lock){+.+.},', 'at: f+0x1/0x2'],
      ['#2: ffff888004c1a1a8 (a_lock){+.+.}, at: f+0x1/0x2'],
    ],
    [
      '`-> (` broken',
      [' (a_lock){-.-.}-{2:2} -> (', 'b_lock){+...}-{2:2}'],
      ['(a_lock){-.-.}-{2:2} -> (b_lock){+...}-{2:2}'],
    ],
    ['`->` alone', ['->', ' (b_lock', '){+...}-{2:2} {'], ['-> (b_lock){+...}-{2:2} {']],
    ['`INITIAL USE` / `at:`', ['   INITIAL USE', ' at:'], ['INITIAL USE at:']],
    [
      'release lock (Gmail)',
      ['drmfb/1869 is trying to release lock', '(a_lock) at:', 'f+0x1/0x2'],
      ['drmfb/1869 is trying to release lock (a_lock) at: f+0x1/0x2'],
    ],
    [
      'decoded path on the next line',
      ['lab_scan', '(lab/lab_lockdep.c:120)'],
      ['lab_scan (lab/lab_lockdep.c:120)'],
    ],
    [
      'decoded path list across lines',
      ['f (a/b.c:1', 'a/c.c:2', 'a/d.c:3)'],
      ['f (a/b.c:1 a/c.c:2 a/d.c:3)'],
    ],
    [
      'ARM32 `from` wrap',
      ['[<c0112e18>] (unwind_backtrace) from [<c010cda0>]', '(show_stack+0x10/0x14)'],
      ['[<c0112e18>] (unwind_backtrace) from [<c010cda0>] (show_stack+0x10/0x14)'],
    ],
    [
      'KCSAN access wrap',
      ['write to 0xffff80000f00bfb8 of 8 bytes by task', '93 on cpu 0:'],
      ['write to 0xffff80000f00bfb8 of 8 bytes by task 93 on cpu 0:'],
    ],
    [
      'a name broken before `)`, one line per inline site',
      [
        ' #1: ffffffff81a4c0e0',
        ' (rcu_read_lock',
        '){....}-{1:2}, at: a include/a.h:1 [inline]',
        '){....}-{1:2}, at: b+0x1/0x2',
      ],
      [
        '#1: ffffffff81a4c0e0 (rcu_read_lock){....}-{1:2}, at: a include/a.h:1 [inline]',
        '#1: ffffffff81a4c0e0 (rcu_read_lock){....}-{1:2}, at: b+0x1/0x2',
      ],
    ],
  ])('%s', (_name, pieces, want) => {
    expect(joined(...pieces)).toEqual(want);
  });
  it("reads one logical line at a time, in order, with the first piece's line, then null", () => {
    const reader = new ContinuationReader(
      consoleLines(
        [
          ' (rcu_read_lock',
          '){....}-{1:2}, at: a+0x1/0x2',
          '){....}-{1:2}, at: b+0x1/0x2',
          ' c+0x3/0x4',
        ].join('\n'),
        7,
      ),
    );
    const read = [];
    for (let l = reader.next(); l !== null; l = reader.next()) read.push([l.line, l.t]);
    expect(read).toEqual([
      [7, '(rcu_read_lock){....}-{1:2}, at: a+0x1/0x2'],
      [7, '(rcu_read_lock){....}-{1:2}, at: b+0x1/0x2'],
      [10, 'c+0x3/0x4'],
    ]);
    expect(reader.next()).toBeNull();
  });
  it('leaves whole lines alone', () => {
    const lab = readFileSync(fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt'), 'utf8')
      .split('\n')
      .slice(275, 359);
    expect(joinContinuations(consoleLines(lab.join('\n')))).toHaveLength(lab.length);
  });
});

describe('never throws', () => {
  const kinds: ReportKind[] = ['circular-dependency', 'hung-task', 'inconsistent-lock-state', 'warning'];
  it('on random text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 40 }),
        (k, t) => {
          const d = extractLockDetails(k, consoleLines(t.join('\n')));
          expect(Array.isArray(d.diagnostics)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('on random mixes of real lockdep lines', () => {
    const real = readFileSync(fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt'), 'utf8')
      .split('\n')
      .slice(275);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...real), { maxLength: 80 }), (t) => {
        const d = extractLockDetails('circular-dependency', consoleLines(t.join('\n')));
        expect(d.chain.every((c) => Number.isInteger(c.index))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ReDoS: every regex of the lock-details extractor is safe', () => {
  const all = [...DETAILS_REGEXES, ...HEADER_REGEXES, ...JOIN_REGEXES, ...STACK_REGEXES];
  it.each(all.map((r) => [r.source, r]))('%s', async (_src, re) => {
    // a fixed seed keeps the fuzzing checker reproducible
    const r = await check(re.source, re.flags, { randomSeed: 20261125 });
    expect(r.status).toBe('safe');
  });
  it('a 1 MB line of lock-ish text is handled (no exception, no lock)', () => {
    const line = `ffff888100e0a8b0 (${'('.repeat(500_000)}${'x#1/'.repeat(125_000)}`;
    const d = extractLockDetails(
      'circular-dependency',
      consoleLines(`x/1 is trying to acquire lock:\n${line}`),
    );
    expect(d.acquiring).toBeNull();
    expect(d.diagnostics.map((x) => x.code)).toEqual(['LOCK_LINE_UNPARSED']);
  });
  it('1 MB lines of blanks, parentheses and frame-like words (would hang if any step were quadratic)', () => {
    const lines = [
      `a${' '.repeat(1_000_000)}b`,
      `(${'x '.repeat(500_000)}`,
      `${'f+0x1/0x2 '.repeat(100_000)}at:`,
      `#0: ${'ffffffff '.repeat(100_000)}`,
    ];
    for (const kind of ['circular-dependency', 'hung-task'] as const) {
      const d = extractLockDetails(kind, consoleLines(lines.join('\n')));
      expect(d.acquiring).toBeNull();
      expect(d.stack).toEqual([]);
    }
  });
});

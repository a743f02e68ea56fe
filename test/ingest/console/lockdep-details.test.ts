import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { HEADER_REGEXES } from '../../../src/ingest/console/details/header.js';
import { JOIN_REGEXES } from '../../../src/ingest/console/details/join.js';
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
    expect(d.heldLocks).toEqual([{ task: { comm: 'insmod', pid: 128 }, count: 0, locks: [] }]);
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

describe('mail-wrapped and pr_cont-broken lock lines', () => {
  it('joins `{3:3}, at:` continued on the next line (Evolution wrap)', () => {
    const d = extractLockDetails(
      'recursive-locking',
      consoleLines(
        [
          '[   99.136166] glxgears:sh0/4675 is trying to acquire lock:',
          '[   99.136167] ffff9967dcdd91a8 (reservation_ww_class_mutex){+.+.}-',
          '{3:3}, at: dma_buf_detach+0x3b/0xf0',
          '[   99.136200] 5 locks held by glxgears:sh0/4675:',
          '[   99.136440]  #3: ffffbd6a085577b8',
          '(reservation_ww_class_acquire){+.+.}-{0:0}, at:',
          'xe_vma_destroy_unlocked+0x7f/0xe0 [xe]',
        ].join('\n'),
      ),
    );
    expect(d.task).toEqual({ comm: 'glxgears:sh0', pid: 4675 });
    expect(d.acquiring).toMatchObject({ name: 'reservation_ww_class_mutex', usage: '{+.+.}-{3:3}' });
    expect(d.acquiring?.site?.function).toBe('dma_buf_detach');
    expect(d.heldLocks[0]).toMatchObject({ count: 5, task: { comm: 'glxgears:sh0', pid: 4675 } });
    expect(d.heldLocks[0]?.locks[0]).toMatchObject({
      name: 'reservation_ww_class_acquire',
      address: 'ffffbd6a085577b8',
      usage: '{+.+.}-{0:0}',
    });
    expect(d.heldLocks[0]?.locks[0]?.site?.function).toBe('xe_vma_destroy_unlocked');
  });

  it('joins an address on its own line and a name split before `)` (pr_cont breakage)', () => {
    const d = extractLockDetails(
      'irq-safe-unsafe-order',
      consoleLines(
        [
          'rcu_preempt/16 [HC0[0]:SC0[2]:HE0:SE0] is trying to acquire:',
          'ffff888021c65020 (&htab->buckets[i].lock){+...}-{2:2}, at: sock_hash_delete_elem+0xb0/0x300',
          '',
          'and this task is already holding:',
          'ffff8880b952a758',
          ' (&base->lock){-.-.}-{2:2}, at: lock_timer_base+0x112/0x240 kernel/time/timer.c:1051',
          '2 locks held by rcu_preempt/16:',
          ' #0: ',
          'ffff8880b952a758',
          ' (&base->lock){-.-.}-{2:2}, at: lock_timer_base+0x112/0x240 kernel/time/timer.c:1051',
          ' #1: ffffffff8e131920',
          ' (rcu_read_lock',
          '){....}-{1:2}, at: rcu_lock_acquire include/linux/rcupdate.h:298 [inline]',
          '){....}-{1:2}, at: bpf_trace_run2+0x114/0x420 kernel/trace/bpf_trace.c:2420',
        ].join('\n'),
      ),
    );
    expect(d.task).toEqual({ comm: 'rcu_preempt', pid: 16 });
    expect(d.acquiring?.name).toBe('&htab->buckets[i].lock');
    expect(d.held).toMatchObject([{ name: '&base->lock', address: 'ffff8880b952a758' }]);
    expect(d.heldLocks[0]?.locks.map((l) => [l.name, l.address])).toEqual([
      ['&base->lock', 'ffff8880b952a758'],
      ['rcu_read_lock', 'ffffffff8e131920'],
    ]);
    expect(d.heldLocks[0]?.locks[1]?.site?.function).toBe('bpf_trace_run2');
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
    const r = await check(re.source, re.flags);
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
});

import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { acquire, ev, release, shrinkEnd, shrinkStart } from './events.js';

const LAB = 'lab_scan+0x0/0x47 [lab_lockdep]';
const SHR = 'ffffffffa0002000';
const L = 'ffffffffa0002250';

/** The lab's shrinker splat, reduced: insmod holds the lock outside reclaim; kswapd takes it in lab_scan. */
function shrinkerSplat() {
  return [
    ev(1, 'insmod-128', 0, 4.063682, 'lock_acquire', acquire(L, 'lab_shrinker_lock'), '...2.'),
    ev(2, 'insmod-128', 0, 4.063919, 'contention_begin', {
      lock_addr: 'ffffffffa00021e0',
      flags: 'SPIN|MUTEX',
    }),
    ev(3, 'insmod-128', 0, 4.063924, 'lock_acquired', release(L, 'lab_shrinker_lock')),
    ev(4, 'insmod-128', 0, 4.063927, 'contention_end', { lock_addr: 'ffffffffa00021e0', ret: 0 }),
    ev(5, 'insmod-128', 0, 4.063984, 'lock_release', release(L, 'lab_shrinker_lock')),
    ev(6, 'kswapd0-28', 0, 24.0, 'mm_vmscan_kswapd_wake', { nid: 0, order: 0 }),
    ev(7, 'kswapd0-28', 0, 24.302496, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 259)),
    ev(8, 'kswapd0-28', 0, 24.302511, 'lock_acquire', acquire(L, 'lab_shrinker_lock')),
    ev(9, 'kswapd0-28', 0, 24.302528, 'lock_acquired', release(L, 'lab_shrinker_lock')),
    ev(10, 'kswapd0-28', 0, 24.302539, 'lock_release', release(L, 'lab_shrinker_lock')),
    ev(11, 'kswapd0-28', 0, 24.302564, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 3, 128)),
    ev(12, 'kswapd0-28', 0, 24.5, 'mm_vmscan_kswapd_sleep', { nid: 0 }),
  ];
}

describe('TraceAnalyzer on the shrinker splat', () => {
  const a = new TraceAnalyzer();
  a.push(shrinkerSplat());
  const r = a.finish();

  it('counts events by name', () => {
    expect(r.events.total).toBe(12);
    expect(r.events.byName.lock_acquire).toBe(2);
    expect(r.events.byName.mm_shrink_slab_start).toBe(1);
  });

  it('names lab_shrinker_lock as a blocking (sleeping, from contention flags) lock in lab_scan', () => {
    const f = r.findings.find((x) => x.id === 'BLOCKING_LOCK_IN_SHRINKER');
    expect(f).toMatchObject({
      severity: 'error',
      evidence: 'trace',
      lock: 'lab_shrinker_lock',
      shrinker: 'lab_scan',
      shrinkerModule: 'lab_lockdep',
      lockType: 'sleeping',
      lockTypeSource: 'contention',
      count: 1,
      first: { line: 8, ts: 24302511000, cpu: 0, pid: 28, comm: 'kswapd0' },
      exampleSpan: { kind: 'shrinker', name: 'lab_scan', start: { line: 7 }, end: { line: 11 } },
    });
  });

  it('reports a weak RECLAIM_DEADLOCK_RISK from the hold outside reclaim', () => {
    const f = r.findings.find((x) => x.id === 'RECLAIM_DEADLOCK_RISK');
    expect(f).toMatchObject({
      severity: 'warning',
      lock: 'lab_shrinker_lock',
      shrinker: 'lab_scan',
      basis: 'held_outside_reclaim',
      count: 1,
      first: { line: 1, comm: 'insmod' },
    });
  });

  it('computes exact lock and shrinker statistics', () => {
    expect(r.locks).toEqual([
      {
        name: 'lab_shrinker_lock',
        lockType: 'sleeping',
        lockTypeSource: 'contention',
        acquisitions: 2,
        tryAcquisitions: 0,
        readAcquisitions: 0,
        contentions: 0, // a SPIN|MUTEX begin alone is mutex_lock's trylock probe
        wait: { count: 2, total: 242000 + 17000, p50: expect.closeTo(17000, -3), p99: 242000, max: 242000 },
        hold: { count: 2, total: 60000 + 11000, p50: expect.closeTo(11000, -3), p99: 60000, max: 60000 },
        shrinkers: ['lab_scan'],
      },
    ]);
    expect(r.shrinkers).toEqual([
      {
        name: 'lab_scan',
        module: 'lab_lockdep',
        invocations: 1,
        objectsScanned: 256,
        objectsFreed: 128,
        latency: { count: 1, total: 68000, p50: 68000, p99: 68000, max: 68000 },
        locks: ['lab_shrinker_lock'],
        driverCalls: {},
      },
    ]);
    expect(r.reclaim.kswapd).toEqual({
      episodes: 1,
      duration: { count: 1, total: 500_000_000, p50: 500_000_000, p99: 500_000_000, max: 500_000_000 },
    });
    expect(r.contention).toEqual([
      {
        addr: 'ffffffffa00021e0',
        flags: 'SPIN|MUTEX',
        allFlags: ['SPIN|MUTEX'],
        lockType: 'sleeping',
        count: 1,
        wait: { count: 1, total: 8000, p50: 8000, p99: 8000, max: 8000 },
      },
    ]);
  });

  it('gives the same result whatever the batch boundaries', () => {
    const events = shrinkerSplat();
    for (let split = 1; split < events.length; split++) {
      const b = new TraceAnalyzer();
      b.push(events.slice(0, split));
      b.push(events.slice(split));
      expect(b.finish()).toEqual(r);
    }
  });
});

describe('TraceAnalyzer findings', () => {
  it('treats a trylock in a shrinker as LOCK_IN_SHRINKER only', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'memhog-139', 1, 1.0, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 4)),
      ev(2, 'memhog-139', 1, 1.000001, 'lock_acquire', acquire(L, 'lab_shrinker_lock', 1)),
      ev(3, 'memhog-139', 1, 1.000002, 'lock_release', release(L, 'lab_shrinker_lock')),
      ev(4, 'memhog-139', 1, 1.000003, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 0, 4)),
    ]);
    const r = a.finish();
    expect(r.findings.map((f) => f.id)).toEqual(['LOCK_IN_SHRINKER']);
    expect(r.locks[0]!.tryAcquisitions).toBe(1);
  });

  it('warns on a non-try lock of unknown type in a shrinker and skips a spinning one', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'kswapd0-28', 0, 1.0, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 4)),
      ev(2, 'kswapd0-28', 0, 1.1, 'lock_acquire', acquire('a1', 'my_obj_lock')),
      ev(3, 'kswapd0-28', 0, 1.2, 'lock_acquire', acquire('a2', '&vgvq->qlock')),
      ev(4, 'kswapd0-28', 0, 1.3, 'lock_release', release('a2', '&vgvq->qlock')),
      ev(5, 'kswapd0-28', 0, 1.4, 'lock_release', release('a1', 'my_obj_lock')),
      ev(6, 'kswapd0-28', 0, 1.5, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 0, 4)),
    ]);
    const r = a.finish();
    const blocking = r.findings.filter((f) => f.id === 'BLOCKING_LOCK_IN_SHRINKER');
    expect(blocking.map((f) => [f.lock, f.severity, f.lockType])).toEqual([
      ['my_obj_lock', 'warning', 'unknown'],
    ]);
    expect(r.lockOrder.edges.map((e) => [e.from, e.to, e.count, e.inCycle])).toEqual([
      ['my_obj_lock', '&vgvq->qlock', 1, false],
    ]);
  });

  it('without lock_contended, counts an acquisition as contended when it waited: MUTEX (sleep) or a spinlock slow path', () => {
    const a = new TraceAnalyzer();
    const take = (line: number, t: number, name: string, addr: string, flags: string[]) => [
      ev(line, 'worker-7', 0, t, 'lock_acquire', acquire(addr, name)),
      ...flags.map((f, i) =>
        ev(line + 1 + i, 'worker-7', 0, t + (i + 1) * 1e-6, 'contention_begin', {
          lock_addr: addr,
          flags: f,
        }),
      ),
      ev(line + 5, 'worker-7', 0, t + 9e-6, 'contention_end', { lock_addr: addr, ret: 0 }),
      ev(line + 6, 'worker-7', 0, t + 1e-5, 'lock_acquired', release(addr, name)),
      ev(line + 7, 'worker-7', 0, t + 2e-5, 'lock_release', release(addr, name)),
    ];
    a.push([
      ...take(1, 1.0, 'obj_mutex', 'm', ['SPIN|MUTEX']), // the trylock probe of every mutex_lock: no wait
      ...take(11, 1.1, 'obj_mutex', 'm', ['SPIN|MUTEX', 'MUTEX']), // went to sleep
      ...take(21, 1.2, 'obj_spinlock', 's', ['SPIN']), // a spinlock's slow path
    ]);
    expect(a.finish().locks.map((l) => [l.name, l.acquisitions, l.contentions, l.lockType])).toEqual([
      ['obj_mutex', 2, 1, 'sleeping'],
      ['obj_spinlock', 1, 1, 'spinning'],
    ]);
  });

  it('counts an order edge once per acquisition when two instances of the held class are held', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'bash-90', 0, 1.0, 'lock_acquire', acquire('m1', '&mm->mmap_lock')),
      ev(2, 'bash-90', 0, 1.1, 'lock_acquire', acquire('m2', '&mm->mmap_lock')),
      ev(3, 'bash-90', 0, 1.2, 'lock_acquire', acquire('r', 'fs_reclaim')),
      ev(4, 'bash-90', 0, 1.3, 'lock_release', release('r', 'fs_reclaim')),
      ev(5, 'bash-90', 0, 1.4, 'lock_acquire', acquire('r', 'fs_reclaim')),
      ev(6, 'bash-90', 0, 1.5, 'lock_release', release('r', 'fs_reclaim')),
    ]);
    expect(a.finish().lockOrder.edges.map((e) => [e.from, e.to, e.count])).toEqual([
      ['&mm->mmap_lock', 'fs_reclaim', 2],
    ]);
  });

  it('takes the lock type from a supplied /proc/lockdep usage', () => {
    const a = new TraceAnalyzer({ lockdep: [{ name: 'my_obj_lock', usage: '{+.+.}-{3:3}', deps: [] }] });
    a.push([
      ev(1, 'kswapd0-28', 0, 1.0, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 4)),
      ev(2, 'kswapd0-28', 0, 1.1, 'lock_acquire', acquire('a1', 'my_obj_lock')),
      ev(3, 'kswapd0-28', 0, 1.4, 'lock_release', release('a1', 'my_obj_lock')),
      ev(4, 'kswapd0-28', 0, 1.5, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 0, 4)),
    ]);
    const f = a.finish().findings.find((x) => x.id === 'BLOCKING_LOCK_IN_SHRINKER')!;
    expect([f.severity, f.lockType, f.lockTypeSource]).toEqual(['error', 'sleeping', 'lockdep']);
  });

  it('finds LOCK_HELD_INTO_RECLAIM and an error RECLAIM_DEADLOCK_RISK from a real direct reclaim', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'drmfb-200', 0, 1.0, 'lock_acquire', acquire('r1', 'reservation_ww_class_mutex')),
      ev(2, 'drmfb-200', 0, 1.1, 'mm_vmscan_direct_reclaim_begin', { order: 0, gfp_flags: 'GFP_KERNEL' }),
      ev(3, 'drmfb-200', 0, 1.2, 'mm_vmscan_direct_reclaim_end', { nr_reclaimed: 3 }),
      ev(4, 'drmfb-200', 0, 1.3, 'lock_release', release('r1', 'reservation_ww_class_mutex')),
      ev(
        5,
        'kswapd0-28',
        1,
        2.0,
        'mm_shrink_slab_start',
        shrinkStart('virtio_gpu_shrinker_scan+0x0/0x90', 's1', 8),
      ),
      ev(6, 'kswapd0-28', 1, 2.1, 'lock_acquire', acquire('r2', 'reservation_ww_class_mutex')),
      ev(7, 'kswapd0-28', 1, 2.2, 'lock_release', release('r2', 'reservation_ww_class_mutex')),
      ev(
        8,
        'kswapd0-28',
        1,
        2.3,
        'mm_shrink_slab_end',
        shrinkEnd('virtio_gpu_shrinker_scan+0x0/0x90', 's1', 0, 8),
      ),
    ]);
    const r = a.finish();
    expect(r.findings.map((f) => [f.id, f.severity, f.lock, f.shrinker, f.count, f.first.line])).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 'reservation_ww_class_mutex', 'virtio_gpu_shrinker_scan', 1, 6],
      ['RECLAIM_DEADLOCK_RISK', 'error', 'reservation_ww_class_mutex', 'virtio_gpu_shrinker_scan', 1, 2],
      ['LOCK_HELD_INTO_RECLAIM', 'warning', 'reservation_ww_class_mutex', null, 1, 2],
      ['LOCK_IN_SHRINKER', 'info', 'reservation_ww_class_mutex', 'virtio_gpu_shrinker_scan', 1, 6],
    ]);
    const risk = r.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK')!;
    expect(risk.basis).toBe('direct_reclaim');
    expect(risk.heldAt).toMatchObject({ line: 1, comm: 'drmfb' });
    expect(r.findings.find((f) => f.id === 'LOCK_HELD_INTO_RECLAIM')).toMatchObject({
      shrinkers: ['virtio_gpu_shrinker_scan'],
      message:
        'reservation_ww_class_mutex is held when its task enters direct reclaim (shrinker virtio_gpu_shrinker_scan takes it too)',
      exampleSpan: { kind: 'direct_reclaim', start: { line: 2 }, end: { line: 3 } },
    });
    expect(r.reclaim.direct.episodes).toBe(1);
    expect(r.reclaim.direct.duration.max).toBe(100_000_000);
  });

  it('treats an fs_reclaim acquisition under a lock as entering reclaim, and finds the fs_reclaim cycle', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'insmod-128', 0, 1.0, 'lock_acquire', acquire(L, 'lab_shrinker_lock')),
      ev(2, 'insmod-128', 0, 1.1, 'lock_acquire', acquire('f', 'fs_reclaim')),
      ev(3, 'insmod-128', 0, 1.2, 'lock_release', release('f', 'fs_reclaim')),
      ev(4, 'insmod-128', 0, 1.3, 'lock_release', release(L, 'lab_shrinker_lock')),
      ev(5, 'kswapd0-28', 1, 2.0, 'lock_acquire', acquire('f', 'fs_reclaim')),
      ev(6, 'kswapd0-28', 1, 2.1, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 2)),
      ev(7, 'kswapd0-28', 1, 2.2, 'lock_acquire', acquire(L, 'lab_shrinker_lock')),
      ev(8, 'kswapd0-28', 1, 2.3, 'lock_release', release(L, 'lab_shrinker_lock')),
      ev(9, 'kswapd0-28', 1, 2.4, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 0, 2)),
      ev(10, 'kswapd0-28', 1, 2.5, 'lock_release', release('f', 'fs_reclaim')),
    ]);
    const r = a.finish();
    const risk = r.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK')!;
    expect([risk.severity, risk.basis, risk.first.line, risk.heldAt?.line]).toEqual([
      'error',
      'fs_reclaim',
      2,
      1,
    ]);
    const cycle = r.findings.find((f) => f.id === 'LOCK_ORDER_INVERSION')!;
    expect(cycle).toMatchObject({
      lock: 'fs_reclaim',
      cycle: ['fs_reclaim', 'lab_shrinker_lock'],
      count: 2,
      first: { line: 2 },
    });
    expect(r.lockOrder.edges.every((e) => e.inCycle)).toBe(true);
    expect(r.lockOrder.cycles).toEqual([['fs_reclaim', 'lab_shrinker_lock']]);
  });
});

describe('TraceAnalyzer lock types from contention', () => {
  it('attributes a contention only to the acquisition right before it, never to a map or a trylock', () => {
    const a = new TraceAnalyzer();
    a.push([
      // fs_reclaim is a lockdep map: the spinlock contention after it is some untraced lock's
      ev(1, 'drmfb-200', 0, 1.0, 'lock_acquire', acquire('f', 'fs_reclaim')),
      ev(2, 'drmfb-200', 0, 1.000001, 'contention_begin', { lock_addr: 'z', flags: 'SPIN' }),
      ev(3, 'drmfb-200', 0, 1.000002, 'contention_end', { lock_addr: 'z', ret: 0 }),
      ev(4, 'drmfb-200', 0, 1.000003, 'lock_release', release('f', 'fs_reclaim')),
      // another event of the task in between: not this acquisition's contention
      ev(5, 'drmfb-200', 0, 2.0, 'lock_acquire', acquire('m', 'my_lock')),
      ev(6, 'drmfb-200', 0, 2.000001, 'mm_vmscan_wakeup_kswapd', { nid: 0, order: 0 }),
      ev(7, 'drmfb-200', 0, 2.000002, 'contention_begin', { lock_addr: 'z', flags: 'SPIN' }),
      ev(8, 'drmfb-200', 0, 2.000003, 'contention_end', { lock_addr: 'z', ret: 0 }),
      ev(9, 'drmfb-200', 0, 2.000004, 'lock_release', release('m', 'my_lock')),
      // a trylock never waits
      ev(10, 'drmfb-200', 0, 3.0, 'lock_acquire', acquire('t', 'try_lock_class', 1)),
      ev(11, 'drmfb-200', 0, 3.000001, 'contention_begin', { lock_addr: 'z', flags: 'SPIN' }),
      ev(12, 'drmfb-200', 0, 3.000002, 'contention_end', { lock_addr: 'z', ret: 0 }),
      ev(13, 'drmfb-200', 0, 3.000003, 'lock_release', release('t', 'try_lock_class')),
      // the other task's events in between do not matter
      ev(14, 'drmfb-200', 0, 4.0, 'lock_acquire', acquire('r', 'rwsem_class', 2)),
      ev(15, 'kswapd0-28', 1, 4.000001, 'mm_vmscan_kswapd_wake', { nid: 0, order: 0 }),
      ev(16, 'drmfb-200', 0, 4.000002, 'contention_begin', { lock_addr: 'rr', flags: 'READ' }),
      ev(17, 'drmfb-200', 0, 4.000003, 'contention_end', { lock_addr: 'rr', ret: 0 }),
      ev(18, 'drmfb-200', 0, 4.000004, 'lock_release', release('r', 'rwsem_class')),
    ]);
    const types = Object.fromEntries(
      a.finish().locks.map((l) => [l.name, [l.lockType, l.contentions, l.wait.count]]),
    );
    expect(types).toEqual({
      fs_reclaim: ['unknown', 0, 0],
      my_lock: ['unknown', 0, 0],
      try_lock_class: ['unknown', 0, 0],
      rwsem_class: ['sleeping', 1, 1],
    });
  });
});

describe('TraceAnalyzer held-lock entries (reused once released)', () => {
  it('keeps the entry an open contention points at: its wait goes to its own lock, not the next acquisition', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'drmfb-200', 0, 1.0, 'lock_acquire', acquire('m', 'first_mutex')),
      ev(2, 'drmfb-200', 0, 1.000001, 'contention_begin', { lock_addr: 'mm', flags: 'MUTEX' }),
      // released before its contention ends (a lost event): the entry stays the contention's
      ev(3, 'drmfb-200', 0, 1.000002, 'lock_release', release('m', 'first_mutex')),
      ev(4, 'drmfb-200', 0, 1.000003, 'lock_acquire', acquire('n', 'second_mutex')),
      ev(5, 'drmfb-200', 0, 1.000009, 'contention_end', { lock_addr: 'mm', ret: 0 }),
      ev(6, 'drmfb-200', 0, 1.00001, 'lock_release', release('n', 'second_mutex')),
      // released entries come back for later acquisitions with every field new
      ev(7, 'drmfb-200', 0, 2.0, 'lock_acquire', acquire('t', 'third_lock', 1)),
      ev(8, 'drmfb-200', 0, 2.000004, 'lock_release', release('t', 'third_lock')),
    ]);
    const locks = Object.fromEntries(
      a
        .finish()
        .locks.map((l) => [
          l.name,
          [l.acquisitions, l.tryAcquisitions, l.wait.count, l.wait.max, l.hold.max],
        ]),
    );
    expect(locks).toEqual({
      first_mutex: [1, 0, 1, 8000, 2000],
      second_mutex: [1, 0, 0, null, 7000],
      third_lock: [1, 1, 0, null, 4000],
    });
  });
});

describe('TraceAnalyzer lock types from preempt depth', () => {
  it('calls a lock released above the task baseline spinning, and one released at it sleeping', () => {
    const a = new TraceAnalyzer();
    const events = [ev(1, 'wrk-9', 0, 1.0, 'mm_vmscan_wakeup_kswapd', { nid: 0, order: 0 }, '...1.')];
    for (let i = 0; i < 3; i++) {
      const t = 2 + i;
      events.push(
        ev(10 + 10 * i, 'wrk-9', 0, t, 'lock_acquire', acquire('s', 'obj_lock_a'), '...2.'),
        ev(11 + 10 * i, 'wrk-9', 0, t + 0.001, 'lock_release', release('s', 'obj_lock_a'), '...2.'),
        ev(12 + 10 * i, 'wrk-9', 0, t + 0.002, 'lock_acquire', acquire('m', 'obj_lock_b'), '...2.'),
        ev(13 + 10 * i, 'wrk-9', 0, t + 0.003, 'lock_release', release('m', 'obj_lock_b'), '...1.'),
      );
    }
    a.push(events);
    const types = Object.fromEntries(a.finish().locks.map((l) => [l.name, [l.lockType, l.lockTypeSource]]));
    expect(types).toEqual({
      obj_lock_a: ['spinning', 'preempt-depth'],
      obj_lock_b: ['sleeping', 'preempt-depth'],
    });
  });
});

describe('TraceAnalyzer orphans', () => {
  it('counts orphans without failing', () => {
    const a = new TraceAnalyzer();
    a.push([
      ev(1, 'a-1', 0, 1.0, 'lock_release', release('x', 'lost_lock')),
      ev(2, 'a-1', 0, 1.1, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 0, 0)),
      ev(3, 'a-1', 0, 1.2, 'mm_vmscan_direct_reclaim_end', { nr_reclaimed: 1 }),
      ev(4, 'a-1', 0, 1.3, 'contention_end', { lock_addr: 'z', ret: 0 }),
      ev(5, 'b-2', 1, 1.4, 'mm_vmscan_direct_reclaim_begin', { order: 0, gfp_flags: 'GFP_KERNEL' }),
      ev(6, 'b-2', 1, 1.5, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 2)),
      ev(7, 'b-2', 1, 1.6, 'lock_acquire', acquire('y', 'never_released')),
      ev(8, 'b-2', 1, 1.7, 'contention_begin', { lock_addr: 'z', flags: 'SPIN' }),
      ev(9, 'kswapd0-28', 1, 1.8, 'mm_vmscan_kswapd_sleep', { nid: 0 }),
    ]);
    a.noteLostEvents(7);
    expect(a.finish().orphans).toEqual({
      directReclaimBeginWithoutEnd: 1,
      directReclaimEndWithoutBegin: 1,
      kswapdWakeWithoutSleep: 0,
      kswapdSleepWithoutWake: 1,
      shrinkerStartWithoutEnd: 1,
      shrinkerEndWithoutStart: 1,
      acquireWithoutRelease: 1,
      releaseWithoutAcquire: 1,
      contentionBeginWithoutEnd: 1,
      contentionEndWithoutBegin: 1,
      lostEvents: 7,
    });
  });
});

describe('TraceAnalyzer and interrupt context', () => {
  // kswapd runs the lab's shrinker holding lab_shrinker_lock; a timer interrupt on the same CPU
  // takes jiffies_lock (latency flags `d.h2.`: hardirq), as the bigz lab trace shows it
  const J = 'ffffffff82a0c100';
  const events = [
    ev(1, 'kswapd0-28', 0, 24.3, 'mm_shrink_slab_start', shrinkStart(LAB, SHR, 259)),
    ev(2, 'kswapd0-28', 0, 24.30001, 'lock_acquire', acquire(L, 'lab_shrinker_lock')),
    ev(3, 'kswapd0-28', 0, 24.30002, 'lock_acquire', acquire(J, 'jiffies_lock'), 'd.h2.'),
    ev(4, 'kswapd0-28', 0, 24.30003, 'lock_release', release(J, 'jiffies_lock'), 'd.h2.'),
    ev(5, 'kswapd0-28', 0, 24.30004, 'lock_release', release(L, 'lab_shrinker_lock')),
    ev(6, 'kswapd0-28', 0, 24.30005, 'mm_shrink_slab_end', shrinkEnd(LAB, SHR, 3, 128)),
  ];
  const a = new TraceAnalyzer();
  a.push(events);
  const r = a.finish();

  it('does not count the interrupt’s lock as the shrinker’s', () => {
    expect(r.shrinkers.map((s) => [s.name, s.locks])).toEqual([['lab_scan', ['lab_shrinker_lock']]]);
    expect(r.findings.filter((f) => f.lock === 'jiffies_lock')).toEqual([]);
    expect(r.locks.find((l) => l.name === 'jiffies_lock')?.acquisitions).toBe(1);
  });

  it('adds no lock-order edge from the task’s locks to the interrupt’s (lockdep separates contexts)', () => {
    expect(r.lockOrder.edges).toEqual([]);
  });
});

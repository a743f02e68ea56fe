import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceAnalysis } from '../../src/analyzers/trace/trace-analysis.js';
import { runCli } from '../helpers/cli.js';
import { fixture, SHARED, sharedPath } from '../helpers/shared.js';

const MIN = (name: string) => fixture('trace-min', name);

function analyze(...args: string[]): TraceAnalysis {
  const r = runCli(['trace', 'analyze', '--json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TraceAnalysis;
}

const within1 = (exact: number) => expect.toSatisfy((v: number) => Math.abs(v - exact) <= exact * 0.01);

describe('trace analyze on fixtures/trace-min', () => {
  it('names the blocking lock in lab_scan on the reduced lab splat, with exact statistics', () => {
    const a = analyze(MIN('shrinker-splat.trace.txt'));
    expect(a.schemaVersion).toBe(1);
    expect(a.events.total).toBe(23);
    expect(a.events.byName).toEqual({
      contention_begin: 3,
      contention_end: 3,
      lock_acquire: 3,
      lock_acquired: 3,
      lock_release: 3,
      mm_shrink_slab_end: 2,
      mm_shrink_slab_start: 2,
      mm_vmscan_direct_reclaim_begin: 1,
      mm_vmscan_direct_reclaim_end: 1,
      mm_vmscan_kswapd_sleep: 1,
      mm_vmscan_kswapd_wake: 1,
    });
    expect(
      a.findings.map((f) => [f.id, f.severity, f.lock, f.shrinker, f.shrinkerModule, f.count, f.first.line]),
    ).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 'lab_shrinker_lock', 'lab_scan', 'lab_lockdep', 2, 24],
      ['RECLAIM_DEADLOCK_RISK', 'warning', 'lab_shrinker_lock', 'lab_scan', 'lab_lockdep', 1, 13],
      ['LOCK_IN_SHRINKER', 'info', 'lab_shrinker_lock', 'lab_scan', 'lab_lockdep', 2, 24],
    ]);
    const blocking = a.findings[0]!;
    expect(blocking).toMatchObject({
      evidence: 'trace',
      lockType: 'sleeping',
      lockTypeSource: 'contention',
      first: { line: 24, ts: 24_302_511_000, cpu: 0, pid: 28, comm: 'kswapd0' },
      exampleSpan: { kind: 'shrinker', name: 'lab_scan', start: { line: 23 }, end: { line: 34 } },
    });
    expect(a.findings[1]).toMatchObject({
      basis: 'held_outside_reclaim',
      heldAt: { line: 13, comm: 'insmod', pid: 128 },
    });
    expect(a.locks).toEqual([
      {
        name: 'lab_shrinker_lock',
        lockType: 'sleeping',
        lockTypeSource: 'contention',
        acquisitions: 3,
        tryAcquisitions: 0,
        readAcquisitions: 0,
        // each mutex_lock's SPIN|MUTEX begin (lines 14, 25, 30) is its trylock probe, not a wait
        contentions: 0,
        wait: { count: 3, total: 265_000, p50: within1(17_000), p99: 242_000, max: 242_000 },
        hold: { count: 3, total: 78_000, p50: within1(11_000), p99: 60_000, max: 60_000 },
        shrinkers: ['lab_scan'],
      },
    ]);
    expect(a.shrinkers).toEqual([
      {
        name: 'lab_scan',
        module: 'lab_lockdep',
        invocations: 2,
        objectsScanned: 256,
        objectsFreed: 128,
        latency: { count: 2, total: 72_000, p50: within1(4_000), p99: 68_000, max: 68_000 },
        locks: ['lab_shrinker_lock'],
        driverCalls: {},
      },
    ]);
    expect(a.reclaim.direct).toEqual({
      episodes: 1,
      duration: { count: 1, total: 178_964_000, p50: 178_964_000, p99: 178_964_000, max: 178_964_000 },
    });
    expect(a.reclaim.kswapd.duration.max).toBe(2_947_607_000);
    expect(a.lockOrder).toEqual({ edges: [], cycles: [] });
  });

  it('LOCK_IN_SHRINKER says how many of its acquisitions were trylocks', () => {
    const blocking = analyze(MIN('shrinker-splat.trace.txt')).findings.find(
      (f) => f.id === 'LOCK_IN_SHRINKER',
    );
    expect([blocking?.count, blocking?.tryAcquisitions, blocking?.message]).toEqual([
      2,
      0,
      'lab_scan acquires lab_shrinker_lock',
    ]);
    const r = runCli(['trace', 'analyze', MIN('shrinker-trylock.trace.txt')]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('  INFO    LOCK_IN_SHRINKER');
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '    lab_shrinker_lock in lab_scan [lab_lockdep]',
      '    sleeping (contention), 1x (all by trylock); first line 24 at 24.302511',
      '    kswapd0-28',
    ]);
  });

  it('raises the reclaim risk to an error with the dependency from --lockdep', () => {
    const a = analyze(MIN('shrinker-splat.trace.txt'), '--lockdep', MIN('shrinker-proc-lockdep.txt'));
    const risk = a.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK')!;
    expect([risk.severity, risk.basis]).toEqual(['error', 'lockdep_dependency']);
    expect(risk.basisCounts).toEqual({ lockdep_dependency: 1, held_outside_reclaim: 1 });
    // the count is the sum of the evidence, the basis count the dependency's
    expect([risk.count, risk.basisCount]).toEqual([2, 1]);
  });

  it('prints each reclaim-risk count with what it counts, and whose line "first" is', () => {
    const text = (...args: string[]) => {
      const r = runCli(['trace', 'analyze', ...args]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      const at = lines.indexOf('  ERROR   RECLAIM_DEADLOCK_RISK');
      return lines.slice(
        at + 1,
        lines.findIndex((l, i) => i > at && /^ {2}[A-Z]/.test(l)),
      );
    };
    expect(text(MIN('shrinker-fs-reclaim.trace.txt'))).toEqual([
      '    lab_shrinker_lock in lab_scan [lab_lockdep]',
      '    sleeping (contention); held while taking fs_reclaim 1x',
      '    first taking fs_reclaim: line 17 at 4.063940 insmod-128; held since line 13',
      '    at 4.063682 insmod-128',
    ]);
    expect(text(MIN('shrinker-splat.trace.txt'), '--lockdep', MIN('shrinker-proc-lockdep.txt'))).toEqual([
      '    lab_shrinker_lock in lab_scan [lab_lockdep]',
      '    sleeping (contention); /proc/lockdep has lab_shrinker_lock -> fs_reclaim,',
      '    taken outside reclaim 1x',
      '    first taken outside reclaim: line 13 at 4.063682 insmod-128',
    ]);
    expect(analyze(MIN('shrinker-fs-reclaim.trace.txt')).findings[2]).toMatchObject({
      id: 'RECLAIM_DEADLOCK_RISK',
      count: 1,
      basisCount: 1,
      basisCounts: { fs_reclaim: 1 },
    });
  });

  it('joins a /proc/lock_stat dump (--lock-stat), most total wait first, and refuses a file that is none', () => {
    const a = analyze(
      MIN('shrinker-splat.trace.txt'),
      '--lock-stat',
      fixture('proc', 'virtio-gpu-proc-lock_stat.txt'),
    );
    const stat = (
      a as TraceAnalysis & { lockStat: { name: string; contentions: number; waittime: { total: number } }[] }
    ).lockStat;
    expect(stat).toHaveLength(291);
    expect(stat.slice(0, 2).map((c) => [c.name, c.contentions, c.waittime.total])).toEqual([
      ['&sb->s_type->i_lock_key#3', 11828, 187432.37],
      ['&lruvec->lru_lock', 3549, 116340.86],
    ]);
    const r = runCli([
      'trace',
      'analyze',
      MIN('shrinker-splat.trace.txt'),
      '--lock-stat',
      MIN('abba.trace.txt'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no lock classes found (is it /proc/lock_stat?)');
  });

  it('finds the fs_reclaim cycle and the fs_reclaim-based risk when the trace carries fs_reclaim', () => {
    const a = analyze(MIN('shrinker-fs-reclaim.trace.txt'));
    expect(a.findings.map((f) => [f.id, f.severity, f.lock, f.shrinker, f.count, f.first.line])).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'error', 'lab_shrinker_lock', 'lab_scan', 1, 24],
      ['LOCK_ORDER_INVERSION', 'error', 'fs_reclaim', null, 2, 17],
      ['RECLAIM_DEADLOCK_RISK', 'error', 'lab_shrinker_lock', 'lab_scan', 1, 17],
      ['LOCK_IN_SHRINKER', 'info', 'lab_shrinker_lock', 'lab_scan', 1, 24],
    ]);
    expect(a.findings[1]!.cycle).toEqual(['fs_reclaim', 'lab_shrinker_lock']);
    expect(a.findings[2]).toMatchObject({ basis: 'fs_reclaim', heldAt: { line: 13 } });
    expect(a.lockOrder.edges.map((e) => [e.from, e.to, e.count, e.inCycle])).toEqual([
      ['fs_reclaim', 'lab_shrinker_lock', 1, true],
      ['lab_shrinker_lock', 'fs_reclaim', 1, true],
      ['shrinker_rwsem', 'lab_shrinker_lock', 1, false],
    ]);
    expect(a.locks.find((l) => l.name === 'shrinker_rwsem')).toMatchObject({
      acquisitions: 1,
      tryAcquisitions: 1,
      readAcquisitions: 1,
      lockType: 'sleeping',
      lockTypeSource: 'known-class',
    });
  });

  it('reports only LOCK_IN_SHRINKER when the shrinker uses trylock', () => {
    const a = analyze(MIN('shrinker-trylock.trace.txt'));
    expect(a.findings.map((f) => [f.id, f.lock, f.shrinker, f.count])).toEqual([
      ['LOCK_IN_SHRINKER', 'lab_shrinker_lock', 'lab_scan', 1],
    ]);
    expect(a.lockOrder.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual(['lab_shrinker_lock -> fs_reclaim']);
  });

  it('counts orphans and lost events, prints the diagnostics on stderr and exits 0', () => {
    const r = runCli(['trace', 'analyze', '--json', MIN('orphans.trace.txt')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('orphans.trace.txt:15: ftrace-lost-events');
    const a = JSON.parse(r.stdout) as TraceAnalysis;
    expect(a.orphans).toEqual({
      directReclaimBeginWithoutEnd: 1,
      directReclaimEndWithoutBegin: 1,
      kswapdWakeWithoutSleep: 0,
      kswapdSleepWithoutWake: 0,
      shrinkerStartWithoutEnd: 1,
      shrinkerEndWithoutStart: 2,
      acquireWithoutRelease: 0,
      releaseWithoutAcquire: 1,
      contentionBeginWithoutEnd: 0,
      contentionEndWithoutBegin: 0,
      lostEvents: 5,
    });
    expect(a.findings).toEqual([]);
    // the text names the tracepoints, wrapped at 80 columns; no count of 0 is listed
    const text = runCli(['trace', 'analyze', MIN('orphans.trace.txt')])
      .stdout.trimEnd()
      .split('\n');
    expect(text.slice(text.indexOf('Lock order: 0 edges, 0 cycles'))).toEqual([
      'Lock order: 0 edges, 0 cycles',
      'Unpaired events: mm_vmscan_direct_reclaim_begin without end 1,',
      '  mm_vmscan_direct_reclaim_end without begin 1,',
      '  mm_shrink_slab_start without end 1, mm_shrink_slab_end without start 2,',
      '  lock_release without acquire 1, events lost 5',
    ]);
  });

  it('--lock-stat: the table fits 80 columns', () => {
    const r = runCli([
      'trace',
      'analyze',
      MIN('shrinker-splat.trace.txt'),
      '--lock-stat',
      fixture('proc', 'virtio-gpu-proc-lock_stat.txt'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const at = lines.findIndex((l) => l.startsWith('From /proc/lock_stat'));
    expect(lines.slice(at, at + 4)).toEqual([
      'From /proc/lock_stat: the top 10 of 291 classes by total wait; * = named by a',
      'finding',
      '  class                         contend  acquired   wait sum  wait max  hold max',
      '   &sb->s_type->i_lock_key#3      11828    200262   187.4 ms    3.5 ms    3.4 ms',
    ]);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
  });

  it('reads stdin and prints an 80-column text summary', () => {
    const r = runCli(['trace', 'analyze', '-'], {
      input: readFileSync(MIN('shrinker-fs-reclaim.trace.txt')),
    });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('-: 20 events');
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(r.stdout).toContain(
      '  ERROR   BLOCKING_LOCK_IN_SHRINKER\n    lab_shrinker_lock in lab_scan [lab_lockdep]\n',
    );
    expect(r.stdout).toContain('    fs_reclaim -> lab_shrinker_lock -> fs_reclaim\n');
    expect(r.stdout).toContain('Lock order: 3 edges, 1 cycle\n');
  });

  it('exits 2 naming the file when it is missing or holds no events', () => {
    const missing = runCli(['trace', 'analyze', MIN('no-such.trace.txt')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such.trace.txt');
    const empty = runCli(['trace', 'analyze', '-'], { input: '# tracer: nop\n#\n' });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('-: no trace events found');
    const badLockdep = runCli([
      'trace',
      'analyze',
      MIN('abba.trace.txt'),
      '--lockdep',
      MIN('abba.trace.txt'),
    ]);
    expect(badLockdep.status).toBe(2);
    expect(badLockdep.stderr).toContain('no lock classes found');
  });
});

describe.skipIf(!SHARED)('trace analyze on public traces', () => {
  // Yang Shi's lines (linux-fsdevel, 2021) as posted, wrapped after `nid: 0`: the payload matches
  // no format (a diagnostic says so), but its head still names the shrinker and its instance.
  it('names the shrinker of a wrapped mm_shrink_slab line from the payload head (021)', () => {
    const a = analyze(sharedPath('corpus', 'traces-public', '021-lkml-vmscan-shrink-slab-traces.txt'));
    expect(a.shrinkers.map((x) => [x.name, x.invocations, x.latency.max])).toEqual([
      ['super_cache_scan', 2, 44_846_838_000],
    ]);
  });
});

describe.skipIf(!SHARED)('trace analyze on the lab-6.1 corpus', () => {
  const lab = (...p: string[]) => sharedPath('corpus', 'lab-6.1', ...p);

  it('lists every flags an address was contended with (A-events: a rwsem taken for WRITE, then READ)', () => {
    const a = analyze(lab('debian-6.1-virtio-gpu', 'A-events.trace.txt'));
    expect(a.contention.find((c) => c.addr === '000000000dde696d')).toMatchObject({
      flags: 'WRITE',
      allFlags: ['WRITE', 'READ'],
      count: 2,
    });
  });

  it('names lab_shrinker_lock as blocking in lab_scan, with a reclaim risk, on the real shrinker splat run', () => {
    const a = analyze(lab('lockdep-splats', 'shrinker', 'S-shrinker.trace.txt.gz'));
    const blocking = a.findings.find((f) => f.id === 'BLOCKING_LOCK_IN_SHRINKER')!;
    expect(blocking).toMatchObject({
      severity: 'error',
      lock: 'lab_shrinker_lock',
      shrinker: 'lab_scan',
      shrinkerModule: 'lab_lockdep',
      lockType: 'sleeping',
      first: { comm: 'kswapd0' },
    });
    expect(a.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK')).toMatchObject({
      lock: 'lab_shrinker_lock',
      shrinker: 'lab_scan',
      heldAt: { comm: 'insmod' },
    });
    expect(a.shrinkers.map((s) => s.name).sort()).toEqual(['lab_scan', 'super_cache_scan']);
    expect(a.reclaim.direct.episodes).toBeGreaterThan(0);
  });

  it('with its /proc/lockdep, makes the risk an error from the lab_shrinker_lock -> fs_reclaim dependency', () => {
    const a = analyze(
      lab('lockdep-splats', 'shrinker', 'S-shrinker.trace.txt.gz'),
      '--lockdep',
      lab('lockdep-splats', 'shrinker', 'S-shrinker-proc-lockdep.txt'),
    );
    // the trace's evidence stays where the lock is held outside reclaim (insmod taking it at line
    // 170), not kswapd's acquisition inside lab_scan (line 6837)
    expect(a.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK')).toMatchObject({
      severity: 'error',
      basis: 'lockdep_dependency',
      heldAt: { line: 170, comm: 'insmod', pid: 128 },
    });
  });

  it('finds the AB-BA inversion of the abba splat run', () => {
    const a = analyze(lab('lockdep-splats', 'abba', 'S-abba.trace.txt'));
    expect(a.findings.filter((f) => f.id === 'LOCK_ORDER_INVERSION').map((f) => f.cycle)).toEqual([
      ['lab_lock_a', 'lab_lock_b'],
    ]);
  });

  it('reads the virtio-gpu lockdep capture: locks, shrinkers, no shrinker-lock findings (6.1 has no virtio-gpu shrinker)', () => {
    const a = analyze(lab('lockdep-6.1-virtio-gpu', 'D-lockdep-events.trace.txt.gz'));
    expect(a.events.byName.lock_acquire).toBeGreaterThan(1000);
    expect(a.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(a.locks.find((l) => l.name === 'reservation_ww_class_mutex')?.lockType).toBe('sleeping');
    expect(a.locks.find((l) => l.name === '&vgvq->qlock')?.lockType).toBe('spinning');
    expect(a.shrinkers.map((s) => s.name)).toContain('super_cache_scan');
    expect(a.lockOrder.cycles).toEqual([]);
  });

  it('reads the unfiltered lock tail without a false RCU cycle', () => {
    const a = analyze(lab('lockdep-6.1-virtio-gpu', 'D2-lock-unfiltered-tail.trace.txt.gz'));
    expect(a.lockOrder.edges.length).toBeGreaterThan(100);
    expect(a.lockOrder.edges.some((e) => e.from === 'rcu_read_lock' || e.to === 'rcu_read_lock')).toBe(false);
    expect(a.orphans.lostEvents).toBeGreaterThan(0);
    // fs_reclaim is acquired 336 times under mmap_lock; 136 of those during fork, with both mms'
    // mmap_lock held (e.g. lines 29690 and 29694, then fs_reclaim at 29703): still one edge each
    expect(a.lockOrder.edges.find((e) => e.from === '&mm->mmap_lock' && e.to === 'fs_reclaim')?.count).toBe(
      336,
    );
  });
});

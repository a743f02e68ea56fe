import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceAnalysis, TraceFinding } from '../../src/analyzers/trace/trace-analysis.js';
import type { TraceDiff } from '../../src/analyzers/trace/trace-diff.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/shared.js';

// The lab's runs of the shmem shrinker series (fixtures/runs/v5, v6; see fixtures/PROVENANCE.md).
// Timing-dependent: the tests check named findings and structure, not event counts.
const V5 = fixture('runs', 'v5', 'trace.txt.gz');
const V6 = fixture('runs', 'v6', 'trace.txt.gz');

function analyze(file: string): TraceAnalysis {
  const r = runCli(['trace', 'analyze', '--json', file]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TraceAnalysis;
}

const brief = (f: { id: string; severity: string; lock: string | null; shrinker: string | null }) =>
  `${f.severity} ${f.id} ${f.lock} ${f.shrinker}`;
const named = (fs: TraceFinding[]) => fs.filter((f) => f.severity !== 'info').map(brief);

describe.skipIf(!existsSync(V5) || !existsSync(V6))('trace analyze/diff on the shrinker series runs', () => {
  it('v5: the shrinker sleeps on the reservation lock that populate holds into reclaim', () => {
    const a = analyze(V5);
    const findings = named(a.findings);
    // 137 direct-reclaim entries under the lock, 299746 more fs_reclaim acquisitions under it
    expect(
      a.findings.find((f) => f.id === 'RECLAIM_DEADLOCK_RISK' && f.lock === 'reservation_ww_class_mutex'),
    ).toMatchObject({
      basis: 'direct_reclaim',
      count: 299883,
      basisCount: 137,
      basisCounts: { direct_reclaim: 137, fs_reclaim: 299746 },
    });
    expect(findings).toContain(
      'error BLOCKING_LOCK_IN_SHRINKER reservation_ww_class_mutex shmem_lab_shrinker_scan',
    );
    expect(findings).toContain(
      'error RECLAIM_DEADLOCK_RISK reservation_ww_class_mutex shmem_lab_shrinker_scan',
    );
    expect(findings).not.toContain('warning LOCK_HELD_INTO_RECLAIM &sdev->lru_lock null');
  });

  it('v5 text: the reclaim risk says what each of its counts counts, and whose line "first" is', () => {
    const r = runCli(['trace', 'analyze', V5]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('  ERROR   RECLAIM_DEADLOCK_RISK');
    expect(lines.slice(at + 1, at + 6)).toEqual([
      '    reservation_ww_class_mutex in shmem_lab_shrinker_scan [shmem_shrinker_lab]',
      '    sleeping (contention); held into direct reclaim 137x, held while taking',
      '    fs_reclaim 299746x',
      '    first held into direct reclaim: line 363811 at 28.404498',
      '    shmem_lab_wrk/0-142; held since line 363756 at 28.403083 shmem_lab_wrk/0-142',
    ]);
  });

  it('v5 --lock-stat: the classes the findings name are listed and starred even if they never waited', () => {
    const r = runCli(['trace', 'analyze', V5, '--lock-stat', fixture('runs', 'v5', 'proc-lock_stat.txt')]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const at = lines.findIndex((l) => l.startsWith('From /proc/lock_stat'));
    expect(lines.slice(at, at + 4)).toEqual([
      'From /proc/lock_stat: the top 10 of 243 classes by total wait, then 3 more a',
      'finding names; * = named by a finding',
      '  class                         contend  acquired   wait sum  wait max  hold max',
      '   &lruvec->lru_lock               2488     40731     1.97 s   14.4 ms    3.8 ms',
    ]);
    expect(lines.slice(at + 13)).toEqual([
      '  *&sdev->lru_lock                    1      4979     9.2 us    9.2 us    4.4 ms',
      '  *fs_reclaim                         0    340603          0         0   78.0 ms',
      '  *reservation_ww_class_mutex         0      3098          0         0  152.2 ms',
    ]);
  });

  it('v6: no blocking lock in the shrinker any more, but lru_lock (which it trylocks) is held into reclaim', () => {
    const a = analyze(V6);
    const findings = named(a.findings);
    expect(
      findings.filter((f) => f.includes('BLOCKING_LOCK_IN_SHRINKER') || f.includes('RECLAIM_DEADLOCK_RISK')),
    ).toEqual([]);
    const held = a.findings.find((f) => f.id === 'LOCK_HELD_INTO_RECLAIM' && f.lock === '&sdev->lru_lock');
    expect(held).toMatchObject({
      severity: 'warning',
      lockType: 'sleeping',
      shrinkers: ['shmem_lab_shrinker_scan'],
    });
    expect(held?.first.comm).toMatch(/^shmem_lab_wrk/);
    expect(a.locks.find((l) => l.name === '&sdev->lru_lock')?.tryAcquisitions).toBeGreaterThan(0);
    // the scan's acquisitions of both locks are all trylocks: the v5 -> v6 change, said in the finding
    expect(
      a.findings
        .filter((f) => f.id === 'LOCK_IN_SHRINKER')
        .map((f) => [f.lock, f.count, f.tryAcquisitions, f.message]),
    ).toEqual([
      ['&sdev->lru_lock', 4, 4, 'shmem_lab_shrinker_scan acquires &sdev->lru_lock (by trylock only)'],
      [
        'reservation_ww_class_mutex',
        8,
        8,
        'shmem_lab_shrinker_scan acquires reservation_ww_class_mutex (by trylock only)',
      ],
    ]);
  });

  it('trace diff v5 v6 reports the new held-into-reclaim lock and the fixed blocking lock (exit 1)', () => {
    const r = runCli(['trace', 'diff', '--json', V5, V6]);
    expect(r.status, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout) as TraceDiff;
    expect(d.regressions.map(brief)).toContain('warning LOCK_HELD_INTO_RECLAIM &sdev->lru_lock null');
    expect(d.regressions.find((f) => f.id === 'LOCK_HELD_INTO_RECLAIM')?.change).toBe('new');
    expect(d.fixed.map(brief)).toContain(
      'error BLOCKING_LOCK_IN_SHRINKER reservation_ww_class_mutex shmem_lab_shrinker_scan',
    );
    // v6 trylocks the LRU lock in its scan while workers hold it across allocations: contended
    // in 10 of 11791 acquisitions in v5, 1502 of 6724 in v6 (the waits' median moves 2 -> 7 us
    // only, under the latency test's 10 us: the share of contended acquisitions shows it)
    const lru = d.regressions.find((f) => f.metric === 'lock-contended:&sdev->lru_lock');
    expect(lru).toMatchObject({
      id: 'CONTENTION_REGRESSION',
      change: 'worse',
      baseContended: 10,
      baseAcquisitions: 11791,
      headContended: 1502,
      headAcquisitions: 6724,
    });
    expect(lru?.p).toBeLessThan(1e-300);
    // v6 holds the reservation lock longer: 7210 -> 4080 holds, tested on 1000 of each side (their
    // exact medians are 2.65 ms -> 9.28 ms), and the message says the medians are the sample's
    const hold = d.regressions.find((f) => f.metric === 'lock-hold:reservation_ww_class_mutex');
    expect(hold).toMatchObject({ nBase: 1000, nHead: 1000, baseTotal: 7210, headTotal: 4080 });
    expect(hold?.message).toBe(
      'slower: hold time of reservation_ww_class_mutex (median of a 1000-hold sample 2.69 ms -> ' +
        '8.51 ms, of 7210 -> 4080 holds, p=3.64e-17)',
    );
    expect(d.test.sampleSize).toBe(1000);
  });

  const dat = fixture('runs', 'v6', 'trace.dat');
  it.skipIf(!existsSync(dat))(
    'v6 trace.dat: the same analysis on the analysis thread as on one thread',
    () => {
      // 2.3 MB: `trace analyze` takes it to a thread of its own (=0 keeps everything on one thread)
      const threaded = runCli(['trace', 'analyze', '--json', dat]);
      const single = runCli(['trace', 'analyze', '--json', dat], { env: { LOCKSCOPE_TRACEDAT_WORKER: '0' } });
      expect(threaded.status, threaded.stderr).toBe(0);
      expect(single.status, single.stderr).toBe(0);
      expect(threaded.stdout).toBe(single.stdout);
      expect(threaded.stderr).toBe(single.stderr);
      expect((JSON.parse(threaded.stdout) as TraceAnalysis).events.total).toBeGreaterThan(100_000);
    },
  );

  it.skipIf(!existsSync(dat))('v6 trace.dat gives the same findings as its text trace', () => {
    expect(analyze(dat).findings.map(brief)).toEqual(analyze(V6).findings.map(brief));
  });
});

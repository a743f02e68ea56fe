import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TraceDiff } from '../../src/analyzers/trace/trace-diff.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/shared.js';

const MIN = (name: string) => fixture('trace-min', name);

function diff(base: string, head: string): { status: number | null; d: TraceDiff } {
  const r = runCli(['trace', 'diff', '--json', MIN(base), MIN(head)]);
  return { status: r.status, d: JSON.parse(r.stdout) as TraceDiff };
}

describe('trace diff', () => {
  it('reports the blocking lock, the risk, the cycle and the new edges when the trylock goes away (exit 1)', () => {
    const { status, d } = diff('shrinker-trylock.trace.txt', 'shrinker-fs-reclaim.trace.txt');
    expect(status).toBe(1);
    expect(d.regressions.map((f) => [f.id, f.change, f.severity, f.lock, f.shrinker])).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'new', 'error', 'lab_shrinker_lock', 'lab_scan'],
      ['LOCK_ORDER_INVERSION', 'new', 'error', 'fs_reclaim', null],
      ['RECLAIM_DEADLOCK_RISK', 'new', 'error', 'lab_shrinker_lock', 'lab_scan'],
      ['NEW_LOCK_EDGE', 'new', 'error', 'lab_shrinker_lock', null],
      ['NEW_LOCK_EDGE', 'new', 'warning', 'lab_shrinker_lock', null],
    ]);
    expect(d.regressions.map((f) => f.evidence)).toEqual(Array(5).fill('trace'));
    expect(d.regressions[3]!.edge).toMatchObject({ from: 'fs_reclaim', to: 'lab_shrinker_lock', count: 1 });
    expect(d.fixed).toEqual([]);
  });

  it('lists them as fixed the other way round (exit 0)', () => {
    const { status, d } = diff('shrinker-fs-reclaim.trace.txt', 'shrinker-trylock.trace.txt');
    expect(status).toBe(0);
    expect(d.regressions).toEqual([]);
    expect(d.fixed.map((f) => [f.id, f.change])).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'gone'],
      ['LOCK_ORDER_INVERSION', 'gone'],
      ['RECLAIM_DEADLOCK_RISK', 'gone'],
      ['GONE_LOCK_EDGE', 'gone'],
      ['GONE_LOCK_EDGE', 'gone'],
    ]);
    expect(d.notComparable).toEqual([]);
  });

  it('does not call lock findings fixed when HEAD has no lock events at all', () => {
    const { status, d } = diff('shrinker-fs-reclaim.trace.txt', 'no-locks.trace.txt');
    expect(status).toBe(0);
    expect(d.fixed).toEqual([]);
    expect(d.notComparable).toEqual([
      'lock findings and order edges: HEAD has no lock_acquire events (no lockdep lock tracing)',
    ]);
    const text = runCli(['trace', 'diff', MIN('shrinker-fs-reclaim.trace.txt'), MIN('no-locks.trace.txt')]);
    expect(text.stdout).toContain(
      '\nNot compared: lock findings and order edges: HEAD has no lock_acquire events (no\n' +
        '  lockdep lock tracing)\n',
    );
    // (the first two lines name the files)
    expect(
      text.stdout
        .split('\n')
        .slice(2)
        .filter((l) => l.length > 80),
    ).toEqual([]);
  });

  it('reports hold and shrinker latency regressions by Mann-Whitney U (25 samples a side)', () => {
    const { status, d } = diff('latency-base.trace.txt', 'latency-head.trace.txt');
    expect(status).toBe(1);
    expect(d.test).toEqual({
      name: 'mann-whitney-u',
      alternative: 'greater',
      alpha: 0.01,
      minSamples: 20,
      minRatio: 1.25,
      minDeltaNs: 10_000,
      sampleSize: 1000,
    });
    expect(d.regressions.map((f) => [f.id, f.metric, f.nBase, f.nHead, f.baseTotal, f.headTotal])).toEqual([
      ['LATENCY_REGRESSION', 'lock-hold:lab_shrinker_lock', 25, 25, 25, 25],
      ['LATENCY_REGRESSION', 'shrinker:lab_scan', 25, 25, 25, 25],
    ]);
    // every value tested (fewer than the sample holds): plain medians
    expect(d.regressions.map((f) => f.message)).toEqual([
      'slower: hold time of lab_shrinker_lock (median 30.0 us -> 310.0 us of 25 -> 25 holds, p=6.90e-10)',
      'slower: latency of shrinker lab_scan (median 50.0 us -> 330.0 us of 25 -> 25 calls, p=6.90e-10)',
    ]);
    expect(d.regressions.every((f) => (f.p ?? 1) < 0.01 && f.headMedian! > f.baseMedian!)).toBe(true);
  });

  it('calls the faster HEAD better, not a regression', () => {
    const { status, d } = diff('latency-head.trace.txt', 'latency-base.trace.txt');
    expect(status).toBe(0);
    expect(d.fixed.map((f) => [f.id, f.severity, f.change, f.metric])).toEqual([
      ['LATENCY_IMPROVEMENT', 'info', 'better', 'lock-hold:lab_shrinker_lock'],
      ['LATENCY_IMPROVEMENT', 'info', 'better', 'shrinker:lab_scan'],
    ]);
    // the same samples, tested the other way: the same p (no 1 − tail rounding to 0)
    const forward = diff('latency-base.trace.txt', 'latency-head.trace.txt').d.regressions;
    expect(d.fixed.map((f) => f.p)).toEqual(forward.map((f) => f.p));
  });

  it('--help states both tests, their floors, and the sampling', () => {
    const help = runCli(['trace', 'diff', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(
      '--alpha=<value> [default: 0.01] significance level of the latency and contention tests',
    );
    expect(help).toContain('the medians 1.25x and 10 us apart');
    expect(help).toContain(
      'two-proportion z-test (alpha 0.01, at least 20 contended, the shares 1.25x apart)',
    );
    expect(help).toContain('a seeded uniform sample of at most 1000 values a side of each measure');
  });

  it('refuses - on both sides: stdin can be only one of them (exit 2)', () => {
    const input = readFileSync(MIN('abba.trace.txt'));
    const r = runCli(['trace', 'diff', '-', '-'], { input });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('only one of BASE and HEAD can be - (stdin)');
    const json = runCli(['trace', 'diff', '-', '-', '--json'], { input });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { kind: 'usage', message: 'only one of BASE and HEAD can be - (stdin)' },
    });
    // one side from stdin is fine
    expect(runCli(['trace', 'diff', '-', MIN('abba.trace.txt')], { input }).status).toBe(0);
  });

  it('exits 0 on identical traces and 2 on a missing one', () => {
    expect(diff('abba.trace.txt', 'abba.trace.txt').status).toBe(0);
    const r = runCli(['trace', 'diff', MIN('abba.trace.txt'), MIN('missing.trace.txt')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('missing.trace.txt');
  });
});

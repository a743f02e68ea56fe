import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { type AnalyzedTrace, diffTraces } from '../../../src/analyzers/trace/trace-diff.js';
import { acquire, ev, release, shrinkEnd, shrinkStart } from './events.js';

const LAB = 'lab_scan+0x0/0x47 [lab_lockdep]';

/** n shrinker invocations each waiting `waitUs` for lab_shrinker_lock (sleeping, from contention flags). */
function run(n: number, waitUs: (i: number) => number, tryLock: boolean): AnalyzedTrace {
  const a = new TraceAnalyzer();
  let line = 1;
  for (let i = 0; i < n; i++) {
    const t = 10 + i * 0.01;
    const w = waitUs(i) / 1e6;
    a.push([
      ev(line++, 'kswapd0-28', 0, t, 'mm_shrink_slab_start', shrinkStart(LAB, 's', 4)),
      ev(
        line++,
        'kswapd0-28',
        0,
        t + 0.000001,
        'lock_acquire',
        acquire('l', 'lab_shrinker_lock', tryLock ? 1 : 0),
      ),
      ev(line++, 'kswapd0-28', 0, t + 0.000002, 'contention_begin', { lock_addr: 'm', flags: 'SPIN|MUTEX' }),
      ev(line++, 'kswapd0-28', 0, t + 0.000002 + w, 'lock_acquired', release('l', 'lab_shrinker_lock')),
      ev(line++, 'kswapd0-28', 0, t + 0.000003 + w, 'contention_end', { lock_addr: 'm', ret: 0 }),
      ev(line++, 'kswapd0-28', 0, t + 0.000004 + w, 'lock_release', release('l', 'lab_shrinker_lock')),
      ev(line++, 'kswapd0-28', 0, t + 0.000005 + w, 'mm_shrink_slab_end', shrinkEnd(LAB, 's', 0, 4)),
    ]);
  }
  return { analysis: a.finish(), samples: a.samples() };
}

describe('diffTraces', () => {
  it('reports new findings and a contention regression, with the test stated', () => {
    const base = run(30, (i) => 5 + (i % 5), true);
    const head = run(30, (i) => 50 + (i % 5), false);
    const d = diffTraces(base, head);
    expect(d.test).toEqual({
      name: 'mann-whitney-u',
      alternative: 'greater',
      alpha: 0.01,
      minSamples: 20,
      minRatio: 1.25,
      minDeltaNs: 10_000,
      sampleSize: 1000,
    });
    expect(d.regressions.map((f) => [f.id, f.change, f.lock, f.shrinker, f.metric ?? null])).toEqual([
      ['BLOCKING_LOCK_IN_SHRINKER', 'new', 'lab_shrinker_lock', 'lab_scan', null],
      ['CONTENTION_REGRESSION', 'worse', 'lab_shrinker_lock', null, 'lock-wait:lab_shrinker_lock'],
      ['LATENCY_REGRESSION', 'worse', null, 'lab_scan', 'shrinker:lab_scan'],
    ]);
    const wait = d.regressions[1]!;
    expect([wait.nBase, wait.nHead, wait.baseMedian, wait.headMedian]).toEqual([30, 30, 8000, 53000]);
    expect(wait.p).toBeLessThan(1e-9);
    expect(d.fixed).toEqual([]);
  });

  it('tests the share of contended acquisitions (two-proportion z), both ways', () => {
    // 100 acquisitions a side; BASE contended in 5, HEAD in 40 (each contention waits 2-4 us:
    // the waits' medians stay under the latency test's 10 us)
    const side = (contended: number): AnalyzedTrace => {
      const a = new TraceAnalyzer();
      let line = 1;
      for (let i = 0; i < 100; i++) {
        const t = 10 + i * 0.001;
        a.push([
          ev(line++, 'worker-7', 0, t, 'lock_acquire', acquire('l', 'lru_lock', 0)),
          ...(i < contended
            ? [ev(line++, 'worker-7', 0, t + 1e-6, 'lock_contended', release('l', 'lru_lock'))]
            : []),
          ev(line++, 'worker-7', 0, t + 3e-6, 'lock_acquired', release('l', 'lru_lock')),
          ev(line++, 'worker-7', 0, t + 5e-6, 'lock_release', release('l', 'lru_lock')),
        ]);
      }
      return { analysis: a.finish(), samples: a.samples() };
    };
    const d = diffTraces(side(5), side(40));
    expect(d.contentionTest).toEqual({
      name: 'two-proportion-z',
      alternative: 'greater',
      alpha: 0.01,
      minSamples: 20,
      minRatio: 1.25,
    });
    expect(d.regressions).toHaveLength(1);
    // pooled share 45/200: z = (0.40 - 0.05) / sqrt(0.225 * 0.775 * 0.02) = 5.9267, P(Z > z) = 1.5457e-9
    expect(d.regressions[0]).toMatchObject({
      id: 'CONTENTION_REGRESSION',
      severity: 'warning',
      change: 'worse',
      metric: 'lock-contended:lru_lock',
      baseContended: 5,
      headContended: 40,
      message:
        'more contention: lru_lock contended in 5 of 100 (5.0%) -> 40 of 100 (40%) acquisitions, p=1.55e-9',
    });
    const back = diffTraces(side(40), side(5));
    expect(back.fixed.map((f) => [f.id, f.severity, f.change, f.p])).toEqual([
      ['CONTENTION_IMPROVEMENT', 'info', 'better', d.regressions[0]!.p],
    ]);
    // fewer than 20 contended acquisitions on the worse side: no claim
    expect(diffTraces(side(1), side(15)).regressions).toEqual([]);
  });

  /** n holds of lru_lock, each `holdUs` long, analyzed keeping at most `keep` samples a measure. */
  const holds = (n: number, holdUs: number, keep: number): AnalyzedTrace => {
    const a = new TraceAnalyzer({ reservoirSize: keep });
    let line = 1;
    for (let i = 0; i < n; i++) {
      const t = 10 + i * 0.001;
      a.push([
        ev(line++, 'worker-7', 0, t, 'lock_acquire', acquire('l', 'lru_lock', 0)),
        ev(line++, 'worker-7', 0, t + holdUs / 1e6, 'lock_release', release('l', 'lru_lock')),
      ]);
    }
    return { analysis: a.finish(), samples: a.samples() };
  };

  it('says when the medians it prints are of a sample, and of how many values', () => {
    // 30 and 40 holds, 25 kept a side: both sides sampled
    const both = diffTraces(holds(30, 10, 25), holds(40, 100, 25));
    expect(both.test.sampleSize).toBe(25);
    const hold = both.regressions.find((f) => f.metric === 'lock-hold:lru_lock');
    expect(hold).toMatchObject({ nBase: 25, nHead: 25, baseTotal: 30, headTotal: 40 });
    expect(hold?.message).toBe(
      `slower: hold time of lru_lock (median of a 25-hold sample 10.0 us -> 100.0 us, of 30 -> 40 holds, p=${hold?.p?.toExponential(2)})`,
    );
    // BASE sampled (25 of 30), HEAD whole (22 holds)
    const one = diffTraces(holds(30, 10, 25), holds(22, 100, 25));
    expect(one.regressions.find((f) => f.metric === 'lock-hold:lru_lock')).toMatchObject({
      nBase: 25,
      nHead: 22,
      baseTotal: 30,
      headTotal: 22,
      message: expect.stringMatching(
        /^slower: hold time of lru_lock \(median of a sample 10\.0 us -> 100\.0 us, 25 of 30 -> all 22 holds, p=/,
      ),
    });
    // every value kept: plain medians, with the counts
    const none = diffTraces(holds(30, 10, 1000), holds(22, 100, 1000));
    expect(none.regressions.find((f) => f.metric === 'lock-hold:lru_lock')).toMatchObject({
      nBase: 30,
      nHead: 22,
      baseTotal: 30,
      headTotal: 22,
      message: expect.stringMatching(
        /^slower: hold time of lru_lock \(median 10\.0 us -> 100\.0 us of 30 -> 22 holds, p=/,
      ),
    });
  });

  it('does not test with fewer than 20 samples a side', () => {
    const d = diffTraces(
      run(19, () => 5, false),
      run(19, () => 500, false),
    );
    expect(d.regressions).toEqual([]);
  });

  it('says nothing about identical traces', () => {
    const a = run(25, (i) => i, false);
    const d = diffTraces(
      a,
      run(25, (i) => i, false),
    );
    expect(d.regressions).toEqual([]);
    expect(d.fixed).toEqual([]);
  });
});

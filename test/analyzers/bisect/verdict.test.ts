import { describe, expect, it } from 'vitest';
import { bisectSeries, pickSplat } from '../../../src/analyzers/bisect/series.js';
import { classifyRun, decideVerdict, type RunClass } from '../../../src/analyzers/bisect/verdict.js';
import type { Report, ReportKind } from '../../../src/model/report.js';
import { report as makeReport } from '../../helpers/report.js';

function report(kind: ReportKind, title: string, signature: string): Report {
  return makeReport({ kind, headline: '', title, signature });
}

const OURS = report(
  'circular-dependency',
  'possible deadlock in lab_scan',
  'circular-dependency:fs_reclaim|reservation_ww_class_mutex',
);
const OTHER_LOCKDEP = report(
  'recursive-locking',
  'possible deadlock in lab_evict',
  'recursive-locking:lab_lock',
);
const WARN = report('warning', 'WARNING in lab_probe', 'warning:lab_probe');

describe('classifyRun', () => {
  const bySignature = { signature: OURS.signature };
  it('is a hit when the signature or title is present', () => {
    expect(classifyRun([WARN, OURS], true, bySignature)).toEqual({
      class: 'hit',
      reason: 'possible deadlock in lab_scan',
    });
    expect(classifyRun([OURS], true, { title: 'possible deadlock in lab_scan' }).class).toBe('hit');
  });
  it('is clean for a log without it, even with an unrelated warning', () => {
    expect(classifyRun([], true, bySignature)).toEqual({ class: 'clean', reason: 'no splat' });
    expect(classifyRun([WARN], true, bySignature).class).toBe('clean');
  });
  it('is broken without output or when another lock report came first', () => {
    expect(classifyRun([], false, bySignature)).toEqual({ class: 'broken', reason: 'no console output' });
    expect(classifyRun([OTHER_LOCKDEP], true, bySignature)).toEqual({
      class: 'broken',
      reason: 'another crash came first: possible deadlock in lab_evict',
    });
  });
  it('takes any lock report when no splat is named', () => {
    expect(classifyRun([OTHER_LOCKDEP], true, {}).class).toBe('hit');
    expect(classifyRun([WARN], true, {}).class).toBe('clean');
  });
});

describe('decideVerdict', () => {
  const runs = (h: number, c: number, b: number): RunClass[] => [
    ...Array<RunClass>(h).fill('hit'),
    ...Array<RunClass>(c).fill('clean'),
    ...Array<RunClass>(b).fill('broken'),
  ];
  it('follows the git bisect run contract', () => {
    const table = [
      [runs(1, 0, 0), 'bad', 1],
      [runs(0, 1, 0), 'good', 0],
      [runs(0, 0, 1), 'skip', 125],
      [runs(1, 11, 0), 'skip', 125], // 12 runs need ⌈12/6⌉ = 2 hits
      [runs(2, 10, 0), 'bad', 1],
      [runs(0, 5, 5), 'good', 0], // ⌈10/2⌉ = 5 clean
      [runs(0, 4, 6), 'skip', 125],
    ] as const;
    for (const [classes, verdict, exitCode] of table) {
      expect(decideVerdict([...classes], 0.5)).toMatchObject({ verdict, exitCode });
    }
  });
  it('gives the false-negative confidence for good verdicts', () => {
    expect(decideVerdict(runs(0, 1, 0), 0.5).confidence).toBe(0.5);
    expect(decideVerdict(runs(0, 5, 0), 0.5).confidence).toBe(0.969);
    expect(decideVerdict(runs(3, 3, 0), 0.5).confidence).toBe(1);
    expect(decideVerdict(runs(0, 0, 2), 0.5).confidence).toBe(0);
  });
});

describe('bisectSeries', () => {
  const one = (reports: Report[], hadOutput = true) => ({ reports, hadOutput });
  const logs = [
    { index: 1, runs: [one([])] },
    { index: 2, runs: [one([WARN])] },
    { index: 3, runs: [one([OURS])] },
    { index: 4, runs: [one([OURS])] },
    { index: 5, runs: [one([OURS, WARN])] },
  ];
  it('finds the first patch where the splat appears', () => {
    const r = bisectSeries(logs, pickSplat(logs), [1, 2, 3, 4, 5]);
    expect(r.matcher).toEqual({ signature: OURS.signature });
    // 3 hits in 3 runs from patch 3 on: p = (3 + 1) / (3 + 2) = 0.8; patch 2's one clean run: 1 - 0.2
    expect([r.first, r.lastGood, r.candidates, r.reproChance, r.confidence]).toEqual([3, 2, [3], 0.8, 0.8]);
    expect(r.patches.map((p) => p.verdict)).toEqual(['good', 'good', 'bad', 'bad', 'bad']);
  });
  it('widens the candidates over a broken patch and lowers confidence for flaky later patches', () => {
    const flaky = [
      logs[0]!,
      { index: 2, runs: [one([], false)] },
      logs[2]!,
      { index: 4, runs: [one([])] },
      logs[4]!,
    ];
    const r = bisectSeries(flaky, { signature: OURS.signature }, [1, 2, 3, 4, 5]);
    expect([r.first, r.lastGood, r.candidates]).toEqual([3, 1, [2, 3]]);
    // p = (2 hits + 1) / (3 runs + 2) = 0.6; last good has 1 clean run: 0.6; patch 4 of 2 later contradicts: × 0.5
    expect([r.reproChance, r.confidence]).toEqual([0.6, 0.3]);
  });
  it('has no culprit and no confidence when the splat never shows or shows from the start', () => {
    const none = bisectSeries([logs[0]!, logs[1]!], { signature: OURS.signature }, [1, 2]);
    expect([none.first, none.confidence]).toEqual([null, 0]);
    const fromStart = bisectSeries([logs[2]!], { signature: OURS.signature }, [1, 2, 3]);
    expect([fromStart.first, fromStart.lastGood, fromStart.candidates, fromStart.confidence]).toEqual([
      3,
      null,
      [1, 2, 3],
      0,
    ]);
  });
});

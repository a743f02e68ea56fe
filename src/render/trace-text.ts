import type {
  EventRef,
  OrphanCounts,
  ReclaimBasis,
  TraceAnalysis,
  TraceFinding,
} from '../analyzers/trace/trace-analysis.js';
import type { TraceDiff, TraceDiffFinding } from '../analyzers/trace/trace-diff.js';
import type { LockStatClass } from '../ingest/proc/lock-stat.js';
import { counted } from '../util/plural.js';
import { cell, duration, num, timestamp } from './trace-format.js';
import { wrap, wrapText } from './wrap.js';

const MAX_ROWS = 15;

/** The `trace analyze` summary for an 80-column terminal. */
export function renderTraceAnalysis(a: TraceAnalysis, file: string): string {
  const out: string[] = [];
  const top = Object.entries(a.events.byName)
    .sort(([, x], [, y]) => y - x)
    .map(([name, n]) => `${name} ${n}`);
  out.push(`${file}: ${a.events.total} events`, ...wrap(top, '  '), '');

  out.push(`Findings (${a.findings.length})`);
  if (a.findings.length === 0) out.push('  none');
  const unit = a.source?.line === 'record' ? 'record' : 'line';
  for (const f of a.findings) out.push(...findingLines(f, unit));
  out.push('');

  out.push('Lock classes (by acquisitions)');
  if (a.locks.length === 0) out.push('  no lock_acquire events');
  else {
    out.push(
      `  ${cell('class', 26)}${'acq'.padStart(7)}${'try'.padStart(6)}${'cont'.padStart(6)}  wait p99   hold p99   type`,
    );
    for (const l of a.locks.slice(0, MAX_ROWS)) {
      out.push(
        `  ${cell(l.name, 26)}${num(l.acquisitions, 7)}${num(l.tryAcquisitions, 6)}${num(l.contentions, 6)}  ${cell(duration(l.wait.p99), 10)} ${cell(duration(l.hold.p99), 10)} ${l.lockType}`,
      );
    }
    if (a.locks.length > MAX_ROWS) out.push(`  … ${a.locks.length - MAX_ROWS} more (--json lists all)`);
  }
  out.push('');

  if (a.contention.length > 0) {
    out.push('Contention by lock address (contention_begin/end, by total wait)');
    out.push(`  ${cell('address', 18)}${cell('flags', 16)}${'count'.padStart(7)}  p50       p99       max`);
    for (const c of a.contention.slice(0, 5)) {
      out.push(
        `  ${cell(c.addr, 18)}${cell(c.allFlags.join(','), 16)}${num(c.count, 7)}  ${cell(duration(c.wait.p50), 9)} ${cell(duration(c.wait.p99), 9)} ${duration(c.wait.max)}`,
      );
    }
    out.push('');
  }

  out.push('Shrinkers');
  if (a.shrinkers.length === 0) out.push('  no mm_shrink_slab events');
  else {
    out.push(
      `  ${cell('shrinker', 24)}${'calls'.padStart(6)}${'scanned'.padStart(8)}${'freed'.padStart(8)}  p50      p99      max`,
    );
    for (const s of a.shrinkers.slice(0, MAX_ROWS)) {
      out.push(
        `  ${cell(s.name, 24)}${num(s.invocations, 6)}${num(s.objectsScanned, 8)}${num(s.objectsFreed, 8)}  ${cell(duration(s.latency.p50), 8)} ${cell(duration(s.latency.p99), 8)} ${duration(s.latency.max)}`,
      );
    }
  }
  out.push('');

  const { direct, kswapd } = a.reclaim;
  out.push('Reclaim');
  out.push(
    `  direct reclaim  ${num(direct.episodes, 6)} episodes  p50 ${duration(direct.duration.p50)}  p99 ${duration(direct.duration.p99)}  max ${duration(direct.duration.max)}`,
  );
  out.push(
    `  kswapd awake    ${num(kswapd.episodes, 6)} episodes  p50 ${duration(kswapd.duration.p50)}  p99 ${duration(kswapd.duration.p99)}  max ${duration(kswapd.duration.max)}`,
  );
  out.push('');
  out.push(
    `Lock order: ${counted(a.lockOrder.edges.length, 'edge')}, ${counted(a.lockOrder.cycles.length, 'cycle')}`,
  );
  const orphans = (Object.keys(ORPHAN_WORDS) as (keyof OrphanCounts)[])
    .filter((k) => a.orphans[k] > 0)
    .map((k) => `${ORPHAN_WORDS[k]} ${a.orphans[k]}`);
  if (orphans.length > 0) out.push(...wrap(orphans, '  ', 80, ', ', 'Unpaired events: '));
  return out.join('\n');
}

/** What each orphan count counts, in the tracepoints' own names. */
const ORPHAN_WORDS: Record<keyof OrphanCounts, string> = {
  directReclaimBeginWithoutEnd: 'mm_vmscan_direct_reclaim_begin without end',
  directReclaimEndWithoutBegin: 'mm_vmscan_direct_reclaim_end without begin',
  kswapdWakeWithoutSleep: 'mm_vmscan_kswapd_wake without sleep',
  kswapdSleepWithoutWake: 'mm_vmscan_kswapd_sleep without wake',
  shrinkerStartWithoutEnd: 'mm_shrink_slab_start without end',
  shrinkerEndWithoutStart: 'mm_shrink_slab_end without start',
  acquireWithoutRelease: 'lock_acquire without release',
  releaseWithoutAcquire: 'lock_release without acquire',
  contentionBeginWithoutEnd: 'contention_begin without end',
  contentionEndWithoutBegin: 'contention_end without begin',
  lostEvents: 'events lost',
};

const DETAIL = '    ';

/** `unit`: what an EventRef's `line` counts here (see TraceAnalysis.source). */
function findingLines(f: TraceFinding, unit: string): string[] {
  const where = f.shrinker ? ` in ${f.shrinker}${f.shrinkerModule ? ` [${f.shrinkerModule}]` : ''}` : '';
  const also = f.shrinkers?.length ? ` (shrinker ${f.shrinkers.join(', ')} takes it too)` : '';
  const what = f.cycle
    ? wrap([...f.cycle, f.cycle[0]!], DETAIL, 80, ' ->')
    : wrapText(`${f.lock}${where}${also}`, DETAIL);
  const type = f.lockType === 'unknown' ? 'type unknown' : `${f.lockType} (${f.lockTypeSource})`;
  const head = [`  ${f.severity.toUpperCase().padEnd(8)}${f.id}`, ...what];
  if (f.basisCounts) return [...head, ...basisLines(f, f.basisCounts, type, unit)];
  const tries = f.tryAcquisitions
    ? ` (${f.tryAcquisitions === f.count ? 'all' : f.tryAcquisitions} by trylock)`
    : '';
  const lines = [...head, ...wrapText(`${type}, ${f.count}x${tries}; first ${at(f.first, unit)}`, DETAIL)];
  if (f.basis) {
    const on = f.basisCount !== undefined && f.basisCount !== f.count ? ` (${f.basisCount}x)` : '';
    lines.push(
      ...wrapText(
        `${f.basis.replaceAll('_', ' ')}${on}${f.heldAt ? `; held since ${at(f.heldAt, unit)}` : ''}`,
        DETAIL,
      ),
    );
  }
  return lines;
}

/** What one occurrence on a basis is, strongest first (`lockdep_dependency`: the dependency itself). */
const BASIS_WORDS: [ReclaimBasis, (n: number, lock: string) => string, string][] = [
  ['direct_reclaim', (n) => `held into direct reclaim ${n}x`, 'held into direct reclaim'],
  ['fs_reclaim', (n) => `held while taking fs_reclaim ${n}x`, 'taking fs_reclaim'],
  ['lockdep_dependency', (_, lock) => `/proc/lockdep has ${lock} -> fs_reclaim`, ''],
  ['held_outside_reclaim', (n) => `taken outside reclaim ${n}x`, 'taken outside reclaim'],
];

/**
 * A reclaim finding's evidence, each count with what it counts, and where the first occurrence of
 * the strongest basis the trace itself shows (`first`) is: `held into direct reclaim 137x, held
 * while taking fs_reclaim 299746x` / `first held into direct reclaim: line 363811 ...; held since ...`.
 */
function basisLines(
  f: TraceFinding,
  counts: Partial<Record<ReclaimBasis, number>>,
  type: string,
  unit: string,
): string[] {
  const shown = BASIS_WORDS.filter(([basis]) => counts[basis] !== undefined);
  const evidence = shown.map(([basis, words]) => words(counts[basis]!, f.lock ?? ''));
  const firstOf = shown.find(([, , first]) => first !== '')?.[2] ?? 'taken in the shrinker';
  const since = f.heldAt && f.heldAt.line !== f.first.line ? `; held since ${at(f.heldAt, unit)}` : '';
  return [
    ...wrapText(`${type}; ${evidence.join(', ')}`, DETAIL),
    ...wrapText(`first ${firstOf}: ${at(f.first, unit)}${since}`, DETAIL),
  ];
}

function at(e: EventRef, unit: string): string {
  return `${unit} ${e.line} at ${timestamp(e.ts)} ${e.comm}-${e.pid}`;
}

/** The `trace diff` report. */
export function renderTraceDiff(d: TraceDiff, base: string, head: string): string {
  const out = [`BASE ${base} (${d.base.events} events)`, `HEAD ${head} (${d.head.events} events)`, ''];
  out.push(`Regressions (${d.regressions.length})`);
  if (d.regressions.length === 0) out.push('  none');
  for (const f of d.regressions) out.push(diffLine(f));
  out.push('', `Fixed or better (${d.fixed.length})`);
  if (d.fixed.length === 0) out.push('  none');
  for (const f of d.fixed) out.push(diffLine(f));
  for (const why of d.notComparable) out.push('', ...wrapText(why, '  ', 'Not compared: '));
  out.push(
    '',
    `Latency test: one-sided Mann-Whitney U, alpha ${d.test.alpha}, >= ${d.test.minSamples} samples a side;`,
    `  medians must differ by ${d.test.minRatio}x and ${duration(d.test.minDeltaNs)}. Test and medians use a seeded`,
    `  uniform sample of <= ${d.test.sampleSize} values a side of each measure, not every value`,
    `Contention test: one-sided two-proportion z-test, alpha ${d.contentionTest.alpha}, of the`,
    `  share of contended acquisitions (>= ${d.contentionTest.minSamples} contended); shares must differ by ${d.contentionTest.minRatio}x`,
  );
  return out.join('\n');
}

function diffLine(f: TraceDiffFinding): string {
  return [`  ${f.severity.toUpperCase().padEnd(8)}${f.id}`, ...wrapText(f.message, '          ')].join('\n');
}

/**
 * The classes of a /proc/lock_stat dump with the most total wait, then those of the rest that a
 * finding of the trace names (its lock, or a class of its cycle), which are marked `*` wherever
 * they stand: a lock a finding is about matters even if it never waited. Times as the other
 * tables print them (the kernel counts µs).
 */
export function renderLockStat(classes: readonly LockStatClass[], a: TraceAnalysis, top = 10): string {
  const named = new Set(
    a.findings.flatMap((f) => [...(f.lock === null ? [] : [f.lock]), ...(f.cycle ?? [])]),
  );
  const shown = [...classes.slice(0, top), ...classes.slice(top).filter((c) => named.has(c.name))];
  const us = (v: number) => (v === 0 ? '0' : duration(v * 1000));
  const rows = shown.map((c) => {
    const name = `${named.has(c.name) ? '*' : ' '}${c.name}${c.rw ? `-${c.rw}` : ''}`;
    return `  ${cell(name, 29)} ${String(c.contentions).padStart(7)} ${String(c.acquisitions).padStart(9)} ${us(c.waittime.total).padStart(10)} ${us(c.waittime.max).padStart(9)} ${us(c.holdtime.max).padStart(9)}`;
  });
  const extra = shown.length - Math.min(top, classes.length);
  return [
    '',
    ...wrapText(
      `From /proc/lock_stat: the top ${Math.min(top, classes.length)} of ${classes.length} classes by total wait` +
        `${extra > 0 ? `, then ${extra} more a finding names` : ''}; * = named by a finding`,
      '',
    ),
    `  ${'class'.padEnd(29)} ${'contend'.padStart(7)} ${'acquired'.padStart(9)} ${'wait sum'.padStart(10)} ${'wait max'.padStart(9)} ${'hold max'.padStart(9)}`,
    ...rows,
  ].join('\n');
}

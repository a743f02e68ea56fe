// trace.dat reading speed and memory against `trace-cmd report > /dev/null` on the same file:
// the reader alone (every event decoded into an object, all on one thread), and `lockscope trace
// analyze --json` as users run it (lock records as columns, decoded on a reader thread that a
// decompressing thread feeds, the analysis on a third: both cores), then the same with
// LOCKSCOPE_TRACEDAT_WORKER=0 (everything on one thread).
// Each row gives wall time, CPU time (user + system, all threads) and peak RSS, and the ratios to
// trace-cmd report measured in the same run.
// File: LOCKSCOPE_TRACEDAT, else the largest *.dat under lab/out/ (the lab leaves one ≥ 100 MB
// there), else the lab v5 run in fixtures/runs (a smoke run: figures mean little).
// Target (issue 4): analyze ≥ 20× faster than trace-cmd report with ≤ 1/10 of its peak RSS.
// Needs `npm run build` first. Never run while a kernel build or QEMU shares the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, filesUnder, measure, OUT, ROOT, sizeMB } from './lib.mjs';

/** The largest trace.dat under `dir`, or null. */
function largestDat(dir) {
  const dats = filesUnder(dir, (name) => name.endsWith('.dat'));
  return dats.reduce((best, p) => (best === null || statSync(p).size > statSync(best).size ? p : best), null);
}

const file =
  process.env.LOCKSCOPE_TRACEDAT ??
  largestDat(join(ROOT, 'lab', 'out')) ??
  join(ROOT, 'fixtures', 'runs', 'v5', 'trace.dat');
if (!existsSync(file)) {
  console.log('no trace.dat to read (set LOCKSCOPE_TRACEDAT)');
  process.exit(0);
}
const reader = join(ROOT, 'dist', 'ingest', 'tracedat', 'index.js');
if (!existsSync(reader)) {
  console.log('dist/ingest/tracedat/index.js is missing: run `npm run build` first');
  process.exit(1);
}
const mb = sizeMB(file);
console.log(
  `trace.dat on ${file} (${mb.toFixed(1)} MB)${mb < 100 ? ' — small file: a smoke run, not a measurement' : ''}`,
);

// the reader alone: decode every event, count them; argv[3] = worker | thread
const readerScript = join(OUT, 'tracedat-reader.mjs');
writeFileSync(
  readerScript,
  `import { readTraceDat } from ${JSON.stringify(reader)};\n` +
    'const diagnostics = []; let n = 0;\n' +
    "const options = { worker: process.argv[3] === 'worker' };\n" +
    'for await (const batch of readTraceDat(process.argv[2], diagnostics, options)) n += batch.length;\n' +
    'console.log(n);\n',
);

const _TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function show(name, m, base, events) {
  const f = (v, d = 2) => (v === null ? 'n/a' : v.toFixed(d));
  const rate = events && m.cpuSeconds ? ` ${(events / m.cpuSeconds / 1e6).toFixed(2)} M events/CPU-s,` : '';
  const vs =
    base && base !== m
      ? ` | ${(base.seconds / m.seconds).toFixed(1)}× faster (wall), ${m.cpuSeconds && base.cpuSeconds ? (base.cpuSeconds / m.cpuSeconds).toFixed(1) : 'n/a'}× (CPU), ` +
        `${m.rssMB && base.rssMB ? (m.rssMB / base.rssMB).toFixed(3) : 'n/a'} of its RSS`
      : '';
  console.log(
    `  ${name.padEnd(34)} wall ${f(m.seconds).padStart(7)} s  CPU ${f(m.cpuSeconds).padStart(7)} s  ` +
      `${(mb / m.seconds).toFixed(1).padStart(7)} MB/s  RSS ${f(m.rssMB, 0).padStart(5)} MB${rate}${vs}`,
  );
  return m;
}

const [node, args] = cli(['trace', 'analyze', '--json', file]);
// This VM's speed drifts by up to 1.5x within minutes, and trace-cmd report takes minutes: two
// trace-cmd runs, each with analyze runs right before and after it (five in all). Each program's
// best run is the one the drift slowed least: the ratio compares best with best (the medians are
// printed too).
const hasTraceCmd = spawnSync('trace-cmd', ['--version']).status !== null;
if (!hasTraceCmd) console.log('  trace-cmd not installed: no baseline (apt-get install trace-cmd)');
const analyzeRuns = [measure(node, args)];
const reports = [];
for (let k = 0; k < (hasTraceCmd ? 2 : 0); k++) {
  reports.push(measure('trace-cmd', ['report', '-i', file]));
  analyzeRuns.push(measure(node, args), measure(node, args));
}
if (!hasTraceCmd) analyzeRuns.push(measure(node, args), measure(node, args));
const byWall = (x, y) => x.seconds - y.seconds;
reports.sort(byWall);
analyzeRuns.sort(byWall);
if (reports.length > 0)
  console.log(`  trace-cmd report: ${reports.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}; the best:`);
const report = reports.length > 0 ? show('trace-cmd report > /dev/null', reports[0]) : null;
/** Three runs, sorted by wall time (three threads on two cores vary from run to run). */
function three() {
  return [measure(node, args), measure(node, args), measure(node, args)].sort(byWall);
}
/** The median of three runs; prints all three. */
function median(name, runs) {
  console.log(`  ${name}: ${runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}; the median:`);
  return runs[1];
}
// the default: lock records as columns, decoded on a reader thread (fed by a decompressing one)
const threadRead = measure('node', [readerScript, file, 'thread'], { keepStdout: true });
const events = Number(threadRead.stdout.split('\n', 1)[0]) || null;
if (events) console.log(`  ${events} events`);
show('readTraceDat (event objects), one thread', threadRead, report, events);
console.log(`  trace analyze: ${analyzeRuns.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}; the best:`);
const analyze = show('lockscope trace analyze --json', analyzeRuns[0], report, events);
process.env.LOCKSCOPE_TRACEDAT_WORKER = '0';
show('  … all on one thread', median('all on one thread', three()), report, events);
delete process.env.LOCKSCOPE_TRACEDAT_WORKER;
if (report) {
  const mid = (runs) => runs[(runs.length - 1) >> 1].seconds;
  const rss = (a, b) => (a.rssMB && b.rssMB ? (a.rssMB / b.rssMB).toFixed(3) : 'n/a');
  console.log(
    `  target: analyze ≥ 20× faster than trace-cmd report (here ${(report.seconds / analyze.seconds).toFixed(1)}× wall, ` +
      `best with best; median with median ${(mid(reports) / mid(analyzeRuns)).toFixed(1)}×), ` +
      `≤ 0.1 of its peak RSS (here ${rss(analyze, report)})`,
  );
}
if (analyze.status !== 0)
  console.log(`  trace analyze exited ${analyze.status}: ${analyze.stderr.trim().slice(-300)}`);

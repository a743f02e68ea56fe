// CPU time of the trace.dat reader alone and of reader + trace analyzer, looping in-process over one
// real file (the machine is shared: CPU time, not wall time). Compare with `trace-cmd report` CPU time
// on the same file (printed when trace-cmd is installed).
//   node bench/profile-dat-read.mjs [FILE] [LOOPS]   (DIST=/path/to/dist to use another build)
// Run with `node --cpu-prof` for a profile. Not a test; never while QEMU or a build shares the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, SHARED } from './lib.mjs';

const DIST = process.env.DIST ?? join(ROOT, 'dist');
const file =
  process.argv[2] ??
  (SHARED ? join(SHARED, 'corpus', 'lab-6.1', 'debian-6.1-virtio-gpu', 'B-events.trace.dat') : null);
const loops = Number(process.argv[3] ?? 5);
const only = process.env.ONLY; // 'read' | 'analyze' | 'columns': one of them
if (!file || !existsSync(file)) {
  console.log('no trace.dat (pass a path)');
  process.exit(0);
}
const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { readTraceDat } = await load('ingest/tracedat/index.js');
const { analyzeBatches } = await load('analyzers/trace/analyze-batches.js');
const mb = statSync(file).size / (1024 * 1024);

function cpuSeconds(start) {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

async function readOnly(options) {
  const diagnostics = [];
  let n = 0;
  for await (const batch of readTraceDat(file, diagnostics, options)) n += batch.length;
  return n;
}

async function analyze(options) {
  const diagnostics = [];
  const batches = readTraceDat(file, diagnostics, options);
  const { analysis } = await analyzeBatches({ batches, diagnostics });
  return analysis.events.total;
}

/** As `analyze`, lock records as EventColumns rows (what `trace analyze` does). */
const analyzeColumns = (options) => analyze({ ...options, columns: true });

let baseline = null;
if (spawnSync('trace-cmd', ['--version']).status !== null && !process.env.NO_TRACECMD) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', 'trace-cmd', 'report', '-i', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const [u, s, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  baseline = u + s;
  console.log(`trace-cmd report: ${baseline.toFixed(2)} s CPU, ${(kb / 1024).toFixed(0)} MB peak RSS`);
}

for (const [name, fn, key] of [
  ['readTraceDat', readOnly, 'read'],
  ['read + analyze', analyze, 'analyze'],
  ['read + analyze, columns', analyzeColumns, 'columns'],
]) {
  if (only && only !== key) continue;
  for (const worker of [false, true]) {
    if (process.env.WORKER && String(Number(worker)) !== process.env.WORKER) continue;
    const options = { worker };
    await fn(options); // warm-up
    const t = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let events = 0;
    for (let i = 0; i < loops; i++) events += await fn(options);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9 / loops;
    const s = cpuSeconds(t);
    const perLoop = s / loops;
    console.log(
      `${`${name}${worker ? ' (worker)' : ''}`.padEnd(25)} ${(events / loops / 1e6).toFixed(2)} M events, ` +
        `CPU ${perLoop.toFixed(3)} s/loop (all threads), wall ${wall.toFixed(3)} s/loop, ` +
        `${(events / s / 1e6).toFixed(2)} M events/CPU-s, ${((mb * loops) / s).toFixed(1)} MB/CPU-s, ` +
        `${((s * 1e9) / events).toFixed(0)} CPU-ns/event` +
        (baseline ? `, ${(baseline / perLoop).toFixed(1)}x trace-cmd report CPU` : '') +
        `, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
    );
  }
}

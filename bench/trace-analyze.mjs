// `lockscope trace analyze` throughput and memory: a text trace of LOCKSCOPE_TRACE_MB (default
// 1024) MB built in bench/out/ from the lab's real captures (../shared/corpus/lab-6.1: the lockdep
// runs with lock_acquire/release next to shrinker and reclaim events, and the Debian captures),
// each pass shifted in time past the previous one so timestamps stay ordered and spans stay
// paired. Printed next to `wc -l` and a naive per-line regex loop measured in the same run.
// Target (issue 4): ≥ 300 MB/s for analyze ("use both cores if that helps ... report both
// figures"), peak RSS ≤ 250 MB whatever the size.
// Three figures: one core (the default: one thread parses the text straight into lock-event
// columns and analyzes them), the same on CPU 0 alone (taskset), and both cores
// (LOCKSCOPE_TRACE_WORKERS=1: a worker thread and the main thread parse byte ranges of the
// file, the main thread analyzes them in file order). The analysis itself stays on one thread
// (a per-task state machine over the stream in time order); what crosses threads are
// EventColumns batches, typed arrays transferred without a copy, and the few other events
// (shrinker and reclaim: ~8% of the lab mix) packed into typed arrays (a structured clone of
// event objects cost ~3-5 us per event on the receiving thread; packed ~0.7 us). Workers are
// opt-in: they cost more CPU, and their second heap puts RSS at the 250 MB target.
// CPU seconds (user + system, all threads) are printed next to the wall time.
// Needs `npm run build` first. Never run while a kernel build or QEMU shares the machine.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildShiftedTrace, cli, measure, OUT, pinned, ROOT, row, SHARED, sizeMB } from './lib.mjs';

const targetMB = Number(process.env.LOCKSCOPE_TRACE_MB ?? 1024);
if (!SHARED) {
  console.log('../shared/corpus is absent: no lab traces to build the input from');
  process.exit(0);
}
if (!existsSync(join(ROOT, 'dist', 'commands', 'trace', 'analyze.js'))) {
  console.log('dist/commands/trace/analyze.js is missing: run `npm run build` first');
  process.exit(1);
}

// The lab captures with the events the analyzer follows (lock_*, contention_*, mm_shrink_slab_*, reclaim).
const SOURCES = [
  'lockdep-6.1-virtio-gpu/D-lockdep-events.trace.txt.gz',
  'lockdep-6.1-virtio-gpu/D2-lock-unfiltered-tail.trace.txt.gz',
  'lockdep-splats/shrinker/S-shrinker.trace.txt.gz',
  'lockdep-splats/abba/S-abba.trace.txt',
  'debian-6.1-virtio-gpu/A-events.trace.txt',
  'debian-6.1-virtio-gpu/C-function.trace.txt',
].map((p) => join(SHARED, 'corpus', 'lab-6.1', p));

const file = join(OUT, `trace-analyze-${targetMB}MB.txt`);
if (!existsSync(file) || sizeMB(file) < targetMB) await buildShiftedTrace(file, targetMB, SOURCES);
const mb = sizeMB(file);
console.log(
  `trace analyze: ${file} (${mb.toFixed(0)} MB)${mb < 200 ? ' — small input: a smoke run, not a measurement' : ''}`,
);

const naiveScript = join(OUT, 'trace-analyze-naive.mjs');
writeFileSync(
  naiveScript,
  `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
// The obvious loop: readline and one regex per line for task, pid, CPU, flags, time, event, payload.
const RE = /^\\s*(.+)-(\\d+)\\s+(?:\\(\\s*[\\d-]+\\)\\s+)?\\[(\\d+)\\]\\s+(?:(\\S+)\\s+)?(\\d+)\\.(\\d+):\\s+([\\w.]+):\\s+(.*)$/;
let n = 0;
const rl = createInterface({ input: createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
for await (const line of rl) if (RE.test(line)) n++;
console.error(JSON.stringify({ events: n }));
`,
);

const results = [];
const wc = row('wc -l', measure('wc', ['-l', file]), mb);
results.push(wc);
const naive = row('naive readline + regex', measure(process.execPath, [naiveScript, file]), mb, wc);
results.push(naive);
const [cmd, args] = cli(['trace', 'analyze', '--json', file]);
const runs = [
  ['lockscope trace analyze (1 core)', '0'],
  // one worker thread, and the main thread parsing its share too: two busy threads
  ['lockscope trace analyze (2 cores)', process.env.LOCKSCOPE_TRACE_WORKERS || '1'],
];
for (const [name, workers] of runs) {
  const m = measure(cmd, args, { env: { ...process.env, LOCKSCOPE_TRACE_WORKERS: workers } });
  if (m.status !== 0) {
    console.log(`  ${name} failed (exit ${m.status}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    process.exit(1);
  }
  const r = row(name, m, mb, naive);
  results.push({ ...r, workers: Number(workers) });
  if (m.cpuSeconds !== null)
    console.log(
      `    CPU ${m.cpuSeconds.toFixed(2)} s (${(mb / m.cpuSeconds).toFixed(0)} MB per CPU-second);` +
        ` target: >= 300 MB/s (${(r.rate / 300).toFixed(2)}x of it), <= 250 MB RSS` +
        ` (${r.rssMB === null ? 'n/a' : `${r.rssMB.toFixed(0)} MB`}); ${(r.rate / naive.rate).toFixed(2)}x the naive loop`,
    );
}
// One core strictly: the naive loop and the analysis both on CPU 0 alone (above, V8's helper
// threads may use the other core).
const pinnedNaive = pinned(process.execPath, [naiveScript, file]);
const pinnedAnalyze = pinned(cmd, args);
if (pinnedNaive && pinnedAnalyze) {
  const n = row('naive loop, on CPU 0 alone', measure(...pinnedNaive), mb, wc);
  const env = { ...process.env, LOCKSCOPE_TRACE_WORKERS: '0' };
  const r = row('trace analyze, on CPU 0 alone', measure(...pinnedAnalyze, { env }), mb, n);
  console.log(`    ${(r.rate / n.rate).toFixed(2)}x the naive loop on one core`);
  results.push({ ...n, pinned: true }, { ...r, workers: 0, pinned: true });
}
writeFileSync(join(OUT, 'trace-analyze.json'), `${JSON.stringify({ file, mb, results }, null, 2)}\n`);

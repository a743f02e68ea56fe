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
// CPU seconds (user + system, all threads) are printed next to the wall time. LOCKSCOPE_BENCH_ROUNDS
// rounds (default 3), each the naive loop then lockscope; the summary compares medians.
// Needs `npm run build` first. Never run while a kernel build or QEMU shares the machine.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildShiftedTrace,
  cli,
  measure,
  OUT,
  pinned,
  ROOT,
  ROUNDS,
  row,
  Series,
  SHARED,
  sizeMB,
} from './lib.mjs';

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

// Each round measures the naive loop and then lockscope, so both see the machine in the same
// state; the summary compares medians (the machine's speed drifts between runs, and the naive
// loop's own time moved by up to 1.2x within a session).
const results = [];
const wc = row('wc -l', measure('wc', ['-l', file]), mb);
results.push(wc);
const [cmd, args] = cli(['trace', 'analyze', '--json', file]);
const pinnedNaive = pinned(process.execPath, [naiveScript, file]);
const pinnedAnalyze = pinned(cmd, args);
const env = (workers) => ({ env: { ...process.env, LOCKSCOPE_TRACE_WORKERS: workers } });
const twoCores = process.env.LOCKSCOPE_TRACE_WORKERS || '1';
const series = new Series();
function record(key, r) {
  results.push({ ...r, key });
  return series.record(key, r);
}
function analyze(name, m, baseline) {
  if (m.status !== 0) {
    console.log(`  ${name} failed (exit ${m.status}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    process.exit(1);
  }
  return row(name, m, mb, baseline);
}
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`  round ${round} of ${ROUNDS}`);
  const naive = record(
    'naive',
    row('naive readline + regex', measure(process.execPath, [naiveScript, file]), mb, wc),
  );
  // one thread parses the text straight into lock-event columns and analyzes them
  record('one', analyze('lockscope trace analyze (1 core)', measure(cmd, args, env('0')), naive));
  // one worker thread, and the main thread parsing its share too: two busy threads
  record('two', analyze('lockscope trace analyze (2 cores)', measure(cmd, args, env(twoCores)), naive));
  // One core strictly: both programs on CPU 0 alone (above, V8's helper threads may use the other core).
  if (pinnedNaive && pinnedAnalyze) {
    const n = record('naive0', row('naive loop, on CPU 0 alone', measure(...pinnedNaive), mb, wc));
    record('one0', analyze('trace analyze, on CPU 0 alone', measure(...pinnedAnalyze, env('0')), n));
  }
}
const summary = {};
console.log(`  medians of ${ROUNDS} rounds:`);
for (const [key, label, base] of [
  ['one', 'one thread (LOCKSCOPE_TRACE_WORKERS=0)', 'naive'],
  ['two', `both cores (LOCKSCOPE_TRACE_WORKERS=${twoCores})`, 'naive'],
  ['one0', 'on CPU 0 alone, one thread', 'naive0'],
]) {
  const xs = series.get(key);
  const bs = series.get(base);
  if (!xs || !bs) continue;
  const { seconds: secs, cpuSeconds: cpu, rssMB: rss } = series.summary(key);
  const baseSecs = series.summary(base).seconds;
  const perRound = xs.map((x, i) => bs[i].seconds / x.seconds);
  summary[key] = {
    seconds: secs,
    baseline: baseSecs,
    ratio: baseSecs / secs,
    perRound,
    rssMB: rss,
    cpuSeconds: cpu,
  };
  console.log(
    `    ${label}: ${secs.toFixed(2)} s (${(mb / secs).toFixed(0)} MB/s, ${cpu.toFixed(2)} CPU-s, max RSS ${rss.toFixed(0)} MB)` +
      ` against the naive loop's ${baseSecs.toFixed(2)} s: ${(baseSecs / secs).toFixed(2)}x` +
      ` (rounds: ${perRound.map((r) => r.toFixed(2)).join(', ')}); target >= 300 MB/s (about 2x that loop), <= 250 MB RSS`,
  );
}
writeFileSync(
  join(OUT, 'trace-analyze.json'),
  `${JSON.stringify({ file, mb, rounds: ROUNDS, summary, results }, null, 2)}\n`,
);

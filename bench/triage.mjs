// Triage throughput on large console logs built from real logs, against `wc -l` and a plain
// readline loop over the same file; `lockscope --version` start-up time; and what every run pays
// once, a small real log triaged on CPU 0 alone next to `node -e 0` there. Three logs, by how
// many reports they hold:
//   dense: the syzkaller suite's logs (when ../shared is there) and the lab's splats, one after
//          the other: a crash report every ~4 KB;
//   boots: the lab's five real lockdep boots (fixtures/console/lab-6.1/*/dmesg.txt, one splat
//          each, the whole boot log around it), one after the other: a report every ~22 KB, a lab
//          that re-runs a lockdep kernel and keeps its console;
//   clean: the lab's clean lockdep virtio-gpu boot repeated: no report, what a long serial log
//          mostly is;
//   and the boots log again at LOCKSCOPE_BENCH_LARGE_MB (default 1000; 0: not), on CPU 0 alone.
// LOCKSCOPE_BENCH_ROUNDS rounds (default 3), each the readline loop then lockscope on each log, so
// both see the machine in the same state (on CPU 0 alone, against the loop on CPU 0 alone); the
// summary compares medians (the machine's speed drifts between runs by up to 1.7x). Size:
// LOCKSCOPE_BENCH_MB (default 300). Summary: bench/out/triage.json.
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cli,
  measure,
  median,
  OUT,
  pinned,
  ROOT,
  ROUNDS,
  realConsoleLogs,
  row,
  Series,
  sizeMB,
} from './lib.mjs';

const target = Number(process.env.LOCKSCOPE_BENCH_MB ?? 300);
// The boots log again at this size (0: not), on CPU 0 alone: what every run pays once (start-up,
// the first MBs through cold code, TurboFan's compiling on the same core) weighs less there.
const large = Number(process.env.LOCKSCOPE_BENCH_LARGE_MB ?? 1000);

/** `logs` one after the other, over and over, to `mb` MB (made once, kept in bench/out). */
async function repeated(file, logs, mb = target) {
  if (existsSync(file)) return file;
  if (logs.length === 0) throw new Error(`no source logs for ${file}`);
  const out = createWriteStream(file);
  for (let i = 0, written = 0; written < mb * 1024 * 1024; i++) {
    const b = logs[i % logs.length];
    if (!out.write(b)) await new Promise((r) => out.once('drain', r));
    written += b.length;
  }
  await new Promise((r) => out.end(r));
  return file;
}

const labBoots = () => {
  const dir = join(ROOT, 'fixtures', 'console', 'lab-6.1');
  return readdirSync(dir)
    .sort()
    .map((d) => join(dir, d, 'dmesg.txt'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
};
const cleanBoot = () => [
  readFileSync(join(ROOT, 'fixtures', 'triage', 'lockdep-6.1-virtio-gpu', 'dmesg.txt')),
];

const logs = [
  {
    key: 'dense',
    what: 'the syzkaller logs and the lab splats: a crash every ~4 KB',
    file: await repeated(join(OUT, `console-${target}MB.log`), realConsoleLogs()),
    modes: ['--group', '--json'],
  },
  {
    key: 'boots',
    what: "the lab's five splat boots one after the other: a report every ~22 KB",
    file: await repeated(join(OUT, `console-lab-boots-${target}MB.log`), labBoots()),
    modes: ['--group', '--json', 'pinned'],
  },
  ...(large > 0
    ? [
        {
          key: `boots ${large}`,
          what: `the boots log again, ${large} MB`,
          file: await repeated(join(OUT, `console-lab-boots-${large}MB.log`), labBoots(), large),
          modes: ['pinned'],
        },
      ]
    : []),
  {
    key: 'clean',
    what: "the lab's clean lockdep dmesg repeated: no report",
    file: await repeated(join(OUT, `console-real-${target}MB.log`), cleanBoot()),
    modes: ['--group', 'pinned'],
  },
];

const loop = join(OUT, 'readline-loop.mjs');
writeFileSync(
  loop,
  "import { createReadStream } from 'node:fs';\nimport { createInterface } from 'node:readline';\n" +
    'let n = 0; for await (const l of createInterface({ input: createReadStream(process.argv[2]) })) if (l.includes("WARNING")) n++;\nconsole.log(n);\n',
);

const series = new Series();
for (const log of logs) {
  log.mb = sizeMB(log.file);
  row(`wc -l, ${log.key} (${log.mb.toFixed(0)} MB)`, measure('wc', ['-l', log.file]), log.mb);
}
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round} of ${ROUNDS}`);
  for (const log of logs) {
    console.log(`  ${log.key}: ${log.file} (${log.mb.toFixed(0)} MB, ${log.what})`);
    const rl = series.record(
      `${log.key} readline`,
      row('node readline loop', measure('node', [loop, log.file]), log.mb),
    );
    for (const mode of log.modes) {
      const [cmd, args] = cli(['triage', mode === 'pinned' ? '--group' : mode, log.file]);
      const run = mode === 'pinned' ? pinned(cmd, args) : [cmd, args];
      if (!run) continue;
      // On one core, against the readline loop on that core, run just before.
      const base =
        mode === 'pinned'
          ? series.record(
              `${log.key} readline pinned`,
              row('node readline loop, on CPU 0 alone', measure(...pinned('node', [loop, log.file])), log.mb),
            )
          : rl;
      const name = mode === 'pinned' ? 'triage --group, on CPU 0 alone' : `lockscope triage ${mode}`;
      series.record(`${log.key} ${mode}`, row(name, measure(...run), log.mb, { ...base, name: 'readline' }));
    }
  }
}

const summary = {};
console.log(`medians of ${ROUNDS} rounds (target: >= 100 MB/s on one core, peak RSS < 200 MB):`);
for (const log of logs) {
  for (const mode of log.modes) {
    const s = series.summary(`${log.key} ${mode}`);
    if (!s) continue;
    const baseline = mode === 'pinned' ? `${log.key} readline pinned` : `${log.key} readline`;
    const rlSecs = series.summary(baseline).seconds;
    const rlRuns = series.get(baseline);
    const { seconds: secs, cpuSeconds: cpu, rssMB: rss, fastestSeconds: best } = s;
    // Each round's time over the readline loop's in the same round: the machine drifts less within one.
    const paired = median(series.get(`${log.key} ${mode}`).map((r, i) => r.seconds / rlRuns[i].seconds));
    summary[`${log.key} ${mode}`] = { ...s, mbps: log.mb / secs, readline: rlSecs, pairedRatio: paired };
    console.log(
      `  ${`${log.key} ${mode}`.padEnd(14)} ${secs.toFixed(2)} s, ${(log.mb / secs).toFixed(1)} MB/s ` +
        `(fastest round ${(log.mb / best).toFixed(1)}), ${cpu.toFixed(2)} CPU-s, max RSS ${rss.toFixed(0)} MB; ` +
        `readline ${rlSecs.toFixed(2)} s (${(log.mb / rlSecs).toFixed(0)} MB/s): ${(secs / rlSecs).toFixed(2)}x ` +
        `its time, ${paired.toFixed(2)}x round by round`,
    );
  }
}

/** The median wall time of three runs (start-up figures: one run is too short to say). */
const medianOf3 = (cmd, args) => median([1, 2, 3].map(() => measure(cmd, args).seconds));
const ms = (seconds) => `${(seconds * 1000).toFixed(0)} ms`;

const v = medianOf3(...cli(['--version']));
console.log(`lockscope --version: ${ms(v)} (median of 3; target < 300 ms)`);
summary.version = { seconds: v };

// What every run pays once, on CPU 0 alone: node's start, oclif's and ours, and the cold code of a
// small real log (the lab's v5 splat boot), next to node's own start there.
const small = join(ROOT, 'fixtures', 'runs', 'v5', 'dmesg.txt');
const smallArgs = cli(['triage', '--group', small]);
const where = pinned(...smallArgs) ? 'on CPU 0 alone' : 'on every core (no taskset)';
const onOneCore = (cmd, args) => medianOf3(...(pinned(cmd, args) ?? [cmd, args]));
const smallRun = onOneCore(...smallArgs);
const nodeRun = onOneCore('node', ['-e', '0']);
console.log(
  `lockscope triage --group of the lab's v5 dmesg (${(statSync(small).size / 1024).toFixed(0)} KB), ${where}: ` +
    `${ms(smallRun)} (median of 3; node -e 0 there: ${ms(nodeRun)})`,
);
summary.smallLog = { seconds: smallRun, nodeSeconds: nodeRun };
writeFileSync(join(OUT, 'triage.json'), `${JSON.stringify(summary, null, 2)}\n`);

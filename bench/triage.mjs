// Triage throughput on a large console log built from real logs (the lab's own, plus the
// syzkaller suite when ../shared is there), against `wc -l` and a plain readline loop over
// the same file, and `lockscope --version` start-up time.
// Size: LOCKSCOPE_BENCH_MB (default 300).
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, OUT, pinned, ROOT, realConsoleLogs, row, sizeMB } from './lib.mjs';

const target = Number(process.env.LOCKSCOPE_BENCH_MB ?? 300);
const file = join(OUT, `console-${target}MB.log`);

if (!existsSync(file)) {
  const logs = realConsoleLogs();
  if (logs.length === 0) throw new Error('no source logs (fixtures/console/lab-6.1 or ../shared)');
  const out = createWriteStream(file);
  let written = 0;
  for (let i = 0; written < target * 1024 * 1024; i++) {
    const b = logs[i % logs.length];
    if (!out.write(b)) await new Promise((r) => out.once('drain', r));
    written += b.length;
  }
  await new Promise((r) => out.end(r));
}

const mb = sizeMB(file);
console.log(`triage on ${file} (${mb.toFixed(0)} MB)`);
const wc = row('wc -l (baseline)', measure('wc', ['-l', file]), mb);
const loop = join(OUT, 'readline-loop.mjs');
await import('node:fs').then((fs) =>
  fs.writeFileSync(
    loop,
    "import { createReadStream } from 'node:fs';\nimport { createInterface } from 'node:readline';\n" +
      'let n = 0; for await (const l of createInterface({ input: createReadStream(process.argv[2]) })) if (l.includes("WARNING")) n++;\nconsole.log(n);\n',
  ),
);
const rl = row('node readline loop (baseline)', measure('node', [loop, file]), mb);
const [node, args] = cli(['triage', '--json', file]);
const t = row('lockscope triage --json', measure(node, args), mb, { ...rl, name: 'readline' });
const [n2, a2] = cli(['triage', '--group', file]);
row('lockscope triage --group', measure(n2, a2), mb, { ...rl, name: 'readline' });
console.log(
  `  triage rate is ${(t.rate / wc.rate).toFixed(3)} of wc -l, ${(t.rate / rl.rate).toFixed(2)} of readline`,
);

// A long real console: the lab's clean lockdep boot with virtio-gpu (no report in it) repeated
// to the same size: what a maintainer's serial log mostly is, next to the bench log above,
// which holds a crash every few KB.
const real = join(OUT, `console-real-${target}MB.log`);
if (!existsSync(real)) {
  const dmesg = join(ROOT, 'fixtures', 'triage', 'lockdep-6.1-virtio-gpu', 'dmesg.txt');
  const b = readFileSync(dmesg);
  const out = createWriteStream(real);
  for (let written = 0; written < target * 1024 * 1024; written += b.length)
    if (!out.write(b)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}
const realMB = sizeMB(real);
console.log(`triage on ${real} (${realMB.toFixed(0)} MB, the lab's clean lockdep dmesg repeated)`);
const rl2 = row('node readline loop (baseline)', measure('node', [loop, real]), realMB);
const [n4, a4] = cli(['triage', '--group', real]);
row('lockscope triage --group', measure(n4, a4), realMB, { ...rl2, name: 'readline' });
// one core strictly: on CPU 0 alone (above, V8's helper threads may use the other core)
const pinnedTriage = pinned(n4, a4);
if (pinnedTriage) row('triage --group, on CPU 0 alone', measure(...pinnedTriage), realMB);

// The lab's reboots: each of its five real lockdep boots (fixtures/console/lab-6.1/*/dmesg.txt, one
// splat each, the whole boot log around it) after the other, repeated to the same size: a lab
// that re-runs a lockdep kernel and keeps its console, a report every ~22 KB.
const boots = join(OUT, `console-lab-boots-${target}MB.log`);
if (!existsSync(boots)) {
  const dir = join(ROOT, 'fixtures', 'console', 'lab-6.1');
  const logs = readdirSync(dir)
    .sort()
    .map((d) => join(dir, d, 'dmesg.txt'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
  const out = createWriteStream(boots);
  for (let i = 0, written = 0; written < target * 1024 * 1024; i++) {
    const b = logs[i % logs.length];
    if (!out.write(b)) await new Promise((r) => out.once('drain', r));
    written += b.length;
  }
  await new Promise((r) => out.end(r));
}
const bootsMB = sizeMB(boots);
console.log(`triage on ${boots} (${bootsMB.toFixed(0)} MB, the lab's five splat boots one after the other)`);
const rl3 = row('node readline loop (baseline)', measure('node', [loop, boots]), bootsMB);
const [n5, a5] = cli(['triage', '--group', boots]);
row('lockscope triage --group', measure(n5, a5), bootsMB, { ...rl3, name: 'readline' });
const [n6, a6] = cli(['triage', '--json', boots]);
row('lockscope triage --json', measure(n6, a6), bootsMB, { ...rl3, name: 'readline' });
const pinnedBoots = pinned(n5, a5);
if (pinnedBoots) row('triage --group, on CPU 0 alone', measure(...pinnedBoots), bootsMB);

const [n3, a3] = cli(['--version']);
const v = [1, 2, 3].map(() => measure(n3, a3).seconds).sort((a, b) => a - b)[1];
console.log(`  lockscope --version: ${(v * 1000).toFixed(0)} ms (median of 3)`);

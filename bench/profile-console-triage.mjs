// Scratch profile of the console-log parser alone: CPU time (process.cpuUsage, so a QEMU run
// sharing the machine does not skew it) of an in-process loop pushing a big Buffer through
// ConsoleLogParser in 1 MiB chunks, next to a naive line loop (decode + split + one includes)
// measured the same way in the same run. Two inputs:
//   dense: the lab's splats and the syzkaller suite's logs concatenated (a crash every few KB)
//   noise: the lab's clean lockdep-6.1-virtio-gpu dmesg.txt repeated (a real long dmesg)
// Rounds alternate the programs; the best round counts. Several builds (e.g. a copy of dist/ made
// before a change, and dist/ after it) are measured in the same process, round after round.
//
//   node bench/profile-console-triage.mjs [path/to/console/index.js ...] (default: dist/…/index.js)
//   node --cpu-prof bench/profile-console-triage.mjs                     (hot spots)
// Env: LOCKSCOPE_PROFILE_MB (default 50) per input, LOCKSCOPE_PROFILE_ROUNDS (default 2),
//      LOCKSCOPE_PROFILE_INPUTS (default "dense,noise").
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, realConsoleLogs, SHARED } from './lib.mjs';

const targetMB = Number(process.env.LOCKSCOPE_PROFILE_MB ?? 50);
const rounds = Number(process.env.LOCKSCOPE_PROFILE_ROUNDS ?? 2);
const wanted = (process.env.LOCKSCOPE_PROFILE_INPUTS ?? 'dense,noise').split(',');
const CHUNK = 1 << 20;
const modPaths =
  process.argv.length > 2 ? process.argv.slice(2) : [join(ROOT, 'dist/ingest/console/index.js')];
const builds = [];
for (const p of modPaths) {
  const { ConsoleLogParser } = await import(pathToFileURL(resolve(p)).href);
  builds.push({ name: modPaths.length > 1 ? p : 'ConsoleLogParser', ConsoleLogParser });
}

const dense = realConsoleLogs;

function noise() {
  const p = SHARED && join(SHARED, 'corpus/lab-6.1/lockdep-6.1-virtio-gpu/dmesg.txt');
  const q = join(ROOT, 'fixtures/bisect/clean-boot/dmesg.txt');
  return [readFileSync(p && existsSync(p) ? p : q)];
}

/** The logs concatenated and repeated to targetMB, as one Buffer. */
function build(logs) {
  const parts = [];
  let n = 0;
  for (let i = 0; n < targetMB * 1048576; i++) {
    const b = logs[i % logs.length];
    parts.push(b);
    n += b.length;
  }
  return Buffer.concat(parts);
}

function cpu(fn) {
  const u0 = process.cpuUsage();
  const r = fn();
  const u = process.cpuUsage(u0);
  return { seconds: (u.user + u.system) / 1e6, r };
}

function naive(buf) {
  const dec = new TextDecoder();
  let tail = '';
  let n = 0;
  for (let i = 0; i < buf.length; i += CHUNK) {
    const text = tail + dec.decode(buf.subarray(i, i + CHUNK), { stream: true });
    let start = 0;
    for (let j = text.indexOf('\n'); j !== -1; j = text.indexOf('\n', start)) {
      if (text.slice(start, j).includes('WARNING')) n++;
      start = j + 1;
    }
    tail = text.slice(start);
  }
  return n;
}

function parse(buf, ConsoleLogParser) {
  const p = new ConsoleLogParser({ path: 'bench' });
  let n = 0;
  for (let i = 0; i < buf.length; i += CHUNK) n += p.push(buf.subarray(i, i + CHUNK)).length;
  n += p.end().length;
  p.verdict();
  return n;
}

for (const name of wanted) {
  const buf = name === 'dense' ? build(dense()) : build(noise());
  const mb = buf.length / 1048576;
  let bestNaive = Infinity;
  const best = builds.map(() => Infinity);
  let reports = 0;
  for (let r = 0; r < rounds; r++) {
    bestNaive = Math.min(bestNaive, cpu(() => naive(buf)).seconds);
    builds.forEach((b, i) => {
      const p = cpu(() => parse(buf, b.ConsoleLogParser));
      reports = p.r;
      best[i] = Math.min(best[i], p.seconds);
    });
  }
  const rates = best.map((s) => mb / s);
  console.log(
    `${name}: ${mb.toFixed(0)} MB, ${reports} reports | naive line loop ${(mb / bestNaive).toFixed(0)} MB/s` +
      builds
        .map(
          (b, i) =>
            ` | ${b.name} ${rates[i].toFixed(1)} MB/s (${((rates[i] / (mb / bestNaive)) * 100).toFixed(0)}% of naive)`,
        )
        .join(''),
  );
}

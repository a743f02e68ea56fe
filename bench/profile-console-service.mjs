// Scratch profile of `triage` as the command runs it, in process: triageInputs (file read through
// openInput, one reused buffer, the parser, each report handed on) over a console log on disk,
// CPU time by process.cpuUsage (all threads, GC included), several builds alternating round after
// round in one process. Unlike profile-console-triage.mjs (a Buffer in memory pushed in 1 MiB
// subarrays, no report kept), this is the path whose memory and GC the CLI sees.
//
//   node bench/profile-console-service.mjs FILE [path/to/dist ...]      (default: dist/)
// Env: LOCKSCOPE_PROFILE_ROUNDS (default 2).
// Peak RSS is the CLI's to measure (one process per build):
//   /usr/bin/time -f "%U u %M KB" node bin/run.js triage --group FILE > /dev/null
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.mjs';

const [file, ...dists] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/profile-console-service.mjs FILE [dist ...]');
const rounds = Number(process.env.LOCKSCOPE_PROFILE_ROUNDS ?? 2);
const mb = statSync(file).size / 1048576;
const builds = [];
for (const d of dists.length > 0 ? dists : [join(ROOT, 'dist')]) {
  const { triageInputs } = await import(pathToFileURL(resolve(d, 'services/triage.js')).href);
  builds.push({ name: d, triageInputs, best: 0 });
}
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    let reports = 0;
    const t0 = process.cpuUsage();
    await b.triageInputs([file], { known: null, onReport: () => reports++ });
    const u = process.cpuUsage(t0);
    const rate = mb / ((u.user + u.system) / 1e6);
    b.best = Math.max(b.best, rate);
    console.log(`round ${r + 1} ${b.name}: ${rate.toFixed(1)} MB/s CPU, ${reports} reports`);
  }
}
console.log(
  `${file} (${mb.toFixed(0)} MB), best of ${rounds}: ${builds.map((b) => `${b.name} ${b.best.toFixed(1)} MB/s`).join(' | ')}`,
);

// Shared helpers for the benchmarks (`npm run bench`): timing and peak RSS of a command,
// figures printed next to baselines measured in the same run. Never run while a kernel
// build or QEMU shares the machine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'bench', 'out');
export const SHARED = existsSync(join(ROOT, '..', 'shared', 'corpus')) ? join(ROOT, '..', 'shared') : null;
mkdirSync(OUT, { recursive: true });

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command (stdout discarded), returning wall seconds and peak RSS in MB (null if unknown). */
export function measure(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%M', cmd, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        ...options,
      })
    : spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...options });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const kb = TIME ? Number(/(\d+)\s*$/.exec(r.stderr ?? '')?.[1]) : Number.NaN;
  return { seconds, rssMB: Number.isFinite(kb) ? kb / 1024 : null, status: r.status, stderr: r.stderr };
}

export function cli(args) {
  return ['node', [join(ROOT, 'bin', 'run.js'), ...args]];
}

export function sizeMB(path) {
  return statSync(path).size / (1024 * 1024);
}

/** One aligned row: name, seconds, MB/s, RSS, ratio to the baseline. */
export function row(name, m, mb, baseline) {
  const rate = mb / m.seconds;
  const ratio = baseline ? ` ${(m.seconds / baseline.seconds).toFixed(2)}x time of ${baseline.name}` : '';
  const rss = m.rssMB === null ? '   n/a' : `${m.rssMB.toFixed(0).padStart(6)}`;
  console.log(
    `  ${name.padEnd(34)} ${m.seconds.toFixed(2).padStart(7)} s ${rate.toFixed(1).padStart(8)} MB/s ${rss} MB RSS${ratio}`,
  );
  return { name, ...m, rate };
}

// Shared helpers for the benchmarks (`npm run bench`): timing and peak RSS of a command,
// figures printed next to baselines measured in the same run. Never run while a kernel
// build or QEMU shares the machine.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'bench', 'out');
export const SHARED = existsSync(join(ROOT, '..', 'shared', 'corpus')) ? join(ROOT, '..', 'shared') : null;
mkdirSync(OUT, { recursive: true });

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;

/**
 * [cmd, args] run on CPU 0 alone (`taskset -c 0`): "one core" strictly, V8's helper threads
 * (garbage collection, compilation) included; null without taskset.
 */
export function pinned(cmd, args) {
  return TASKSET ? [TASKSET, ['-c', '0', cmd, ...args]] : null;
}

/**
 * Reads through every argument that names a regular file of 1 MiB or more, so that the
 * measured run finds it in the page cache. This machine's DAMON reclaim (kdamond) evicts idle
 * page cache between runs: a run that found its input evicted measured up to 2.5x slower
 * (the 394 MB trace.dat 24.7 s against 9.5 s; `wc -l` on the 1 GB text 1.57 s against 0.25 s).
 */
function warm(args) {
  const buf = Buffer.allocUnsafe(8 << 20);
  for (const a of args) {
    let st;
    try {
      st = statSync(a);
    } catch {
      continue;
    }
    if (!st.isFile() || st.size < 1 << 20) continue;
    const fd = openSync(a, 'r');
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Runs a command, returning wall seconds, CPU seconds (user + system, all threads) and peak
 * RSS in MB (both null without /usr/bin/time), exit status, stderr, and stdout when
 * `keepStdout` (else it is discarded). Other options go to spawnSync (cwd, env). Its input
 * files are read through first, outside the timing (see `warm`).
 */
export function measure(cmd, args, { keepStdout = false, ...options } = {}) {
  warm(args);
  const spawnOptions = {
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
    encoding: 'utf8',
    ...options,
  };
  const t0 = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%U %S %M', cmd, ...args], spawnOptions)
    : spawnSync(cmd, args, spawnOptions);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = TIME ? /([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '') : null;
  return {
    seconds,
    cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null,
    rssMB: m ? Number(m[3]) / 1024 : null,
    status: r.status,
    stderr: r.stderr ?? '',
    stdout: r.stdout ?? '',
  };
}

/** Files under `dir` (recursively) whose name `wanted` accepts; [] when `dir` is absent. */
export function filesUnder(dir, wanted) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, wanted));
    else if (wanted(e.name)) out.push(p);
  }
  return out.sort();
}

export function cli(args) {
  return [join(ROOT, 'bin', 'run.js'), args];
}

/** Rounds of a bench that measures the baseline and lockscope in turn (LOCKSCOPE_BENCH_ROUNDS, default 3). */
export const ROUNDS = Math.max(1, Number(process.env.LOCKSCOPE_BENCH_ROUNDS ?? 3));

/** The median of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Measurements by key, one per round (what the summaries take medians of). */
export class Series {
  byKey = new Map();

  /** Keeps r under key and returns it. */
  record(key, r) {
    if (!this.byKey.has(key)) this.byKey.set(key, []);
    this.byKey.get(key).push(r);
    return r;
  }

  get(key) {
    return this.byKey.get(key);
  }

  /**
   * Medians of wall and CPU seconds, the fastest run's seconds, and the peak RSS, of the runs under
   * key (undefined: none).
   */
  summary(key) {
    const xs = this.byKey.get(key);
    if (!xs) return undefined;
    return {
      seconds: median(xs.map((x) => x.seconds)),
      fastestSeconds: Math.min(...xs.map((x) => x.seconds)),
      cpuSeconds: median(xs.map((x) => x.cpuSeconds ?? Number.NaN)),
      rssMB: Math.max(...xs.map((x) => x.rssMB ?? 0)),
    };
  }
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

// `          insmod-128     [000] ...2.     4.063682: lock_acquire: …` → prefix, seconds, micros
const TRACE_TS = /^(.*?\]\s+\S+\s+)(\d+)\.(\d{6}): /;

/**
 * Writes a text trace of at least `targetMB` MB to `file`: the event lines of the given real
 * traces (.gz ok), repeated, each pass shifted in time past the previous one so timestamps stay
 * ordered and spans stay paired; the first trace's `#` header on top.
 */
export async function buildShiftedTrace(file, targetMB, paths) {
  const sources = paths.filter(existsSync).map((p) => {
    const b = readFileSync(p);
    return (p.endsWith('.gz') ? gunzipSync(b) : b).toString('utf8').split('\n');
  });
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  await write(`${sources[0].filter((l) => l.startsWith('#')).join('\n')}\n`);
  let written = 0;
  let offset = 0;
  while (written < targetMB * 1024 * 1024) {
    for (const lines of sources) {
      let maxSec = offset;
      const parts = [];
      for (const line of lines) {
        const m = line.startsWith('#') ? null : TRACE_TS.exec(line);
        if (!m) continue;
        const sec = Number(m[2]) + offset;
        if (sec > maxSec) maxSec = sec;
        parts.push(`${m[1]}${sec}.${m[3]}: ${line.slice(m[0].length)}`);
      }
      const chunk = `${parts.join('\n')}\n`;
      written += Buffer.byteLength(chunk);
      await write(chunk);
      offset = maxSec + 1;
    }
  }
  await new Promise((r) => out.end(r));
  renameSync(tmp, file);
}

/** Real console logs: the lab's splats, and the syzkaller suite's logs (headers cut) when ../shared is there. */
export function realConsoleLogs() {
  const logs = [];
  const lab = join(ROOT, 'fixtures', 'console', 'lab-6.1');
  if (existsSync(lab)) for (const d of readdirSync(lab)) logs.push(readFileSync(join(lab, d, 'dmesg.txt')));
  if (SHARED) {
    const suite = join(SHARED, 'corpus', 'syzkaller', 'linux-report');
    for (const n of readdirSync(suite).filter((n) => /^\d+$/.test(n))) {
      const s = readFileSync(join(suite, n));
      const blank = s.indexOf('\n\n');
      logs.push(blank < 0 ? s : s.subarray(blank + 2));
    }
  }
  return logs;
}

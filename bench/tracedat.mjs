// trace.dat reading speed and memory against `trace-cmd report > /dev/null` on the same file:
// the reader alone (every event decoded), and `lockscope trace analyze --json`.
// File: LOCKSCOPE_TRACEDAT, else the largest *.dat under lab/out/ (the lab leaves one ≥ 100 MB
// there), else the small v7 file of ../shared/corpus/lab-6.1 (a smoke run: figures mean little).
// Target: analyze ≥ 20× faster than trace-cmd report with ≤ 1/10 of its peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, OUT, ROOT, row, SHARED, sizeMB } from './lib.mjs';

function largestDat(dir) {
  if (!existsSync(dir)) return null;
  let best = null;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.dat') && (!best || statSync(p).size > statSync(best).size)) best = p;
    }
  };
  walk(dir);
  return best;
}

const file =
  process.env.LOCKSCOPE_TRACEDAT ??
  largestDat(join(ROOT, 'lab', 'out')) ??
  (SHARED ? join(SHARED, 'corpus', 'lab-6.1', 'debian-6.1-virtio-gpu', 'B-events.trace.dat') : null);
if (!file || !existsSync(file)) {
  console.log('no trace.dat to read (set LOCKSCOPE_TRACEDAT)');
  process.exit(0);
}
const mb = sizeMB(file);
console.log(
  `trace.dat on ${file} (${mb.toFixed(1)} MB)${mb < 100 ? ' — small file: a smoke run, not a measurement' : ''}`,
);

// the reader alone: decode every event, count them
const readerScript = join(OUT, 'tracedat-reader.mjs');
writeFileSync(
  readerScript,
  `import { readTraceDat } from ${JSON.stringify(join(ROOT, 'dist', 'ingest', 'tracedat', 'index.js'))};\n` +
    'const diagnostics = []; let n = 0;\n' +
    'for await (const batch of readTraceDat(process.argv[2], diagnostics)) n += batch.length;\n' +
    'console.log(n, diagnostics.length);\n',
);

const hasTraceCmd = spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' }).status !== null;
if (!hasTraceCmd) console.log('  trace-cmd not installed: no baseline (apt-get install trace-cmd)');
const report = hasTraceCmd
  ? row('trace-cmd report > /dev/null', measure('trace-cmd', ['report', '-i', file]), mb)
  : null;
const base = report ? { ...report, name: 'trace-cmd report' } : undefined;
const reader = row('readTraceDat (all events decoded)', measure('node', [readerScript, file]), mb, base);
const [node, args] = cli(['trace', 'analyze', '--json', file]);
const analyze = row('lockscope trace analyze --json', measure(node, args), mb, base);
if (report) {
  for (const m of [reader, analyze]) {
    const speed = report.seconds / m.seconds;
    const mem = m.rssMB && report.rssMB ? m.rssMB / report.rssMB : null;
    console.log(
      `  ${m.name}: ${speed.toFixed(1)}× faster than trace-cmd report (target ≥ 20×), ` +
        `${mem === null ? 'n/a' : mem.toFixed(3)} of its peak RSS (target ≤ 0.1)`,
    );
  }
}
if (analyze.status !== 0)
  console.log(`  trace analyze exited ${analyze.status}: ${analyze.stderr.trim().slice(-300)}`);

// Scratch profile of the ftrace text parser alone: CPU time (process.cpuUsage, so a QEMU run
// sharing the machine does not skew it) of an in-process loop over real lab traces held in
// memory, repeated to LOCKSCOPE_PROFILE_MB (default 200), next to a naive readline + regex loop
// measured the same way in the same run. Rounds alternate the programs; the best round counts.
//
//   node bench/profile-ftrace-text.mjs [path/to/text-parser.js ...]   (default: dist/…/text-parser.js)
//   node --cpu-prof bench/profile-ftrace-text.mjs --no-naive            (hot spots)
//   LOCKSCOPE_PROFILE_ANALYZER=1 …  also times parser + TraceAnalyzer (analyzers/trace of the same build)
//   LOCKSCOPE_PROFILE_PACKED=1 …  also columns with `others` packed + unpacked as range workers hand them over
//   LOCKSCOPE_PROFILE_COLUMNS=only …  only the columns output (lock events as EventColumns rows), for --cpu-prof
// Each build is timed twice: event objects (`push`) and columns (`pushColumns`, what `trace analyze` reads).
//
// Inputs: ../shared/corpus/lab-6.1/lockdep-6.1-virtio-gpu/D-lockdep-events.trace.txt.gz and
// fixtures/runs/v{5,6}/trace.txt.gz when present.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ROOT, SHARED } from './lib.mjs';

const targetMB = Number(process.env.LOCKSCOPE_PROFILE_MB ?? 200);
const rounds = Number(process.env.LOCKSCOPE_PROFILE_ROUNDS ?? 2);
const CHUNK = Number(process.env.LOCKSCOPE_PROFILE_CHUNK ?? 1 << 20);

// LOCKSCOPE_PROFILE_INPUT=path: that text trace instead (e.g. a prefix of bench/out/trace-analyze-1024MB.txt)
const inputs = process.env.LOCKSCOPE_PROFILE_INPUT
  ? [resolve(process.env.LOCKSCOPE_PROFILE_INPUT)]
  : [
      SHARED && join(SHARED, 'corpus/lab-6.1/lockdep-6.1-virtio-gpu/D-lockdep-events.trace.txt.gz'),
      join(ROOT, 'fixtures/runs/v5/trace.txt.gz'),
      join(ROOT, 'fixtures/runs/v6/trace.txt.gz'),
    ].filter((p) => p && existsSync(p));
if (inputs.length === 0) {
  console.log('no lab text traces found');
  process.exit(0);
}
const sources = inputs.map((p) => (p.endsWith('.gz') ? gunzipSync(readFileSync(p)) : readFileSync(p)));
const sourceBytes = sources.reduce((a, b) => a + b.length, 0);
const passes = Math.max(1, Math.round((targetMB * 1024 * 1024) / sourceBytes));
const totalMB = (passes * sourceBytes) / (1024 * 1024);
console.log(
  `inputs: ${inputs.map((p) => p.replace(/^.*\/(corpus|fixtures)\//, '$1/')).join(', ')}` +
    `\n  ${(sourceBytes / 1048576).toFixed(1)} MB × ${passes} passes = ${totalMB.toFixed(0)} MB per program`,
);

/** Every source, `passes` times, in 1 MiB chunks (subarrays: no copy). */
function* chunks() {
  for (let k = 0; k < passes; k++)
    for (const s of sources) for (let i = 0; i < s.length; i += CHUNK) yield s.subarray(i, i + CHUNK);
}

function cpuSeconds(fn) {
  const u0 = process.cpuUsage();
  const r = fn();
  return r.then((n) => {
    const u = process.cpuUsage(u0);
    return { seconds: (u.user + u.system) / 1e6, n };
  });
}

const NAIVE =
  /^\s*(.+)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(?:(\S+)\s+)?(\d+)\.(\d+):\s+([\w.]+):\s+(.*)$/;
async function naive() {
  let n = 0;
  const rl = createInterface({ input: Readable.from(chunks()), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    const m = NAIVE.exec(line);
    if (!m) continue;
    const fields = {};
    for (const kv of m[8].split(' ')) {
      const i = kv.indexOf('=');
      if (i > 0) fields[kv.slice(0, i)] = kv.slice(i + 1);
    }
    n++;
  }
  return n;
}

function columnsRun(FtraceTextParser, ColumnsBuilder, TraceAnalyzer) {
  return async () => {
    const a = TraceAnalyzer ? new TraceAnalyzer({}) : null;
    let n = 0;
    const builder = new ColumnsBuilder();
    const take = (batches) => {
      for (const b of batches) {
        n += b.count;
        a?.push(b);
        builder.recycle?.(b);
      }
    };
    const p = new FtraceTextParser({ columns: builder });
    for (const c of chunks()) take(p.pushColumns(c));
    take(p.endColumns());
    a?.finish();
    return n;
  };
}

/** Columns with their `others` packed and unpacked as the range workers hand them over (no thread). */
function packedRun(FtraceTextParser, ColumnsBuilder, packing) {
  return async () => {
    const p = new FtraceTextParser({ columns: new ColumnsBuilder() });
    const packer = new packing.EventPacker();
    const unpacker = new packing.EventUnpacker();
    let n = 0;
    const take = (batches) => {
      for (const b of batches) {
        n += b.count;
        b.others = unpacker.unpack(packer.pack(b.others));
      }
    };
    for (const c of chunks()) take(p.pushColumns(c));
    take(p.endColumns());
    return n;
  };
}

function parserRun(FtraceTextParser, TraceAnalyzer) {
  return async () => {
    const p = new FtraceTextParser();
    const a = TraceAnalyzer ? new TraceAnalyzer({}) : null;
    let n = 0;
    for (const c of chunks()) {
      const events = p.push(c);
      n += events.length;
      a?.push(events);
    }
    const tail = p.end();
    a?.push(tail);
    a?.finish();
    return n + tail.length;
  };
}

const noNaive = process.argv.includes('--no-naive'); // profile the parser alone
const modules = process.argv.slice(2).filter((a) => a !== '--no-naive');
if (modules.length === 0) modules.push(join(ROOT, 'dist/ingest/ftrace/text-parser.js'));
const programs = noNaive ? [] : [{ name: 'naive readline + regex', run: naive }];
for (const m of modules) {
  const { FtraceTextParser } = await import(pathToFileURL(resolve(m)).href);
  const label = m.replace(/\/ingest\/ftrace\/text-parser\.js$/, '').replace(ROOT, '.');
  const dist = dirname(dirname(dirname(resolve(m))));
  const builder = join(dist, 'ingest/columns-builder.js');
  const { ColumnsBuilder } = existsSync(builder) ? await import(pathToFileURL(builder).href) : {};
  const onlyColumns = process.env.LOCKSCOPE_PROFILE_COLUMNS === 'only' && ColumnsBuilder;
  if (!onlyColumns) programs.push({ name: `FtraceTextParser ${label}`, run: parserRun(FtraceTextParser) });
  if (ColumnsBuilder)
    programs.push({ name: `  columns ${label}`, run: columnsRun(FtraceTextParser, ColumnsBuilder) });
  const packing = join(dist, 'ingest/text-ranges-packing.js');
  if (ColumnsBuilder && process.env.LOCKSCOPE_PROFILE_PACKED && existsSync(packing))
    programs.push({
      name: `  columns, others packed ${label}`,
      run: packedRun(FtraceTextParser, ColumnsBuilder, await import(pathToFileURL(packing).href)),
    });
  // With the trace analyzer next to it (same build): what `trace analyze` does per event.
  const analyzer = join(dist, 'analyzers/trace/trace-analyzer.js');
  if (process.env.LOCKSCOPE_PROFILE_ANALYZER && existsSync(analyzer)) {
    const { TraceAnalyzer } = await import(pathToFileURL(analyzer).href);
    if (!onlyColumns)
      programs.push({ name: `  + TraceAnalyzer ${label}`, run: parserRun(FtraceTextParser, TraceAnalyzer) });
    if (ColumnsBuilder)
      programs.push({
        name: `  columns + TraceAnalyzer ${label}`,
        run: columnsRun(FtraceTextParser, ColumnsBuilder, TraceAnalyzer),
      });
  }
}

const best = new Map();
for (let r = 0; r < rounds; r++) {
  for (const p of programs) {
    const m = await cpuSeconds(p.run);
    const b = best.get(p.name);
    if (!b || m.seconds < b.seconds) best.set(p.name, m);
  }
}
const base = best.get(programs[0].name);
for (const p of programs) {
  const m = best.get(p.name);
  console.log(
    `  ${p.name.padEnd(48)} ${m.seconds.toFixed(2).padStart(6)} s CPU ${(totalMB / m.seconds).toFixed(0).padStart(5)} MB/s` +
      `  ${(base.seconds / m.seconds).toFixed(2)}x ${noNaive ? 'the first' : 'naive'}  (${m.n} events, ` +
      `${((m.seconds * 1e9) / m.n).toFixed(0)} ns each)`,
  );
}

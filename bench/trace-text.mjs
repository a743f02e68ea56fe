// ftrace text parsing speed: FtraceTextParser over a large text trace built from the lab's real
// captures (../shared/corpus/lab-6.1, timestamps shifted so they stay ordered), next to `wc -l`
// and a naive readline + per-line regex parser measured in the same run: its event objects, its
// EventColumns output (what `trace analyze` reads), and `lockscope trace analyze --json` when
// that command is built. Size: LOCKSCOPE_TRACE_MB (default 1024).
// Target (issue 4): analyze ≥ 300 MB/s on one core, peak RSS ≤ 250 MB whatever the size.
// Needs `npm run build` first. Never run while a kernel build or QEMU shares the machine.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildShiftedTrace, cli, filesUnder, measure, OUT, ROOT, row, SHARED, sizeMB } from './lib.mjs';

const targetMB = Number(process.env.LOCKSCOPE_TRACE_MB ?? 1024);
if (!SHARED) {
  console.log('../shared/corpus is absent: no lab traces to build the input from');
  process.exit(0);
}
const parserModule = join(ROOT, 'dist', 'ingest', 'ftrace', 'text-parser.js');
if (!existsSync(parserModule)) {
  console.log('dist/ingest/ftrace/text-parser.js is missing: run `npm run build` first');
  process.exit(1);
}

// ---- build the input: every lab text trace, repeated, each pass shifted past the previous one ----
const labTraces = (dir) => filesUnder(dir, (name) => /\.trace\.txt(\.gz)?$/.test(name));

const file = join(OUT, `trace-text-${targetMB}MB.txt`);
if (!existsSync(file) || sizeMB(file) < targetMB)
  await buildShiftedTrace(file, targetMB, labTraces(join(SHARED, 'corpus', 'lab-6.1')));
const mb = sizeMB(file);
console.log(
  `ftrace text: ${file} (${mb.toFixed(0)} MB)${mb < 200 ? ' — small input: a smoke run, not a measurement' : ''}`,
);

// ---- the programs measured ----
const parserScript = join(OUT, 'trace-text-parser.mjs');
writeFileSync(
  parserScript,
  `import { createReadStream } from 'node:fs';
import { FtraceTextParser } from ${JSON.stringify(parserModule)};
const p = new FtraceTextParser();
let n = 0;
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 20 })) n += p.push(chunk).length;
n += p.end().length;
const u = process.cpuUsage();
console.error(JSON.stringify({ events: n, cpuSeconds: (u.user + u.system) / 1e6, ...p.stats }));
`,
);
// The columns output (lock events as EventColumns rows, what `trace analyze` reads), same input.
const builderModule = join(ROOT, 'dist', 'ingest', 'columns-builder.js');
const columnsScript = join(OUT, 'trace-text-columns.mjs');
writeFileSync(
  columnsScript,
  `import { createReadStream } from 'node:fs';
import { FtraceTextParser } from ${JSON.stringify(parserModule)};
import { ColumnsBuilder } from ${JSON.stringify(builderModule)};
const builder = new ColumnsBuilder();
const p = new FtraceTextParser({ columns: builder });
let n = 0;
const take = (batches) => { for (const b of batches) { n += b.count; builder.recycle(b); } };
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1 << 20 })) take(p.pushColumns(chunk));
take(p.endColumns());
const u = process.cpuUsage();
console.error(JSON.stringify({ events: n, cpuSeconds: (u.user + u.system) / 1e6, ...p.stats }));
`,
);
const naiveScript = join(OUT, 'trace-text-naive.mjs');
writeFileSync(
  naiveScript,
  `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
// The obvious parser: readline, one regex for the prefix and a key=value split of the payload.
const RE = /^\\s*(.+)-(\\d+)\\s+(?:\\(\\s*[\\d-]+\\)\\s+)?\\[(\\d+)\\]\\s+(?:(\\S+)\\s+)?(\\d+)\\.(\\d+):\\s+([\\w.]+):\\s+(.*)$/;
let n = 0;
const rl = createInterface({ input: createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
for await (const line of rl) {
  const m = RE.exec(line);
  if (!m) continue;
  const fields = {};
  for (const kv of m[8].split(' ')) { const i = kv.indexOf('='); if (i > 0) fields[kv.slice(0, i)] = kv.slice(i + 1); }
  n++;
}
const u = process.cpuUsage();
console.error(JSON.stringify({ events: n, cpuSeconds: (u.user + u.system) / 1e6 }));
`,
);

const results = [];
const wc = row('wc -l', measure('wc', ['-l', file]), mb);
results.push(wc);
const naiveRun = measure(process.execPath, [naiveScript, file]);
const naive = row('naive readline + regex', naiveRun, mb, wc);
results.push(naive);
const parsed = measure(process.execPath, [parserScript, file]);
results.push(row('FtraceTextParser (1 core)', parsed, mb, naive));
console.log(`    ${parsed.stderr.split('\n').find((l) => l.startsWith('{')) ?? parsed.stderr.trim()}`);
// CPU time as well (user + system of the node process): what counts when the machine is shared.
const cpu = (m) => JSON.parse(m.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}').cpuSeconds;
const [naiveCpu, parserCpu] = [cpu(naiveRun), cpu(parsed)];
if (naiveCpu && parserCpu)
  console.log(
    `    CPU time: naive ${naiveCpu.toFixed(2)} s (${(mb / naiveCpu).toFixed(0)} MB/s), parser ${parserCpu.toFixed(2)} s ` +
      `(${(mb / parserCpu).toFixed(0)} MB/s, ${(naiveCpu / parserCpu).toFixed(2)}x naive)`,
  );
const columnsRun = measure(process.execPath, [columnsScript, file]);
results.push(row('FtraceTextParser columns (1 core)', columnsRun, mb, naive));
const columnsCpu = cpu(columnsRun);
if (naiveCpu && columnsCpu)
  console.log(
    `    CPU time: columns ${columnsCpu.toFixed(2)} s (${(mb / columnsCpu).toFixed(0)} MB/s, ` +
      `${(naiveCpu / columnsCpu).toFixed(2)}x naive)`,
  );
if (existsSync(join(ROOT, 'dist', 'commands', 'trace', 'analyze.js'))) {
  const [cmd, args] = cli(['trace', 'analyze', '--json', file]);
  results.push(row('lockscope trace analyze --json', measure(cmd, args), mb, naive));
}
writeFileSync(join(OUT, 'trace-text.json'), `${JSON.stringify({ file, mb, results }, null, 2)}\n`);

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { scratchDir } from '../../helpers/scratch.js';
import { fixture, ROOT } from '../../helpers/shared.js';

/**
 * The merge worker (file reads, decompression, page decoding and the CPU merge
 * on a worker thread) must hand over exactly the records the in-thread path
 * reads. A worker needs compiled JavaScript, so this runs the built reader
 * (`npm run build`): both paths of the same build on the lab's v5 run.
 */
const built = join(ROOT, 'dist', 'ingest', 'tracedat');
const hasBuild = existsSync(join(built, 'merge-worker.js'));
const dat = fixture('runs', 'v5', 'trace.dat');
const scratch = scratchDir('lockscope-worker-');

type Read = (path: string, d: Diagnostic[], o?: { worker?: boolean }) => AsyncGenerator<TraceEvent[]>;

async function read(readTraceDat: Read, worker: boolean) {
  const diagnostics: Diagnostic[] = [];
  const events: unknown[] = [];
  for await (const batch of readTraceDat(dat, diagnostics, { worker })) {
    for (const e of batch) events.push(JSON.stringify(e));
  }
  return { events, diagnostics };
}

describe.skipIf(!hasBuild || !existsSync(dat))('trace.dat merge worker', () => {
  it('gives the same events and diagnostics as the in-thread reader (lab v5 run, ~800k events)', async () => {
    const { readTraceDat } = (await import(pathToFileURL(join(built, 'index.js')).href)) as {
      readTraceDat: Read;
    };
    const inline = await read(readTraceDat, false);
    const worker = await read(readTraceDat, true);
    // the lab re-records this run now and then: the count is whatever the file holds, in both paths
    expect(inline.events.length).toBeGreaterThan(100_000);
    expect(worker.diagnostics).toEqual(inline.diagnostics);
    expect(worker.events.length).toBe(inline.events.length);
    const firstDifference = worker.events.findIndex((e, i) => e !== inline.events[i]);
    expect(firstDifference).toBe(-1);
  }, 120_000);

  it('stops its thread when the consumer stops early', async () => {
    const { readTraceDat } = (await import(pathToFileURL(join(built, 'index.js')).href)) as {
      readTraceDat: Read;
    };
    const diagnostics: Diagnostic[] = [];
    let n = 0;
    for await (const batch of readTraceDat(dat, diagnostics, { worker: true })) {
      n += batch.length;
      if (n > 10_000) break;
    }
    expect(n).toBe(12_288); // three batches of 4096
    expect(diagnostics).toEqual([]);
  });

  it('does not keep the process alive when a consumer abandons the reader', () => {
    const script =
      `import { readTraceDat } from ${JSON.stringify(pathToFileURL(join(built, 'index.js')).href)};\n` +
      `const it = readTraceDat(${JSON.stringify(dat)}, [], { worker: true });\n` +
      'const first = await it.next();\n' +
      'console.log(first.value.length);\n';
    const file = join(scratch, 'abandon.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, '4096']);
  }, 70_000);
});

describe.skipIf(!hasBuild || !existsSync(dat))('trace.dat columns worker', () => {
  // the v5 run (file version 6: plain pages) and the zstd capture (version 7: chunks through the
  // decompressing thread), whole and cut short inside its compressed data
  const zstd = fixture('runs', 'tracedat-zstd', 'trace.dat');
  const cut = join(scratch, 'cut.dat');
  writeFileSync(cut, readFileSync(zstd).subarray(0, 400_000));
  it.each([
    [dat, 100_000],
    [zstd, 10_000],
    [cut, 8_000],
  ])(
    'gives the same analysis and diagnostics as the in-thread columns (%s)',
    async (file, least) => {
      const load = (p: string) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
      const { readTraceDat } = await load('ingest/tracedat/index.js');
      const { TraceAnalyzer } = await load('analyzers/trace/trace-analyzer.js');
      const run = async (worker: boolean) => {
        const diagnostics: Diagnostic[] = [];
        const analyzer = new TraceAnalyzer();
        let batches = 0;
        for await (const batch of readTraceDat(file, diagnostics, { columns: true, worker })) {
          expect(batch.kind).toBe('columns');
          analyzer.push(batch);
          batches++;
        }
        return { analysis: analyzer.finish(), diagnostics, batches };
      };
      const inline = await run(false);
      const worker = await run(true);
      expect(inline.analysis.events.total).toBeGreaterThanOrEqual(least);
      expect(worker.analysis).toEqual(inline.analysis);
      expect(worker.diagnostics).toEqual(inline.diagnostics);
      expect(worker.batches).toBe(inline.batches);
      if (file === cut) expect(worker.diagnostics.map((d) => d.code)).toContain('tracedat-truncated');
    },
    120_000,
  );
});

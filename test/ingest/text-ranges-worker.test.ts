import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ColumnsBuilder } from '../../src/ingest/columns-builder.js';
import { FtraceTextParser } from '../../src/ingest/ftrace/text-parser.js';
import type { readTextRanges as ReadTextRanges } from '../../src/ingest/text-ranges.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { EventColumns } from '../../src/model/event-columns.js';
import { scratchDir } from '../helpers/scratch.js';
import { fixture, ROOT } from '../helpers/shared.js';
import { columnsReader, materialize, readBytes } from './ftrace/parse-helpers.js';

/**
 * The range workers (ftrace text parsed on worker threads, batches handed
 * over as transferred typed arrays) must give what one parser gives. A worker
 * needs compiled JavaScript, so this runs the built reader (`npm run build`).
 */
const built = join(ROOT, 'dist', 'ingest');
const hasBuild = existsSync(join(built, 'ftrace-worker.js'));
const dir = scratchDir('lockscope-range-workers-');

async function load(): Promise<typeof ReadTextRanges> {
  const m = await import(pathToFileURL(join(built, 'text-ranges.js')).href);
  return m.readTextRanges;
}

function sequential(bytes: Uint8Array): { rows: unknown[]; diagnostics: Diagnostic[] } {
  const parser = new FtraceTextParser({ columns: new ColumnsBuilder() });
  const batches: EventColumns[] = [];
  for (let i = 0; i < bytes.length; i += 1 << 20)
    batches.push(...parser.pushColumns(bytes.subarray(i, i + (1 << 20))));
  batches.push(...parser.endColumns());
  return { rows: materialize(batches), diagnostics: parser.diagnostics };
}

describe.skipIf(!hasBuild)('ftrace text range workers', () => {
  it.each([
    ['runs/v5/trace.txt.gz', 1 << 20],
    ['ftrace/function-graph.txt', 40], // graph lines whose task is in an earlier range: read again here
    ['ftrace/systrace.html', 50],
    ['ftrace/damaged.txt', 30],
    ['ftrace/function-stacktrace.txt', 64],
  ] as const)(
    '%s in ranges of %i bytes: the same rows, events and diagnostics',
    async (name, rangeBytes) => {
      const readTextRanges = await load();
      const bytes = readBytes(fixture(...name.split('/')));
      const file = join(dir, name.replace(/\//g, '_').replace(/\.gz$/, ''));
      writeFileSync(file, bytes);
      const expected = sequential(bytes);
      const source = readTextRanges(file, bytes.length, { rangeBytes, workers: 2, capacity: 4096 });
      // a batch is read before the next is asked for (its arrays then go back to its worker)
      const read = columnsReader();
      const rows: unknown[] = [];
      let batches = 0;
      for await (const b of source.batches) {
        batches++;
        for (const r of read(b)) rows.push(r);
      }
      expect(batches).toBeGreaterThan(1);
      expect(source.diagnostics).toEqual(expected.diagnostics);
      expect(rows.length).toBe(expected.rows.length);
      const firstDifference = rows.findIndex(
        (r, i) => JSON.stringify(r) !== JSON.stringify(expected.rows[i]),
      );
      expect(firstDifference).toBe(-1);
    },
    120_000,
  );

  it('does not keep the process alive when a consumer abandons the reader', () => {
    const bytes = readBytes(fixture('runs', 'v6', 'trace.txt.gz'));
    const file = join(dir, 'v6.txt');
    writeFileSync(file, bytes);
    const script =
      `import { readTextRanges } from ${JSON.stringify(pathToFileURL(join(built, 'text-ranges.js')).href)};\n` +
      `const it = readTextRanges(${JSON.stringify(file)}, ${bytes.length}, { workers: 2, rangeBytes: 1 << 20 }).batches;\n` +
      'const first = await it.next();\n' +
      'console.log(first.value.count > 0);\n';
    const js = join(dir, 'abandon.mjs');
    writeFileSync(js, script);
    const r = spawnSync(process.execPath, [js], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout.trim()]).toEqual([0, 'true']);
  }, 70_000);

  it('stops its threads when the consumer stops early', async () => {
    const readTextRanges = await load();
    const bytes = readBytes(fixture('runs', 'v6', 'trace.txt.gz'));
    const file = join(dir, 'v6-early.txt');
    writeFileSync(file, bytes);
    const source = readTextRanges(file, bytes.length, { workers: 2, rangeBytes: 1 << 20, capacity: 1000 });
    let n = 0;
    for await (const b of source.batches) {
      n += b.count;
      if (n >= 5000) break;
    }
    expect(n).toBe(5000);
    // the generator's finally ran: a second next() is done, and nothing is pending
    expect(await source.batches.next()).toEqual({ done: true, value: undefined });
  });
});

import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS_READ, TraceAnalyzer } from '../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../src/ingest/columns-builder.js';
import { BoundedDiagnostics } from '../../src/ingest/ftrace/diagnostics.js';
import { type FtraceContext, FtraceTextParser } from '../../src/ingest/ftrace/text-parser.js';
import {
  mergeRanges,
  parseRange,
  planRanges,
  rangeReader,
  readRange,
  readTextRanges,
} from '../../src/ingest/text-ranges.js';
import type { EventColumns } from '../../src/model/event-columns.js';
import { scratchDir } from '../helpers/scratch.js';
import { materialize, readBytes, TEXT_TRACES } from './ftrace/parse-helpers.js';

/** One parser over the whole file: the reference. */
function sequential(bytes: Uint8Array, fieldsRead?: ReadonlySet<string>) {
  const parser = new FtraceTextParser({ columns: new ColumnsBuilder(), fieldsRead });
  const batches: EventColumns[] = [];
  for (let i = 0; i < bytes.length; i += 1 << 20)
    batches.push(...parser.pushColumns(bytes.subarray(i, i + (1 << 20))));
  batches.push(...parser.endColumns());
  return { batches, diagnostics: parser.diagnostics };
}

function analysis(batches: EventColumns[]) {
  const a = new TraceAnalyzer();
  for (const b of batches) a.push(b);
  return a.finish();
}

const dir = scratchDir('lockscope-ranges-');
/** The fixture as a plain file (ranges need a seekable file: gzipped fixtures are inflated). */
function plainFile(path: string, bytes: Uint8Array): string {
  const file = join(
    dir,
    path
      .replace(/^.*fixtures\//, '')
      .replace(/[/]/g, '_')
      .replace(/\.gz$/, ''),
  );
  writeFileSync(file, bytes);
  return file;
}

describe('a text file read in byte ranges gives what one parser gives', () => {
  it.each(TEXT_TRACES.map((p) => [p.slice(p.indexOf('fixtures/')), p]))(
    '%s',
    async (_name, path) => {
      const bytes = readBytes(path);
      const file = plainFile(path, bytes);
      // small files: ranges down to a few lines (and stack blocks, graph switches, HTML cut everywhere);
      // the lab runs: ranges of ~1 MB. Each range's parser learns from the ranges before it
      // (FtraceParserCaches), with and without counted events.
      const sizes = bytes.length > 500_000 ? [999_983] : [13, 200, 4096];
      for (const fieldsRead of [undefined, FIELDS_READ]) {
        const expected = sequential(bytes, fieldsRead);
        const expectedRows = materialize(expected.batches);
        const expectedAnalysis = analysis(expected.batches);
        for (const rangeBytes of sizes) {
          const options = { rangeBytes, workers: 0, capacity: 97, fieldsRead };
          const source = readTextRanges(file, bytes.length, options);
          const batches: EventColumns[] = [];
          for await (const b of source.batches) batches.push(b);
          expect(source.diagnostics, `ranges of ${rangeBytes} bytes`).toEqual(expected.diagnostics);
          expect(materialize(batches), `ranges of ${rangeBytes} bytes`).toEqual(expectedRows);
          expect(analysis(batches)).toEqual(expectedAnalysis);
        }
      }
    },
    60_000,
  );

  it('keeps a stack block in one range and counts lines across ranges', async () => {
    const text =
      '# tracer: nop\n' +
      '   kworker/0:1-12    [000] .....   10.000001: <stack trace>\n' +
      ' => __mutex_lock+0x1c/0x30\n' +
      ' => lab_scan+0x10/0x90 [lab_lockdep]\n' +
      '   kworker/0:1-12    [000] .....   10.000002: lock_acquire: ffffffff81ab1160 lab_shrinker_lock\n' +
      ' => orphan_frame+0x1/0x2\n' +
      'garbage\n';
    const file = join(dir, 'stack.txt');
    writeFileSync(file, text);
    for (const rangeBytes of [1, 20, 64, 100]) {
      const source = readTextRanges(file, text.length, { rangeBytes, workers: 0 });
      const batches: EventColumns[] = [];
      for await (const b of source.batches) batches.push(b);
      const rows = materialize(batches) as { name?: string; line: number; payload?: string }[];
      expect(rows.map((r) => r.line)).toEqual([2, 5]);
      expect(rows[0]).toMatchObject({
        name: 'kernel_stack',
        payload: '__mutex_lock+0x1c/0x30\nlab_scan+0x10/0x90 [lab_lockdep]',
      });
      // the frame after a lock event is an orphan, wherever the ranges are cut
      expect(source.diagnostics.map((d) => [d.code, d.line])).toEqual([
        ['ftrace-orphan-stack-frame', 6],
        ['ftrace-unrecognized-line', 7],
      ]);
    }
  });

  it('reads here the ranges a worker did not read (it stopped), from the state before them', async () => {
    for (const name of ['lab-S-abba.trace.txt', 'function-graph.txt', 'damaged.txt']) {
      const path = TEXT_TRACES.find((p) => p.endsWith(`/${name}`))!;
      const bytes = readBytes(path);
      const file = plainFile(path, bytes);
      const expected = sequential(bytes);
      const plan = planRanges(bytes.length, 97);
      const fd = openSync(file, 'r');
      try {
        const own = new ColumnsBuilder(50, 2);
        const builders = [new ColumnsBuilder(50, 0), new ColumnsBuilder(50, 1)];
        // even ranges read "by workers", odd ones missing (their worker stopped)
        const results = Array.from({ length: plan.count }, (_, k) =>
          k % 2 === 0 ? parseRange(fd, plan, k, builders[0]!) : k,
        );
        const diagnostics = new BoundedDiagnostics();
        const batches: EventColumns[] = [];
        const reread = (k: number, context: FtraceContext) => readRange(fd, plan, k, own, { context });
        for await (const b of mergeRanges(results, reread, diagnostics)) batches.push(b);
        expect(diagnostics.list, name).toEqual(expected.diagnostics);
        expect(materialize(batches), name).toEqual(materialize(expected.batches));
      } finally {
        closeSync(fd);
      }
    }
  });
});

describe('rangeReader', () => {
  it('gives the reading thread 2 ranges in 5 with one worker, spread evenly, the worker the rest', () => {
    expect(Array.from({ length: 10 }, (_, k) => rangeReader(k, 1))).toEqual([
      0, 0, -1, 0, -1, 0, 0, -1, 0, -1,
    ]);
  });

  it('gives the reading thread 2/(3n + 2) of the ranges and each of n workers as many as the others', () => {
    for (const n of [1, 2, 3, 7]) {
      const count = new Map<number, number>();
      const ranges = 100 * (3 * n + 2);
      for (let k = 0; k < ranges; k++) count.set(rangeReader(k, n), (count.get(rangeReader(k, n)) ?? 0) + 1);
      expect(count.get(-1)).toBe(200);
      for (let w = 0; w < n; w++) expect(count.get(w)).toBe((ranges - 200) / n);
      expect(count.size).toBe(n + 1);
    }
  });
});

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../../src/ingest/columns-builder.js';
import { openTrace } from '../../../src/ingest/trace-source.js';
import { readTraceDat } from '../../../src/ingest/tracedat/index.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { EventColumns } from '../../../src/model/event-columns.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { fixture } from '../../helpers/shared.js';

/** Every trace fixture: the lab runs' text and trace.dat captures, the dialect fixtures, the minimal cases. */
const TRACES = [
  ...['v5/trace.txt.gz', 'v5/trace.dat', 'v6/trace.txt.gz', 'v6/trace.dat', 'caller-id/trace.txt.gz']
    .concat(['stock/trace.txt', 'stock/trace.dat', 'tracedat-zstd/trace.dat', 'tracedat-v6/trace.dat'])
    .map((p) => fixture('runs', p)),
  ...readdirSync(fixture('ftrace'))
    .filter((f) => !f.endsWith('.golden') && !f.endsWith('.md'))
    .map((f) => fixture('ftrace', f)),
  ...readdirSync(fixture('trace-min'))
    .filter((f) => f.endsWith('.trace.txt'))
    .map((f) => fixture('trace-min', f)),
];

async function events(path: string): Promise<TraceEvent[]> {
  const source = await openTrace(path);
  const all: TraceEvent[] = [];
  for await (const batch of source.batches) all.push(...batch);
  return all;
}

/** The events as column batches of `size` rows (small: strings first used in one batch are read in the next). */
function columns(all: TraceEvent[], size: number): EventColumns[] {
  const builder = new ColumnsBuilder(size);
  const out: EventColumns[] = [];
  for (const ev of all) {
    builder.addEvent(ev);
    if (builder.full) out.push(builder.take());
  }
  if (builder.count > 0) out.push(builder.take());
  return out;
}

describe('the analyzer reads columns as it reads event objects', () => {
  it.each(TRACES.map((p) => [p.slice(p.indexOf('fixtures/')), p]))('%s', async (_name, path) => {
    const all = await events(path);
    const fromObjects = new TraceAnalyzer();
    fromObjects.push(all);
    const expected = fromObjects.finish();
    const fromColumns = new TraceAnalyzer();
    const batches = columns(all, 7);
    for (const batch of batches) fromColumns.push(batch);
    expect(fromColumns.finish()).toEqual(expected);
    // the lock events travelled as rows, not objects
    const rows = batches.reduce((n, b) => n + b.count - b.others.length, 0);
    const lockEvents = all.filter((e) => /^(?:lock_|contention_)/.test(e.name)).length;
    expect(rows).toBe(lockEvents);
  });
});

describe('trace.dat lock records read straight into columns', () => {
  const DATS = TRACES.filter((p) => p.endsWith('.dat'));
  it.each(DATS.map((p) => [p.slice(p.indexOf('fixtures/')), p]))('%s', async (_name, path) => {
    const objectDiagnostics: Diagnostic[] = [];
    const fromObjects = new TraceAnalyzer();
    for await (const batch of readTraceDat(path, objectDiagnostics)) fromObjects.push(batch);
    const diagnostics: Diagnostic[] = [];
    const fromColumns = new TraceAnalyzer();
    let rows = 0;
    for await (const batch of readTraceDat(path, diagnostics, { columns: true })) {
      if (!('kind' in batch)) throw new Error('expected columns');
      rows += batch.count - batch.others.length;
      fromColumns.push(batch);
    }
    expect(fromColumns.finish()).toEqual(fromObjects.finish());
    expect(diagnostics).toEqual(objectDiagnostics);
    expect(rows).toBeGreaterThan(0);
  });
});

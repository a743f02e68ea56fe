import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../../src/ingest/columns-builder.js';
import { FtraceTextParser } from '../../../src/ingest/ftrace/text-parser.js';
import type { EventColumns } from '../../../src/model/event-columns.js';
import { fixture } from '../../helpers/shared.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { readBytes } from './parse-helpers.js';

/** Every text trace fixture: the dialect fixtures, the minimal cases, the lab runs' text captures. */
export const TEXT_TRACES = [
  ...readdirSync(fixture('ftrace'))
    .filter((f) => /\.(txt|txt\.gz|html)$/.test(f))
    .map((f) => fixture('ftrace', f)),
  ...readdirSync(fixture('trace-min'))
    .filter((f) => f.endsWith('.trace.txt'))
    .map((f) => fixture('trace-min', f)),
  ...['v5/trace.txt.gz', 'v6/trace.txt.gz', 'caller-id/trace.txt.gz', 'stock/trace.txt'].map((p) =>
    fixture('runs', p),
  ),
];

/** The parser's columns output, pushed `chunk` bytes at a time. */
function columnsOf(bytes: Uint8Array, chunk: number, capacity: number) {
  const parser = new FtraceTextParser({ columns: new ColumnsBuilder(capacity) });
  const batches: EventColumns[] = [];
  for (let i = 0; i < bytes.length; i += chunk) batches.push(...parser.pushColumns(bytes.subarray(i, i + chunk)));
  batches.push(...parser.endColumns());
  return { batches, parser };
}

/** The parser's event objects, pushed 1 MiB at a time. */
export function objectsOf(bytes: Uint8Array) {
  const parser = new FtraceTextParser();
  const events: TraceEvent[] = [];
  for (let i = 0; i < bytes.length; i += 1 << 20)
    for (const e of parser.push(bytes.subarray(i, i + (1 << 20)))) events.push(e);
  for (const e of parser.end()) events.push(e);
  return { events, parser };
}

const name = (p: string) => p.slice(p.indexOf('fixtures/'));

describe('the text parser fills columns: the same analysis as its event objects', () => {
  it.each(TEXT_TRACES.map((p) => [name(p), p]))('%s', (_name, path) => {
    const bytes = readBytes(path);
    const objects = objectsOf(bytes);
    const fromObjects = new TraceAnalyzer();
    fromObjects.push(objects.events);
    const expected = fromObjects.finish();
    // large captures in 64 KiB pushes, small ones split everywhere
    const chunk = bytes.length > 200_000 ? 65_521 : 7;
    const { batches, parser } = columnsOf(bytes, chunk, bytes.length > 200_000 ? 16_384 : 5);
    const fromColumns = new TraceAnalyzer();
    for (const b of batches) fromColumns.push(b);
    expect(fromColumns.finish()).toEqual(expected);
    expect(parser.diagnostics).toEqual(objects.parser.diagnostics);
    expect(parser.stats).toEqual(objects.parser.stats);
    // the lock events travelled as rows (no object), the rest whole, in input order
    const rows = batches.reduce((n, b) => n + b.count - b.others.length, 0);
    const lockEvents = objects.events.filter((e) => /^(?:lock_|contention_)/.test(e.name)).length;
    expect(rows).toBe(lockEvents);
    const others = batches.flatMap((b) => b.others);
    expect(others).toEqual(objects.events.filter((e) => !/^(?:lock_|contention_)/.test(e.name)));
  });
});

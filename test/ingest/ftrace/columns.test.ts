import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../../src/ingest/columns-builder.js';
import { FtraceTextParser } from '../../../src/ingest/ftrace/text-parser.js';
import type { EventColumns } from '../../../src/model/event-columns.js';
import { objectsOf, readBytes, TEXT_TRACES } from './parse-helpers.js';

/** The parser's columns output, pushed `chunk` bytes at a time. */
function columnsOf(bytes: Uint8Array, chunk: number, capacity: number) {
  const parser = new FtraceTextParser({ columns: new ColumnsBuilder(capacity) });
  const batches: EventColumns[] = [];
  for (let i = 0; i < bytes.length; i += chunk)
    batches.push(...parser.pushColumns(bytes.subarray(i, i + chunk)));
  batches.push(...parser.endColumns());
  return { batches, parser };
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

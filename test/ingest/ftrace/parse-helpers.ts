import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FtraceTextParser, type FtraceTextParserOptions } from '../../../src/ingest/ftrace/text-parser.js';
import type { EventColumns } from '../../../src/model/event-columns.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { fixture } from '../../helpers/shared.js';

export interface Parsed {
  events: TraceEvent[];
  parser: FtraceTextParser;
}

/** Reads a file (gunzipping `.gz`). */
export function readBytes(path: string): Buffer {
  const b = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(b) : b;
}

/** Parses bytes in one push, or split at the given offsets. */
export function parseBytes(
  bytes: Uint8Array,
  cuts: number[] = [],
  options?: FtraceTextParserOptions,
): Parsed {
  const parser = new FtraceTextParser(options);
  const events: TraceEvent[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    events.push(...parser.push(bytes.subarray(prev, c)));
    prev = c;
  }
  events.push(...parser.push(bytes.subarray(prev)));
  events.push(...parser.end());
  return { events, parser };
}

export function parseFile(path: string, options?: FtraceTextParserOptions): Parsed {
  return parseBytes(readBytes(path), [], options);
}

export function countByName(events: TraceEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.name] = (out[e.name] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** The trace fixtures: `fixtures/ftrace/*.{txt,txt.gz,html}`. */
export function ftraceFixtures(): string[] {
  return readdirSync(fixture('ftrace'))
    .filter((f) => /\.(txt|txt\.gz|html)$/.test(f))
    .sort();
}

/** Every text trace fixture: the dialect fixtures, the minimal cases, the lab runs' text captures. */
export const TEXT_TRACES: string[] = [
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

/** The parser's event objects, pushed 1 MiB at a time. */
export function objectsOf(bytes: Uint8Array) {
  const parser = new FtraceTextParser();
  const events: TraceEvent[] = [];
  for (let i = 0; i < bytes.length; i += 1 << 20)
    for (const e of parser.push(bytes.subarray(i, i + (1 << 20)))) events.push(e);
  for (const e of parser.end()) events.push(e);
  return { events, parser };
}

/** Rows and events of column batches as plain records (string ids resolved per stream), in order. */
export function materialize(batches: EventColumns[]): unknown[] {
  const read = columnsReader();
  return batches.flatMap((b) => read(b));
}

/**
 * A reader of column batches one at a time, as they arrive (a batch may be
 * filled again once the next one is asked for): each as plain records.
 */
export function columnsReader(): (b: EventColumns) => unknown[] {
  const tables: string[][] = [];
  return (b) => {
    const out: unknown[] = [];
    const strings = tables[b.stream] ?? [];
    tables[b.stream] = strings;
    strings.push(...b.newStrings);
    let other = 0;
    for (let i = 0; i < b.count; i++) {
      if (b.op[i] === 0) {
        out.push({ ...b.others[other++]! });
        continue;
      }
      const s = (id: number) => (id < 0 ? null : strings[id]);
      out.push({
        op: b.op[i],
        line: b.line[i],
        ts: b.ts[i],
        cpu: b.cpu[i],
        pid: b.pid[i],
        comm: s(b.comm[i]!),
        flags: s(b.flags[i]!),
        name: s(b.name[i]!),
        addr: s(b.addr[i]!),
        arg: b.op[i] === 5 ? s(b.arg[i]!) : b.arg[i],
      });
    }
    return out;
  };
}

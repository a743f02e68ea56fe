import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FtraceTextParser, type FtraceTextParserOptions } from '../../../src/ingest/ftrace/text-parser.js';
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

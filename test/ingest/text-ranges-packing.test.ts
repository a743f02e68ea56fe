import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FtraceTextParser } from '../../src/ingest/ftrace/text-parser.js';
import { EventPacker, EventUnpacker } from '../../src/ingest/text-ranges-packing.js';
import type { TraceEvent } from '../../src/model/trace-event.js';
import { fixture } from '../helpers/shared.js';
import { readBytes } from './ftrace/parse-helpers.js';

/** The events of a fixture as the parser gives them (objects). */
function eventsOf(name: string): TraceEvent[] {
  const parser = new FtraceTextParser();
  return [...parser.push(readBytes(fixture('ftrace', name))), ...parser.end()];
}

/** Packed in batches of `size` by one packer, unpacked in order by one unpacker (one stream). */
function roundTrip(events: readonly TraceEvent[], size: number): TraceEvent[] {
  const packer = new EventPacker();
  const unpacker = new EventUnpacker();
  const out: TraceEvent[] = [];
  for (let i = 0; i < events.length; i += size)
    for (const ev of unpacker.unpack(packer.pack(events.slice(i, i + size)))) out.push(ev);
  return out;
}

describe('EventPacker / EventUnpacker', () => {
  const names = readdirSync(fixture('ftrace')).filter((n) => /\.txt(\.gz)?$/.test(n));

  it.each(names)('%s: every event comes back equal', (name) => {
    const events = eventsOf(name);
    const plain = JSON.parse(JSON.stringify(events));
    expect(roundTrip(events, 97)).toEqual(plain);
    // all at once: the packer's arrays grow past their first 256 events and 16 KiB of payloads
    expect(roundTrip(events, events.length)).toEqual(plain);
  });

  it('grows its arrays: the lab run v6 trace in one pack', () => {
    const parser = new FtraceTextParser();
    const events = parser.push(readBytes(fixture('runs', 'v6', 'trace.txt.gz'))).concat(parser.end());
    expect(events.length).toBeGreaterThan(10_000);
    expect(roundTrip(events, events.length)).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('gives back payloads that are not ASCII, and events without a task name', () => {
    const text = [
      '            bash-1234  [001] .....  4000.000001: tracing_mark_write: café 名前 ok',
      '            bash-1234  [001] .....  4000.000002: mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL',
      '            bash-1234  [001] .....  4000.000003: tracing_mark_write: plain again',
    ].join('\n');
    const parser = new FtraceTextParser();
    const events = [...parser.push(Buffer.from(`${text}\n`, 'utf8')), ...parser.end()];
    events.push({ ...events[2]!, comm: '', line: 4 });
    expect(events.map((e) => e.payload)[0]).toBe('tracing_mark_write: café 名前 ok');
    expect(roundTrip(events, 2)).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('packs payloads as bytes: a batch of ASCII payloads says so, one with a wider character does not', () => {
    const packer = new EventPacker();
    const base: TraceEvent = {
      line: 1,
      ts: 5,
      cpu: 0,
      pid: 7,
      tgid: null,
      comm: 'kworker/0:1',
      flags: null,
      system: 'ftrace',
      name: 'print',
      payload: 'plain',
      fields: {},
    };
    const ascii = packer.pack([base, { ...base, payload: 'also plain' }]);
    expect([ascii.count, ascii.ascii, [...ascii.payloadEnd.subarray(0, 2)]]).toEqual([2, true, [5, 15]]);
    expect(Buffer.from(ascii.payloads.subarray(0, 15)).toString('latin1')).toBe('plainalso plain');
    const wide = packer.pack([{ ...base, payload: 'café 名' }]);
    expect([wide.ascii, wide.payloadEnd[0]]).toEqual([false, 9]);
    const unpacker = new EventUnpacker();
    unpacker.unpack(ascii);
    expect(unpacker.unpack(wide)[0]?.payload).toBe('café 名');
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../../../src/ingest/tracedat/index.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { scratchDir } from '../../helpers/scratch.js';
import { buildTraceDat, lockAcquire, lockAcquireFormat, type SyntheticTrace } from './build-trace-dat.js';

const dir = scratchDir('lockscope-tracedat-');
let n = 0;

async function read(bytes: Buffer): Promise<{ events: TraceEvent[]; diagnostics: Diagnostic[] }> {
  const path = join(dir, `t${n++}.dat`);
  writeFileSync(path, bytes);
  const diagnostics: Diagnostic[] = [];
  const events: TraceEvent[] = [];
  for await (const batch of readTraceDat(path, diagnostics)) events.push(...batch);
  return { events, diagnostics };
}

function trace(version: 6 | 7, bigEndian: boolean, longSize: 4 | 8, compression: 'none' | 'zlib' = 'none') {
  const la = (pid: number, flags: number, name: string, addr: bigint) =>
    lockAcquire(bigEndian, longSize, pid, flags, name, addr);
  const t: SyntheticTrace = {
    version,
    bigEndian,
    longSize,
    compression,
    formats: [{ system: 'lock', text: lockAcquireFormat(longSize) }],
    cmdlines: '42 lab_worker\n7 kswapd0\n',
    perPage: 2,
    cpus: [
      {
        base: 1_000_000_000,
        records: [
          { delta: 10, payload: la(42, 0, 'lab_shrinker_lock', 0xffffffffa0002250n) },
          // 2^27 + 5 ns later: needs a TIME_EXTEND record
          { delta: 2 ** 27 + 5, payload: la(42, 1, '&dev->struct_mutex', 0xffff0000n), paddingBefore: 8 },
          { delta: 3, payload: la(7, 2, 'a-name-long-enough-to-need-a-type-len-0-record-'.repeat(3), 0x10n) },
        ],
      },
      { base: 1_000_000_005, records: [{ delta: 0, payload: la(0, 0, 'fs_reclaim', 0x20n) }] },
    ],
  };
  return t;
}

describe('readTraceDat on files written by the test', () => {
  const cases = [
    [6, false, 8, 'none'],
    [6, true, 4, 'none'],
    [7, false, 8, 'zlib'],
    [7, true, 8, 'none'],
  ] as const;
  for (const [version, be, long, compression] of cases) {
    it(`v${version} ${be ? 'big' : 'little'}-endian long=${long} ${compression}`, async () => {
      const { events, diagnostics } = await read(buildTraceDat(trace(version, be, long, compression)));
      expect(diagnostics).toEqual([]);
      expect(events.map((e) => [e.line, e.ts, e.cpu, e.pid, e.comm, e.name, e.system])).toEqual([
        [1, 1_000_000_005, 1, 0, '<idle>', 'lock_acquire', 'lock'],
        [2, 1_000_000_010, 0, 42, 'lab_worker', 'lock_acquire', 'lock'],
        [3, 1_000_000_010 + 2 ** 27 + 5 + 1, 0, 42, 'lab_worker', 'lock_acquire', 'lock'],
        [4, 1_000_000_010 + 2 ** 27 + 5 + 1 + 3, 0, 7, 'kswapd0', 'lock_acquire', 'lock'],
      ]);
      expect(events[1]!.fields).toEqual({
        flags: 0,
        name: 'lab_shrinker_lock',
        lockdep_addr: long === 8 ? 'ffffffffa0002250' : 'a0002250',
      });
      expect(events[2]!.fields).toEqual({ flags: 1, name: '&dev->struct_mutex', lockdep_addr: 'ffff0000' });
      expect(events[3]!.fields.name).toBe('a-name-long-enough-to-need-a-type-len-0-record-'.repeat(3));
      expect(events[1]!.flags).toBe('d..1.');
      expect(events[1]!.payload).toBe(
        `flags=0 name=lab_shrinker_lock lockdep_addr=${long === 8 ? 'ffffffffa0002250' : 'a0002250'}`,
      );
      expect(JSON.parse(JSON.stringify(events[1]))).toMatchObject({
        name: 'lock_acquire',
        payload: events[1]!.payload,
      });
    });
  }

  it('lets one event take its own name, system and tgid without touching the others of its format', async () => {
    const { events } = await read(buildTraceDat(trace(6, false, 8, 'none')));
    const [first, second] = events as [TraceEvent, TraceEvent];
    first.name = 'renamed';
    first.system = null;
    first.tgid = 41;
    expect([first.name, first.system, first.tgid]).toEqual(['renamed', null, 41]);
    expect([second.name, second.system, second.tgid]).toEqual(['lock_acquire', 'lock', null]);
    expect(JSON.parse(JSON.stringify(first))).toMatchObject({ name: 'renamed', system: null, tgid: 41 });
  });

  it('gives the events before the cut and a diagnostic for a truncated file', async () => {
    const full = buildTraceDat(trace(6, false, 8));
    // cut inside CPU 1's only page: CPU 0's two pages stay whole
    const { events, diagnostics } = await read(full.subarray(0, full.length - 2000));
    expect(events.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.cpu)).toEqual([0, 0, 0]);
    expect(diagnostics.map((d) => d.code)).toContain('tracedat-truncated');
  });

  it('reports events lost before a page, with the count the kernel stored', async () => {
    for (const longSize of [8, 4] as const) {
      const t = trace(6, longSize === 4, longSize);
      t.cpus[0]!.lost = { page: 1, count: 523 };
      t.cpus[1]!.lost = { page: 0, count: -1 };
      const { events, diagnostics } = await read(buildTraceDat(t));
      expect(events).toHaveLength(4);
      expect(diagnostics.map((d) => [d.code, d.message.replace(/ at raw time \d+/, '')])).toEqual([
        ['tracedat-lost-events', 'CPU 1: events lost (count not stored) before the page'],
        ['tracedat-lost-events', 'CPU 0: 523 events lost before the page'],
      ]);
      // the number as data, so nobody parses the message: 1 when the kernel did not store it
      expect(diagnostics.map((d) => d.count)).toEqual([1, 523]);
    }
  });

  it('sums the losses past the first ten pages into one diagnostic, its count a number', async () => {
    const t = trace(6, false, 8);
    const cpu = t.cpus[0]!;
    cpu.records = Array.from({ length: 26 }, () => cpu.records[0]!);
    t.perPage = 2; // 13 pages: 12 lost 5 events each, page 12 lost an unknown number
    cpu.lost = Array.from({ length: 13 }, (_, page) => ({ page, count: page === 12 ? -1 : 5 }));
    const { diagnostics } = await read(buildTraceDat(t));
    const lost = diagnostics.filter((d) => d.code === 'tracedat-lost-events');
    expect(lost.map((d) => d.count)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 11]);
    expect(lost.at(-1)!.message).toBe('CPU 0: a further 10 events lost before 3 more pages');
  });

  it('reports a file that is not a trace.dat', async () => {
    const { events, diagnostics } = await read(Buffer.from('# tracer: nop\n'));
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      // the path is the diagnostic's location, not part of its message
      { code: 'tracedat-malformed', message: 'not a trace.dat file (bad magic)', line: null },
    ]);
  });

  it('reports an implausible page size, the message without the path', async () => {
    const bytes = buildTraceDat(trace(7, false, 8));
    // the u32 page size after the magic, the version string and the endian and long-size bytes
    const at = bytes.indexOf(0, 10) + 3;
    bytes.writeUInt32LE(1000, at);
    const { events, diagnostics } = await read(bytes);
    expect(events).toEqual([]);
    expect(diagnostics).toEqual([
      { code: 'tracedat-malformed', message: 'implausible page size 1000', line: null },
    ]);
  });

  it('never throws on random bytes or on damaged files', async () => {
    const valid = buildTraceDat(trace(7, false, 8, 'zlib'));
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(valid.length),
        async (random, flips, cut) => {
          await read(Buffer.from(random));
          const damaged = Buffer.from(valid.subarray(0, cut));
          for (const [at, v] of flips) if (at < damaged.length) damaged[at] = v;
          const { diagnostics } = await read(damaged);
          expect(Array.isArray(diagnostics)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

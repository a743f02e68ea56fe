import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FIELDS_READ, TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../../src/ingest/columns-builder.js';
import { FtraceParserCaches, FtraceTextParser } from '../../../src/ingest/ftrace/text-parser.js';
import { fixture } from '../../helpers/shared.js';
import { ftraceFixtures, parseBytes, parseFile, readBytes } from './parse-helpers.js';

function parseText(text: string) {
  return parseBytes(Buffer.from(text));
}

function one(line: string) {
  const { events, parser } = parseText(`${line}\n`);
  expect(parser.diagnostics).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('FtraceTextParser: the line prefix in each dialect', () => {
  it('reads a 6.x tracefs line (7-wide pid, 5 flags) with integer-ns timestamps', () => {
    const e = one(
      '          insmod-128     [000] ...2.     4.063682: lock_acquire: ffffffffa0002250 lab_shrinker_lock',
    );
    expect(e).toEqual({
      line: 1,
      ts: 4_063_682_000,
      cpu: 0,
      pid: 128,
      tgid: null,
      comm: 'insmod',
      flags: '...2.',
      system: 'lock',
      name: 'lock_acquire',
      payload: 'ffffffffa0002250 lab_shrinker_lock',
      fields: { lockdep_addr: 'ffffffffa0002250', flags: 0, name: 'lab_shrinker_lock' },
    });
  });

  it('splits comm on the last -<pid> before [cpu] (spaces, dashes, colons in comm)', () => {
    expect(
      one(' kworker/u4:2-rt-1234567 [000] d..1.    24.068600: lock_contended: ffff88803ebe9158 &rq->__lock'),
    ).toMatchObject({
      comm: 'kworker/u4:2-rt',
      pid: 1234567,
    });
    expect(one(' Surface Flinger-2002  ( 2002) [000] d..3  4242.000200: my_event: a=1')).toMatchObject({
      comm: 'Surface Flinger',
      pid: 2002,
      tgid: 2002,
      cpu: 0,
    });
  });

  it('reads the TGID column, blank `(-----)` as null', () => {
    expect(one('           <...>-4321  (-----) [001] ...1 98765.000123: my_event: x=1')).toMatchObject({
      comm: '<...>',
      pid: 4321,
      tgid: null,
      flags: '...1',
      ts: 98_765_000_123_000,
    });
  });

  it('accepts 0 to 7 flag characters including the newer letters', () => {
    for (const flags of ['dBzf1', 'bD.2.', 'dLZ.a', '.lH..', 'Nd', 'dNh1..l']) {
      expect(one(`          memhog-139     [001] ${flags}    24.068660: my_event: a=1`).flags).toBe(flags);
    }
    expect(one('          memhog-211   [000] 24.500000: my_event: a=1').flags).toBeNull();
  });

  it('keeps 9-decimal and counter timestamps exact (no float parsing)', () => {
    expect(one('  drmfb-330   [000] ...1.    50.000113457: my_event: a=1').ts).toBe(50_000_113_457);
    expect(one('  memhog-1     [000] .....  1234567890123: my_event: a=1').ts).toBe(1_234_567_890_123);
    expect(one('  x-1 [000] ..... 0.000001: my_event: a=1').ts).toBe(1000);
  });

  it('reads trace-cmd padded names, --ts-diff and -l latency lines', () => {
    expect(
      one(
        '           drmfb-330   [000] .....    50.000103: lock_release:         0xffffffff81ae6df8 drm_minor_lock',
      ),
    ).toMatchObject({
      name: 'lock_release',
      fields: { lockdep_addr: 'ffffffff81ae6df8', name: 'drm_minor_lock' },
    });
    expect(
      one(
        '           drmfb-330   [000] ...1.    50.000112: (+2)     function:             virtio_gpu_notify',
      ),
    ).toMatchObject({ name: 'function', fields: { ip: 'virtio_gpu_notify', parent_ip: null } });
    expect(
      one(
        '          <idle>-0       1d.h1.    50.000114: function:             virtio_gpu_ctrl_ack <-- vring_interrupt',
      ),
    ).toMatchObject({
      cpu: 1,
      flags: 'd.h1.',
      ts: 50_000_114_000,
      fields: { ip: 'virtio_gpu_ctrl_ack', parent_ip: 'vring_interrupt' },
    });
  });

  it('turns markers (`tracing_mark_write:`, `0:`, trace-cmd `print:`) into `print` events', () => {
    for (const line of [
      '   init-1       [001] .....     8.361764: tracing_mark_write: lab: phase drmfb start',
      '   init-1       [001]     8.361764: 0: lab: phase drmfb start',
      '   init-1       [001]     8.361764: print:                tracing_mark_write: lab: phase drmfb start',
    ]) {
      expect(one(line)).toMatchObject({
        name: 'print',
        system: 'ftrace',
        fields: { buf: 'lab: phase drmfb start' },
      });
    }
  });
});

describe('FtraceTextParser: structure, stacks and damage', () => {
  it('emits a stack trace as one kernel_stack event after its last frame', () => {
    const { events } = parseFile(fixture('ftrace', 'function-stacktrace.txt'));
    const stack = events.find((e) => e.name === 'kernel_stack')!;
    expect(stack).toMatchObject({ line: 11, pid: 51, comm: 'kworker/u4:1', cpu: 1, ts: 30_000_104_000 });
    expect(stack.fields).toEqual({ depth: 4, caller: 'mutex_lock_nested+0x1b/0x20' });
    expect(stack.payload.split('\n')).toEqual([
      'mutex_lock_nested+0x1b/0x20',
      'drm_gem_shmem_shrinker_scan+0x80/0x120',
      'drm_gem_shmem_evict+0x24/0x90 [drm_shmem_helper]',
      'ret_from_fork+0x22/0x30',
    ]);
  });

  it('counts lost and overwritten events', () => {
    const { parser } = parseFile(fixture('ftrace', 'tracefs-6x-lock-flags.txt'));
    expect(parser.stats.lost).toBe(12 + 6);
    expect(parser.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['ftrace-events-overwritten', 3],
      ['ftrace-lost-events', 19],
    ]);
  });

  it('keeps out-of-order lines in input order', () => {
    const { events } = parseFile(fixture('ftrace', 'damaged.txt'));
    expect(events.map((e) => e.ts)).toEqual([1_000_001_000, 999_999_000, 1_000_004_000, 1_000_005_000]);
  });

  it('bounds diagnostics per code and summarizes the rest', () => {
    const text = Array.from({ length: 50 }, (_, i) => `junk ${i}`).join('\n');
    const { parser } = parseBytes(Buffer.from(text), [], { maxDiagnosticsPerCode: 3 });
    expect(parser.stats.skipped).toBe(50);
    expect(parser.diagnostics.map((d) => d.line)).toEqual([1, 2, 3, null]);
    expect(parser.diagnostics[3]!.message).toBe('47 more ftrace-unrecognized-line not listed (50 in all)');
  });

  it('drops a line that grows past maxLineBytes across pushes, and goes on after it', () => {
    const parser = new FtraceTextParser({ maxLineBytes: 1000 });
    const ok = '  x-1 [000] ..... 1.000000: lock_release: ffffffffa0002250 lab_shrinker_lock\n';
    const events = [...parser.push(Buffer.from(ok)), ...parser.push(Buffer.from('z'.repeat(600)))];
    for (let i = 0; i < 5; i++) events.push(...parser.push(Buffer.from('z'.repeat(600))));
    events.push(...parser.push(Buffer.from(`zz\n${ok}`)), ...parser.end());
    expect(events.map((e) => e.line)).toEqual([1, 3]);
    expect(parser.stats).toMatchObject({ lines: 3, events: 2, skipped: 1 });
    expect(parser.diagnostics).toEqual([
      { code: 'ftrace-line-too-long', message: 'line longer than 1000 bytes: not read', line: 2 },
    ]);
  });

  it('parses a 10 MB single line without blowing up', () => {
    const big = `  x-1 [000] ..... 1.000000: lock_acquire: ffffffffa0002250 ${'a'.repeat(10 * 1024 * 1024)}\n`;
    const junk = `${'[1] '.repeat(2 * 1024 * 1024)}\n`;
    const chunks = Buffer.from(big + junk);
    const cuts = Array.from({ length: 40 }, (_, i) => Math.floor((chunks.length * i) / 40)).slice(1);
    const { events, parser } = parseBytes(chunks, cuts);
    expect(events).toHaveLength(1);
    expect((events[0]!.fields.name as string).length).toBe(10 * 1024 * 1024);
    expect(parser.stats).toMatchObject({ lines: 2, events: 1, skipped: 1 });
  });
});

describe('FtraceParserCaches', () => {
  const lines = [
    '  x-1 [000] ..... 1.000000: lock_acquire: ffffffffa0002250 lab_lock',
    '  x-1 [000] ..... 1.000001: lock_acquire: ffffffffa0002250 lab_lock',
  ];

  it('lets parsers of ranges into one builder share what they learnt', () => {
    // the strings each range's parser asks the builder for (what it did not know yet)
    const asked = (caches: () => FtraceParserCaches) => {
      const builder = new ColumnsBuilder();
      const id = vi.spyOn(builder, 'id');
      return lines.map((line) => {
        id.mockClear();
        const parser = new FtraceTextParser({ columns: builder, caches: caches() });
        parser.pushColumns(Buffer.from(`${line}\n`));
        parser.endColumns();
        return id.mock.calls.map(([text]) => text);
      });
    };
    const shared = new FtraceParserCaches();
    // the second range's parser knew the task and the lock payload; only its flags column is its own
    const all = ['lab_lock', 'ffffffffa0002250', 'x', '.....'];
    expect(asked(() => shared)).toEqual([all, ['.....']]);
    expect(asked(() => new FtraceParserCaches())).toEqual([all, all]);
  });

  it('refuses a parser of another builder or options', () => {
    const caches = new FtraceParserCaches();
    const builder = new ColumnsBuilder();
    new FtraceTextParser({ columns: builder, caches });
    expect(() => new FtraceTextParser({ columns: new ColumnsBuilder(), caches })).toThrow(/another builder/);
    expect(() => new FtraceTextParser({ columns: builder, caches, fastPath: false })).toThrow(
      /another builder/,
    );
    expect(() => new FtraceTextParser({ columns: builder, caches, fieldsRead: new Set() })).toThrow(
      /another builder/,
    );
    expect(new FtraceTextParser({ columns: builder, caches })).toBeInstanceOf(FtraceTextParser);
  });
});

describe('FtraceTextParser: large pushes', () => {
  it('reads a push of many 64 KiB pieces as it reads the same lines pushed one by one', () => {
    // the dialect fixtures back to back, a 100 KB line and CRLF lines among them, ~4 pieces long
    const sample = ftraceFixtures()
      .filter((f) => !f.startsWith('lab-'))
      .map((f) => readBytes(fixture('ftrace', f)).toString('latin1'))
      .join('');
    const long = `  x-1 [000] ..... 1.000000: lock_acquire: ffffffffa0002250 ${'b'.repeat(100_000)}\n`;
    const crlf = '  x-1 [000] ..... 2.000000: lock_release: ffffffffa0002250 lab_lock\r\n';
    const text = [sample, long, crlf, sample, crlf, sample].join('').repeat(3);
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.length).toBeGreaterThan(4 * 64 * 1024);
    const whole = parseBytes(bytes);
    const lineStarts = [...text.matchAll(/\n/g)].map((m) => m.index + 1);
    const byLine = parseBytes(bytes, lineStarts);
    expect(whole.events).toEqual(byLine.events);
    expect(whole.parser.diagnostics).toEqual(byLine.parser.diagnostics);
    expect(whole.parser.stats).toEqual(byLine.parser.stats);
    expect(whole.parser.stats.lines).toBe(lineStarts.length + (text.endsWith('\n') ? 0 : 1));
    expect(whole.events.filter((e) => e.fields.name === 'b'.repeat(100_000))).toHaveLength(3);
  });
});

describe('FtraceTextParser: properties', () => {
  const sample = Buffer.concat(
    ftraceFixtures()
      .filter((f) => !f.startsWith('lab-'))
      .map((f) => readBytes(fixture('ftrace', f))),
  );

  it('gives the same events and diagnostics wherever the chunks split', () => {
    const whole = parseBytes(sample);
    fc.assert(
      fc.property(fc.array(fc.nat(sample.length), { maxLength: 12 }), (cuts) => {
        const split = parseBytes(sample, cuts);
        expect(split.events).toEqual(whole.events);
        expect(split.parser.diagnostics).toEqual(whole.parser.diagnostics);
        expect(split.parser.stats).toEqual(whole.parser.stats);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary bytes, and accounts for every line', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(2000), { maxLength: 5 }),
        (bytes, cuts) => {
          const { parser } = parseBytes(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          );
          const s = parser.stats;
          expect(s.lines).toBe(s.events + s.headerLines + s.skipped);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads mutated trace lines into columns as into objects: the same analysis and diagnostics', () => {
    // the columns reader with the analyzer's FIELDS_READ takes other paths (counted events,
    // function calls, lock rows, payloads checked in place): damaged lines must not tell them apart
    const lab = ['lab-C-function-head.trace.txt', 'lab-B-events.report-head.txt', 'lab-S-abba.trace.txt'];
    const lines = [
      ...new Set(
        [sample, ...lab.map((f) => readBytes(fixture('ftrace', f)))].flatMap((b) =>
          b.toString('latin1').split('\n'),
        ),
      ),
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.string({ maxLength: 6 }), fc.nat(), fc.boolean()),
          { minLength: 1, maxLength: 20 },
        ),
        (edits) => {
          const text = edits
            .map(([line, at, insert, del, mutate]) => {
              if (!mutate) return line;
              const p = at % (line.length + 1);
              return line.slice(0, p) + insert + line.slice(p + (del % 4));
            })
            .join('\n');
          const bytes = Buffer.from(`${text}\n`, 'latin1');
          const objects = parseBytes(bytes);
          const fromObjects = new TraceAnalyzer();
          fromObjects.push(objects.events);
          const parser = new FtraceTextParser({ columns: new ColumnsBuilder(7), fieldsRead: FIELDS_READ });
          const fromColumns = new TraceAnalyzer();
          for (const b of [...parser.pushColumns(bytes), ...parser.endColumns()]) fromColumns.push(b);
          expect(fromColumns.finish()).toEqual(fromObjects.finish());
          expect(parser.diagnostics).toEqual(objects.parser.diagnostics);
          expect(parser.stats).toEqual(objects.parser.stats);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on mutated trace lines', () => {
    const lines = sample.toString('utf8').split('\n');
    fc.assert(
      fc.property(
        fc.constantFrom(...lines),
        fc.nat(),
        fc.string({ maxLength: 6 }),
        fc.nat(),
        (line, at, insert, del) => {
          const p = at % (line.length + 1);
          const mutated = line.slice(0, p) + insert + line.slice(p + (del % 4));
          const parser = new FtraceTextParser();
          parser.push(Buffer.from(`${mutated}\n`));
          parser.end();
          expect(parser.stats.lines).toBe(1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FIELDS_READ, TraceAnalyzer } from '../../../src/analyzers/trace/trace-analyzer.js';
import { ColumnsBuilder } from '../../../src/ingest/columns-builder.js';
import { FtraceTextParser } from '../../../src/ingest/ftrace/text-parser.js';
import { COUNTED_EVENT, type EventColumns, FUNCTION_CALL } from '../../../src/model/event-columns.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { materialize, objectsOf, readBytes, TEXT_TRACES } from './parse-helpers.js';

/** The parser's columns output, pushed `chunk` bytes at a time. */
function columnsOf(bytes: Uint8Array, chunk: number, capacity: number, fieldsRead?: ReadonlySet<string>) {
  const parser = new FtraceTextParser({ columns: new ColumnsBuilder(capacity), fieldsRead });
  const batches: EventColumns[] = [];
  for (let i = 0; i < bytes.length; i += chunk)
    batches.push(...parser.pushColumns(bytes.subarray(i, i + chunk)));
  batches.push(...parser.endColumns());
  return { batches, parser };
}

/** The rows of each op. */
function opCounts(batches: EventColumns[]): Map<number, number> {
  const n = new Map<number, number>();
  for (const b of batches) for (let i = 0; i < b.count; i++) n.set(b.op[i]!, (n.get(b.op[i]!) ?? 0) + 1);
  return n;
}

const name = (p: string) => p.slice(p.indexOf('fixtures/'));
const isLock = (e: TraceEvent) => /^(?:lock_|contention_)/.test(e.name);
/** A function tracer event its table row read (`func <-parent`): a FUNCTION_CALL row. */
const isCall = (e: TraceEvent) =>
  e.name === 'function' && typeof e.fields.ip === 'string' && !/\s$/.test(e.payload) && e.payload !== '';
/** An event the analyzer only counts (not a stack, not an event with a hand-written payload reader). */
const isCounted = (e: TraceEvent) =>
  !FIELDS_READ.has(e.name) && e.name !== 'kernel_stack' && e.name !== 'user_stack';

describe('the text parser fills columns: the same analysis as its event objects', () => {
  it.each(TEXT_TRACES.map((p) => [name(p), p]))('%s', (_name, path) => {
    const bytes = readBytes(path);
    const objects = objectsOf(bytes);
    const fromObjects = new TraceAnalyzer();
    fromObjects.push(objects.events);
    const expected = fromObjects.finish();
    // large captures in 64 KiB pushes, small ones split everywhere
    const chunk = bytes.length > 200_000 ? 65_521 : 7;
    const capacity = bytes.length > 200_000 ? 16_384 : 5;
    for (const fieldsRead of [undefined, FIELDS_READ]) {
      const { batches, parser } = columnsOf(bytes, chunk, capacity, fieldsRead);
      const fromColumns = new TraceAnalyzer();
      for (const b of batches) fromColumns.push(b);
      expect(fromColumns.finish()).toEqual(expected);
      expect(parser.diagnostics).toEqual(objects.parser.diagnostics);
      expect(parser.stats).toEqual(objects.parser.stats);
      // lock events and function calls travelled as rows (no object), and with `fieldsRead` the
      // events the analyzer only counts; the rest whole, in input order
      const counted = (e: TraceEvent) => fieldsRead !== undefined && isCounted(e);
      const ops = opCounts(batches);
      expect(ops.get(FUNCTION_CALL) ?? 0).toBe(objects.events.filter((e) => isCall(e) && !counted(e)).length);
      expect(ops.get(COUNTED_EVENT) ?? 0).toBe(objects.events.filter(counted).length);
      const others = batches.flatMap((b) => b.others);
      expect(others).toEqual(objects.events.filter((e) => !isLock(e) && !isCall(e) && !counted(e)));
    }
  });
});

describe('events the analyzer only counts', () => {
  // lines shaped like the lab's (virtio-gpu events of 6.1), the first two payloads damaged
  const text = [
    '     kworker/0:1-17      [000] .....     8.504114: virtio_gpu_cmd_response: vq=0 name=control type=0x1100',
    '           drmfb-208     [000] ...1.     8.525900: virtio_gpu_cmd_queue: garbled',
    '           drmfb-208     [000] ...1.     8.525941: virtio_gpu_cmd_queue: vdev=0 vq=0 name=control type=0x103 flags=0x0 fence_id=0 ctx_id=0',
    '           drmfb-208     [000] d..1.     8.526025: drm_vblank_event_delivered: file=0000000000000000, crtc=0, seq=0',
    '           drmfb-208     [000] ...1.     8.526311: tracing_mark_write: lab: round 1',
    '           drmfb-208     [000] ...1.     8.526312: lock_release: ffffffff81ac7f00 fs_reclaim',
    '',
  ].join('\n');

  it('are rows with their name, and keep the diagnostics of their payloads', () => {
    const bytes = Buffer.from(text);
    const objects = objectsOf(bytes);
    const { batches, parser } = columnsOf(bytes, 13, 4, FIELDS_READ);
    expect(parser.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['ftrace-payload-mismatch', 1],
      ['ftrace-payload-mismatch', 2],
    ]);
    expect(parser.diagnostics).toEqual(objects.parser.diagnostics);
    const strings = batches.flatMap((b) => b.newStrings);
    const rows = batches.flatMap((b) =>
      [...b.op.subarray(0, b.count)].map((op, i) => [op, strings[b.name[i]!], b.line[i], b.pid[i]]),
    );
    expect(rows).toEqual([
      [COUNTED_EVENT, 'virtio_gpu_cmd_response', 1, 17],
      [COUNTED_EVENT, 'virtio_gpu_cmd_queue', 2, 208],
      [COUNTED_EVENT, 'virtio_gpu_cmd_queue', 3, 208],
      [COUNTED_EVENT, 'drm_vblank_event_delivered', 4, 208],
      [COUNTED_EVENT, 'print', 5, 208],
      [2 /* LOCK_RELEASE */, 'fs_reclaim', 6, 208],
    ]);
    expect(batches.flatMap((b) => b.others)).toEqual([]);
    const a = new TraceAnalyzer();
    for (const b of batches) a.push(b);
    expect(a.finish().events.byName).toEqual({
      drm_vblank_event_delivered: 1,
      lock_release: 1,
      print: 1,
      virtio_gpu_cmd_queue: 2,
      virtio_gpu_cmd_response: 1,
    });
  });
});

describe('a line whose text after the timestamp was a row before (the parser reads it as that row)', () => {
  it('keeps its own task, CPU, flags, time and line, and tells apart the tails that differ', () => {
    const heads = [
      '           drmfb-76      [001] ...1.     3.%s: ',
      '         kswapd0-28      [000] d..2.     3.%s: ',
      '  kworker/u8:1-99       [001] ...1.     3.%s: ',
      '           drmfb-77      [000] ...1.     3.%s: ',
    ];
    const tails = [
      'lock_acquire: ffff888003c5be60 &vgvq->qlock',
      'lock_acquire: ffff888003c5be60 try &vgvq->qlock',
      'lock_acquire: ffff888003c5be60 read &vgvq->qlock',
      'lock_release: ffff888003c5be60 &vgvq->qlock',
      'lock_acquire: ffff888003c5be68 &vgvq->qlock',
      'contention_begin: ffff888003c5be60 (flags=SPIN|MUTEX)',
      'contention_end: ffff888003c5be60 (ret=0)',
      'drm_gem_shmem_fault <-__do_fault',
      'drm_gem_shmem_fault <-do_fault',
      'lock_release: ffff888003c5be60 &vgvq->qlock ',
      'lock_acquire: ffff888003c5be70 &lock_a',
      'lock_acquire: ffff888003c5be70 &lock_b',
    ];
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const head = heads[(i * 7) % heads.length]!.replace('%s', String(100000 + i));
      lines.push(head + tails[(i * 3 + (i >> 4)) % tails.length]!);
    }
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
    const { batches } = columnsOf(bytes, bytes.length, 64, FIELDS_READ);
    const rows = materialize(batches) as Record<string, unknown>[];
    const objects = objectsOf(bytes).events;
    expect(rows).toHaveLength(400);
    rows.forEach((row, i) => {
      const e = objects[i]!;
      expect([row.line, row.ts, row.cpu, row.pid, row.comm, row.flags], lines[i]).toEqual([
        e.line,
        e.ts,
        e.cpu,
        e.pid,
        e.comm,
        e.flags,
      ]);
      // a row exactly for the lock events and calls whose payload ends in no blank
      expect(row.op !== 0, lines[i]).toBe((isLock(e) || isCall(e)) && !/\s$/.test(e.payload));
      if (e.name === 'function') expect([row.op, row.name], lines[i]).toEqual([FUNCTION_CALL, e.fields.ip]);
      else if (isLock(e) && row.op !== 0)
        expect(row.name ?? row.addr, lines[i]).toBe(
          e.name.startsWith('contention') ? e.fields.lock_addr : e.fields.name,
        );
    });
    // the acquisitions' try/read flags come from their own tails
    const acquires = rows.filter((_r, i) => objects[i]!.name === 'lock_acquire');
    expect(acquires.map((r) => r.arg)).toEqual(
      objects.filter((e) => e.name === 'lock_acquire').map((e) => e.fields.flags),
    );
  });
});

describe('a line whose tail repeats one that got a diagnostic', () => {
  it('gets its own diagnostic again (only clean tails are kept)', () => {
    const lines = [
      '           drmfb-76      [001] ...1.     3.000001: mm_vmscan_direct_reclaim_end: reclaimed nothing',
      '         kswapd0-28      [000] d..2.     3.000002: mm_vmscan_direct_reclaim_end: reclaimed nothing',
      '           drmfb-76      [001] ...1.     3.000003: virtio_gpu_cmd_queue: [FAILED TO PARSE] vdev=0',
      '         kswapd0-28      [000] d..2.     3.000004: virtio_gpu_cmd_queue: [FAILED TO PARSE] vdev=0',
      '           drmfb-76      [001] ...1.     3.000005: mm_vmscan_direct_reclaim_end: nr_reclaimed=12',
      '         kswapd0-28      [000] d..2.     3.000006: mm_vmscan_direct_reclaim_end: nr_reclaimed=12',
      '           drmfb-76      [001] ...1.     3.000007: mm_vmscan_direct_reclaim_end: reclaimed nothing',
    ];
    const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
    const objects = objectsOf(bytes);
    const { batches, parser } = columnsOf(bytes, bytes.length, 64, FIELDS_READ);
    expect(parser.diagnostics).toEqual(objects.parser.diagnostics);
    expect(parser.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['ftrace-payload-mismatch', 1],
      ['ftrace-payload-mismatch', 2],
      ['ftrace-failed-to-parse', 3],
      ['ftrace-failed-to-parse', 4],
      ['ftrace-payload-mismatch', 7],
    ]);
    const others = batches.flatMap((b) => b.others);
    expect(others).toEqual(objects.events.filter((e) => e.name !== 'virtio_gpu_cmd_queue'));
  });
});

describe('the tails table keeps no decoded piece alive', () => {
  it('holds its events’ payloads and fields as their own strings', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cols = new ColumnsBuilder(2048);
    const parser = new FtraceTextParser({ columns: cols, fieldsRead: FIELDS_READ });
    const filler =
      '          memhog-139     [000] ...1.    23.856905: lock_release: ffffffffa0002250 lab_shrinker_lock\n'.repeat(
        700,
      );
    gc();
    const before = process.memoryUsage().heapUsed;
    // 300 pieces of ~70 KB, each with a reclaim event of a new text (a template the table keeps)
    for (let i = 0; i < 300; i++) {
      const head = `          memhog-139     [000] ...1.    23.856906: mm_vmscan_direct_reclaim_begin: order=${i} gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO\n`;
      for (const b of parser.pushColumns(Buffer.from(head + filler, 'latin1'))) cols.recycle(b);
    }
    parser.endColumns();
    gc();
    // a template holding slices of its piece would keep all 300 decoded pieces: ~20 MB
    expect((process.memoryUsage().heapUsed - before) / 1e6).toBeLessThan(5);
    expect(parser.stats.events).toBe(300 * 701);
  });
});

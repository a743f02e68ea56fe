import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TraceAnalyzer } from '../../src/analyzers/trace/trace-analyzer.js';
import { InputError } from '../../src/ingest/input.js';
import { openTrace } from '../../src/ingest/trace-source.js';
import type { TraceEvent } from '../../src/model/trace-event.js';
import { fixture, SHARED, sharedPath } from '../helpers/shared.js';

async function drain(batches: AsyncGenerator<TraceEvent[]>): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

describe('openTrace', () => {
  it('reads ftrace text from a file', async () => {
    const src = await openTrace(fixture('ftrace', 'lab-S-abba.trace.txt'));
    expect(src.kind).toBe('text');
    const events = await drain(src.batches);
    expect(events).toHaveLength(225);
    expect(events[0]).toMatchObject({
      name: 'contention_begin',
      line: 13,
      ts: 3_619_274_000,
      fields: { lock_addr: 'ffffffff81ab1160', flags: 'SPIN|MUTEX' },
    });
    expect(src.diagnostics).toEqual([]);
  });

  it('reads gzipped text, and fills diagnostics while batches are consumed', async () => {
    const src = await openTrace(fixture('ftrace', 'lab-S-shrinker.trace.txt.gz'));
    expect(src.kind).toBe('text');
    const events = await drain(src.batches);
    expect(events).toHaveLength(13591);
    const damaged = await openTrace(fixture('ftrace', 'damaged.txt'));
    expect(damaged.diagnostics).toEqual([]);
    await drain(damaged.batches);
    expect(damaged.diagnostics.map((d) => d.line)).toEqual([3, 4, 5, 6, 8]);
  });

  it('reads stdin (`-`), gzipped or not', async () => {
    const bytes = readFileSync(fixture('ftrace', 'tracefs-6x-lock-flags.txt'));
    for (const input of [bytes, gzipSync(bytes)]) {
      const src = await openTrace('-', Readable.from([input.subarray(0, 5), input.subarray(5)]));
      expect(src.kind).toBe('text');
      expect((await drain(src.batches)).map((e) => e.name)).toEqual([
        'lock_acquire',
        'lock_acquire',
        'lock_acquire',
        'lock_acquire',
        'lock_acquired',
        'lock_release',
        'mm_shrink_slab_start',
        'lock_acquire',
        'contention_begin',
        'contention_end',
        'mm_shrink_slab_end',
        'lock_contended',
      ]);
    }
  });

  it('reads an empty input as no events', async () => {
    const src = await openTrace('-', Readable.from([]));
    expect(await drain(src.batches)).toEqual([]);
  });

  it('throws InputError for a missing file', async () => {
    await expect(openTrace(fixture('ftrace', 'no-such-trace.txt'))).rejects.toBeInstanceOf(InputError);
  });

  it.skipIf(!SHARED)('detects a trace.dat by its magic and delegates to the trace.dat reader', async () => {
    const path = sharedPath('corpus', 'lab-6.1', 'debian-6.1-virtio-gpu', 'B-events.trace.dat');
    const src = await openTrace(path);
    expect(src.kind).toBe('dat');
    const events = await drain(src.batches);
    expect(events.filter((e) => e.name === 'mm_shrink_slab_start')).toHaveLength(646);
    // Piped and gzipped, it is spooled to a temporary file first.
    const piped = await openTrace('-', Readable.from([gzipSync(readFileSync(path))]));
    expect(piped.kind).toBe('dat');
    expect((await drain(piped.batches)).length).toBe(events.length);
  });
});

describe('openTrace: atrace -z dumps', () => {
  it('inflates the zlib stream after the `TRACE:` banner', async () => {
    const text = readFileSync(fixture('ftrace', 'tracefs-tgid-4flags.txt'));
    const dump = Buffer.concat([Buffer.from('capturing trace... done\nTRACE:\n'), deflateSync(text)]);
    for (const input of [dump, gzipSync(dump)]) {
      const src = await openTrace('-', Readable.from([input.subarray(0, 40), input.subarray(40)]));
      const events = await drain(src.batches);
      expect(events.map((e) => e.name)).toEqual([
        'print',
        'sched_switch',
        'sched_wakeup',
        'dma_fence_signaled',
        'print',
        'mm_vmscan_kswapd_wake',
        'mm_vmscan_kswapd_sleep',
        'drm_vblank_event',
        'my_driver_event',
      ]);
      // The two banner lines come first, so the trace's own lines keep their numbers + 2.
      expect(events[0]!.line).toBe(14);
      expect(src.diagnostics).toEqual([]);
    }
  });
});

describe('openTrace: a file read in reused buffers', () => {
  it('inflates an atrace -z dump longer than a read, the same as from a pipe', async () => {
    // random marker payloads: the zlib stream spans several 1 MiB reads of the file
    let seed = 7;
    const hex = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed.toString(16).padStart(8, '0');
    };
    const lines = Array.from(
      { length: 70_000 },
      (_, i) =>
        `           drmfb-76      [001] ...1. ${(1 + i / 1e6).toFixed(6)}: tracing_mark_write: ${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}${hex()}`,
    );
    const dump = Buffer.concat([Buffer.from('TRACE:\n'), deflateSync(`${lines.join('\n')}\n`)]);
    expect(dump.length).toBeGreaterThan(2.5 * 1024 * 1024);
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-atrace-'));
    try {
      const path = join(dir, 'trace.z');
      writeFileSync(path, dump);
      const fromFile = await drain((await openTrace(path)).batches);
      const fromPipe = await drain((await openTrace('-', Readable.from([dump]))).batches);
      expect(fromFile).toHaveLength(70_000);
      expect(fromFile).toEqual(fromPipe);
      expect(fromFile[39_999]!.payload).toBe(
        lines[39_999]!.slice(lines[39_999]!.indexOf('tracing_mark_write')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openTrace: text as columns', () => {
  it.each([
    ['lab-S-shrinker.trace.txt.gz'],
    ['lab-S-abba.trace.txt'],
    ['function-stacktrace.txt'],
    ['damaged.txt'],
  ])('%s: the same analysis and diagnostics as the event objects, batch by batch', async (name) => {
    const path = fixture('ftrace', name);
    const objects = await openTrace(path);
    const expected = new TraceAnalyzer();
    for await (const b of objects.batches) expected.push(b);
    const columns = await openTrace(path, undefined, { columns: true });
    const analyzer = new TraceAnalyzer();
    let kinds = 0;
    for await (const b of columns.batches) {
      if ('kind' in b) kinds++;
      analyzer.push(b); // each batch before asking for the next (its arrays are then filled again)
    }
    expect(kinds).toBeGreaterThan(0);
    expect(analyzer.finish()).toEqual(expected.finish());
    expect(columns.diagnostics).toEqual(objects.diagnostics);
  });
});

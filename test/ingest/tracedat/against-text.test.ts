import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace } from '../../../src/ingest/trace-source.js';
import { readTraceDat } from '../../../src/ingest/tracedat/index.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';

/**
 * The trace.dat reader and the ftrace text parser must give analyzers the same
 * events: pairs of a trace.dat and a text rendering of the same buffer
 * (`trace-cmd report`, or the lab's tracefs `trace` dump of the same run).
 */
const pairs: [string, string, string][] = [];
if (SHARED) {
  const dir = 'corpus/lab-6.1/debian-6.1-virtio-gpu';
  pairs.push([
    'lab 6.1 run B (trace-cmd report)',
    sharedPath(dir, 'B-events.trace.dat'),
    sharedPath(dir, 'B-events.report.txt'),
  ]);
}
const runs = process.env.LOCKSCOPE_RUNS ?? fixture('runs');
if (existsSync(runs)) {
  for (const run of readdirSync(runs)) {
    const dat = join(runs, run, 'trace.dat');
    const text = ['trace.txt.gz', 'trace.txt'].map((t) => join(runs, run, t)).find(existsSync);
    if (existsSync(dat) && text) pairs.push([`fixtures/runs/${run}`, dat, text]);
  }
}

async function all(batches: AsyncGenerator<TraceEvent[]>): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

/** What both sources must agree on; text keeps µs, so times compare rounded to µs. */
function view(e: TraceEvent, textFlags: boolean, fullSymbols: boolean) {
  const f = e.fields;
  const lock = e.name.startsWith('lock_')
    ? { name: f.name, lockdep_addr: f.lockdep_addr, lockFlags: f.flags }
    : {};
  const contention =
    e.name === 'contention_begin' ? { lock_addr: f.lock_addr, contentionFlags: f.flags } : {};
  // trace-cmd prints `%pS` as `sym+0x0` (no size, no module); tracefs as the kernel: `sym+0x0/0x110 [mod]`
  const shrink = fullSymbols ? String(f.shrink) : String(f.shrink).split('/')[0];
  const shrinker = e.name.startsWith('mm_shrink_slab_')
    ? { shrink, nid: f.nid, total_scan: f.total_scan }
    : {};
  const gfp = 'gfp_flags' in f ? { gfp_flags: f.gfp_flags } : {};
  return {
    us: Math.round(e.ts / 1000),
    cpu: e.cpu,
    pid: e.pid,
    comm: e.comm,
    name: e.name,
    ...(textFlags ? { flags: e.flags } : {}),
    ...lock,
    ...contention,
    ...shrinker,
    ...gfp,
  };
}

describe.skipIf(pairs.length === 0)('trace.dat events equal the text parser on the same buffer', () => {
  it.each(pairs)('%s', async (_label, dat, text) => {
    const diagnostics: Diagnostic[] = [];
    const fromDat = await all(readTraceDat(dat, diagnostics));
    const fromText = await all((await openTrace(text)).batches);
    expect(diagnostics).toEqual([]);
    expect(fromDat.length).toBe(fromText.length);
    const textFlags = fromText.some((e) => e.flags !== null);
    const full = fromText.some((e) => String(e.fields.shrink ?? '').includes('/'));
    expect(fromDat.map((e) => view(e, textFlags, full))).toEqual(
      fromText.map((e) => view(e, textFlags, full)),
    );
  });
});

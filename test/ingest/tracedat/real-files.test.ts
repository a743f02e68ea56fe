import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../../../src/ingest/tracedat/index.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';
import type { TraceEvent } from '../../../src/model/trace-event.js';
import { SHARED, sharedPath } from '../../helpers/shared.js';

async function readAll(path: string) {
  const diagnostics: Diagnostic[] = [];
  const events: TraceEvent[] = [];
  for await (const batch of readTraceDat(path, diagnostics)) events.push(...batch);
  return { events, diagnostics };
}

function countByName(events: TraceEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.name] = (counts[e.name] ?? 0) + 1;
  return counts;
}

/** `trace-cmd report` prints µs rounded to nearest: `%5lu.%06lu`. */
function reportTime(ns: number): string {
  const us = Math.round(ns / 1000);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

describe.skipIf(!SHARED)('readTraceDat on real trace.dat files', () => {
  it('v7 zstd (lab 6.1 run B): every event of `trace-cmd report`, same order, times, tasks, CPUs', async () => {
    const dir = 'corpus/lab-6.1/debian-6.1-virtio-gpu';
    const { events, diagnostics } = await readAll(sharedPath(dir, 'B-events.trace.dat'));
    expect(diagnostics).toEqual([]);
    // `              sh-324   [001]    43.678348: mm_shrink_slab_start: kfree_rcu_shrink_scan+0x0 …`
    const report = readFileSync(sharedPath(dir, 'B-events.report.txt'), 'utf8')
      .split('\n')
      .map((l) => /^\s*(.*)-(\d+)\s+\[(\d{3})\]\s+(\d+\.\d{6}): (\w+):/.exec(l))
      .filter((m) => m !== null);
    expect(events).toHaveLength(4705);
    expect(report).toHaveLength(4705);
    const mine = events.map((e) => [e.comm, e.pid, e.cpu, reportTime(e.ts), e.name]);
    const theirs = report.map((m) => [m[1]!.trim(), Number(m[2]), Number(m[3]), m[4], m[5]]);
    expect(mine).toEqual(theirs);
    expect(countByName(events)).toMatchObject({
      mm_shrink_slab_start: 646,
      mm_shrink_slab_end: 646,
      virtio_gpu_cmd_queue: 1336,
      print: 10,
      contention_begin: 1,
    });
    expect(events[0]).toMatchObject({
      line: 1,
      ts: 34_571_352_053,
      cpu: 1,
      pid: 324,
      comm: 'sh',
      system: 'ftrace',
      name: 'print',
      fields: { ip: 'tracing_mark_write', buf: 'lab: phase drmfb start (frames=60)' },
    });
    const shrink = events.find((e) => e.name === 'mm_shrink_slab_start')!;
    expect(shrink).toMatchObject({ ts: 43_678_347_708, pid: 324, system: 'vmscan' });
    expect(shrink.fields).toEqual({
      shr: 'ffffffffaded6740',
      shrink: 'kfree_rcu_shrink_scan+0x0/0x110',
      nid: 0,
      nr_objects_to_shrink: 4,
      gfp_flags: 'GFP_KERNEL',
      cache_items: 2,
      delta: 4,
      total_scan: 4,
      priority: 0,
    });
    const end = events.find((e) => e.name === 'mm_shrink_slab_end')!;
    expect(end.fields).toMatchObject({
      shrink: 'kfree_rcu_shrink_scan+0x0/0x110',
      unused_scan: 4,
      new_scan: 4,
      retval: 2,
      total_scan: 0,
    });
    const contention = events.find((e) => e.name === 'contention_begin')!;
    expect(contention).toMatchObject({
      ts: 35_339_554_447,
      comm: 'cut',
      pid: 334,
      fields: { lock_addr: 'ffffffffadf48380', flags: 'SPIN|MUTEX' },
    });
  });

  it('v7 zstd (lab 6.1 run B): flag fields print as the report does (gfp_flags, contention flags)', async () => {
    const dir = 'corpus/lab-6.1/debian-6.1-virtio-gpu';
    const { events } = await readAll(sharedPath(dir, 'B-events.trace.dat'));
    // `gfp_flags GFP_KERNEL`, `gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO`, `(flags=SPIN|MUTEX)`
    const theirs = readFileSync(sharedPath(dir, 'B-events.report.txt'), 'utf8')
      .split('\n')
      .map((l) => /gfp_flags[= ](\S+)|\(flags=([^)]*)\)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => m[1] ?? m[2]);
    const mine = events
      .filter((e) => 'gfp_flags' in e.fields || e.name === 'contention_begin')
      .map((e) => String(e.fields.gfp_flags ?? e.fields.flags));
    expect(theirs).toHaveLength(677);
    expect(mine).toEqual(theirs);
    expect(mine).toContain('none');
    expect(mine).toContain('GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO');
  });

  it('v6 64-bit (trappy raw_trace.dat): 755 sched_switch + 2 bprint', async () => {
    const { events, diagnostics } = await readAll(
      sharedPath('corpus/traces-public/010-trappy-raw_trace-v6-64bit.dat'),
    );
    expect(diagnostics).toEqual([]);
    expect(countByName(events)).toEqual({ sched_switch: 755, bprint: 2 });
    expect(events[0]).toMatchObject({ ts: 106439675570920, cpu: 2, pid: 4734, comm: 'ls', name: 'bprint' });
    // the first sched_switch of corpus 008 (`trace-cmd report` of the same file):
    // `ls-4734  [002] 106439.675591: sched_switch: prev_comm=trace-cmd prev_pid=4734 prev_prio=120 prev_state=1024 …`
    expect(events[2]).toMatchObject({
      ts: 106439675591340,
      cpu: 2,
      comm: 'ls',
      fields: {
        prev_comm: 'trace-cmd',
        prev_pid: 4734,
        prev_prio: 120,
        prev_state: 1024,
        next_comm: 'migration/2',
        next_pid: 18,
        next_prio: 0,
      },
    });
    expect(events.at(-1)).toMatchObject({ ts: 106439679363540, cpu: 1, pid: 4729, comm: 'trace-cmd' });
  });

  it('v6 from a 32-bit kernel (4-byte commit, data at 12): thermal events and bprint', async () => {
    const { events, diagnostics } = await readAll(
      sharedPath('corpus/traces-public/013-trappy-trace-v6-32bit-long.dat'),
    );
    expect(diagnostics).toEqual([]);
    expect(countByName(events)).toEqual({ bprint: 501, cdev_update: 18, thermal_temperature: 6 });
    expect(events[0]).toMatchObject({
      ts: 7615709442088,
      cpu: 3,
      pid: 0,
      comm: '<idle>',
      fields: { ip: '0xc044504c', fmt: 'c089461c' },
    });
    expect(events.find((e) => e.name === 'thermal_temperature')).toMatchObject({
      ts: 7615881846338,
      cpu: 6,
      comm: 'kworker/6:2',
      pid: 1633,
      fields: { thermal_zone: 'exynos-therm', id: 0, temp_prev: 53808, temp: 53875 },
    });
    expect(events.at(-1)).toMatchObject({ ts: 7621207149005, cpu: 7 });
  });
});

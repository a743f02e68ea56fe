import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { GRAPH_PATTERNS, parseFunctionGraphBody } from '../../../src/ingest/ftrace/function-graph.js';
import { LATENCY_TOKENS } from '../../../src/ingest/ftrace/latency-line.js';
import { LINE_KINDS } from '../../../src/ingest/ftrace/line-kinds.js';
import { PAYLOAD_TABLE, parsePayloadByTable } from '../../../src/ingest/ftrace/payload-table.js';

describe('payload table', () => {
  it('has every event the issue lists', () => {
    const events = new Set(PAYLOAD_TABLE.flatMap((r) => r.events));
    for (const e of [
      'mm_shrink_slab_start',
      'mm_shrink_slab_end',
      'mm_vmscan_direct_reclaim_begin',
      'mm_vmscan_direct_reclaim_end',
      'mm_vmscan_kswapd_wake',
      'mm_vmscan_kswapd_sleep',
      'mm_vmscan_wakeup_kswapd',
      'mm_vmscan_memcg_reclaim_begin',
      'mm_vmscan_memcg_reclaim_end',
      'lock_acquire',
      'lock_release',
      'lock_contended',
      'lock_acquired',
      'contention_begin',
      'contention_end',
      'dma_fence_signaled',
      'virtio_gpu_cmd_queue',
      'virtio_gpu_cmd_response',
      'drm_vblank_event',
      'drm_vblank_event_delivered',
      'drm_sched_job',
      'drm_run_job',
      'drm_sched_job_run',
      'drm_sched_job_queue',
      'drm_sched_job_done',
      'sched_switch',
      'sched_waking',
    ])
      expect(events.has(e), e).toBe(true);
  });

  it.each([
    [
      'lock_acquire',
      '0xffff88800abc0010 try read &x->wait#5',
      { lockdep_addr: 'ffff88800abc0010', flags: 3, name: '&x->wait#5' },
    ],
    ['lock_acquire', '00000000a1b2c3d4 try ', { lockdep_addr: '00000000a1b2c3d4', flags: 0, name: 'try ' }],
    [
      'lock_acquire',
      '(____ptrval____) vgdev->lock ?: &lab_fallback_lock',
      { lockdep_addr: '(____ptrval____)', flags: 0, name: 'vgdev->lock ?: &lab_fallback_lock' },
    ],
    [
      'contention_begin',
      '00000000a1b2c3d4 (flags=SPIN|READ)',
      { lock_addr: '00000000a1b2c3d4', flags: 'SPIN|READ' },
    ],
    ['contention_end', '00000000a1b2c3d4 (ret=-4)', { lock_addr: '00000000a1b2c3d4', ret: -4 }],
    ['mm_vmscan_kswapd_wake', 'nid=0 zid=2 order=3', { nid: 0, zid: 2, order: 3 }],
    ['drm_vblank_event_delivered', 'file=(nil), crtc=1, seq=7', { file: '0', crtc: 1, seq: 7 }],
    [
      'sched_switch',
      'swapper/1:0 [120] R ==> kworker/1:1:29 [120]',
      {
        prev_comm: 'swapper/1',
        prev_pid: 0,
        prev_prio: 120,
        prev_state: 'R',
        next_comm: 'kworker/1:1',
        next_pid: 29,
        next_prio: 120,
      },
    ],
    [
      'sched_waking',
      'comm=kworker/0:1 pid=17 prio=120 target_cpu=000',
      { comm: 'kworker/0:1', pid: 17, prio: 120, target_cpu: 0 },
    ],
    ['some_new_event', 'a=1 b=x=y c=3,', { a: '1', b: 'x=y', c: '3' }],
  ])('%s: %s', (name, payload, fields) => {
    expect(parsePayloadByTable(name, payload)).toEqual({ fields, matched: true });
  });

  it('reports a mismatch and keeps the key=value fields', () => {
    expect(parsePayloadByTable('mm_vmscan_kswapd_wake', 'order=0')).toEqual({
      fields: { order: '0' },
      matched: false,
    });
  });

  it('reads trace-cmd funcgraph payloads', () => {
    expect(parseFunctionGraphBody('+ 36.358 us |  }')).toEqual({ func: null, depth: 0, duration_ns: 36358 });
    expect(parseFunctionGraphBody('                 |    do_IRQ() {')).toEqual({
      func: 'do_IRQ',
      depth: 1,
      duration_ns: null,
      leaf: false,
    });
  });
});

describe('no regex can backtrack catastrophically (recheck)', () => {
  const patterns: [string, RegExp][] = [
    ...PAYLOAD_TABLE.flatMap((r, i) =>
      r.pattern instanceof RegExp
        ? [[`payload row ${i} (${r.events[0]})`, r.pattern] as [string, RegExp]]
        : [],
    ),
    ...LINE_KINDS.map((r, i) => [`line kind ${i} (${r.kind})`, r.re] as [string, RegExp]),
    ...Object.entries(LATENCY_TOKENS).map(([k, re]) => [`latency token ${k}`, re] as [string, RegExp]),
    ...Object.entries(GRAPH_PATTERNS).map(([k, re]) => [`function_graph ${k}`, re] as [string, RegExp]),
  ];
  // A generous timeout: on a loaded machine the default (10 s) can end as `timeout`, which says nothing.
  it.each(patterns)('%s', { timeout: 300_000 }, async (_label, re) => {
    const result = await check(re.source, re.flags, { timeout: 240_000 });
    expect(result.status).toBe('safe');
  });
});

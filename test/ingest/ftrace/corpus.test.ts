import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED, sharedPath } from '../../helpers/shared.js';
import { countByName, parseFile } from './parse-helpers.js';

/**
 * Real traces from ../shared/corpus. The lab's MANIFEST.txt counts the events
 * of each text trace (by name as printed, counted before gzip): our parse
 * must find exactly those.
 */
function manifestCounts(): Map<string, Record<string, number>> {
  const text = readFileSync(sharedPath('corpus', 'lab-6.1', 'MANIFEST.txt'), 'utf8');
  const out = new Map<string, Record<string, number>>();
  let current: Record<string, number> | null = null;
  for (const line of text.split('\n')) {
    const head = /^## \.\/(.+)$/.exec(line);
    if (head) {
      current = {};
      out.set(head[1]!, current);
      continue;
    }
    const row = /^\s+(\d+) (\S+)$/.exec(line);
    if (current && row) {
      // tracefs markers (`tracing_mark_write:`) and trace-cmd's `print:` are both `print` events here.
      const printed = row[2]!;
      const name =
        printed === '(function)'
          ? 'function'
          : printed === 'tracing_mark_write:'
            ? 'print'
            : printed.replace(/:$/, '');
      current[name] = (current[name] ?? 0) + Number(row[1]);
    }
  }
  return out;
}

describe.skipIf(!SHARED)('lab-6.1 text traces: event counts equal MANIFEST.txt', () => {
  const counts = SHARED ? manifestCounts() : new Map();
  it('lists the lab text traces', () => {
    expect(counts.size).toBe(12);
  });
  for (const [rel, expected] of counts) {
    it(rel, () => {
      const plain = sharedPath('corpus', 'lab-6.1', rel);
      const path = existsSync(plain) ? plain : `${plain}.gz`;
      const { events, parser } = parseFile(path);
      expect(countByName(events)).toEqual(
        Object.fromEntries(Object.entries(expected).sort(([a], [b]) => a.localeCompare(b))),
      );
      expect(parser.stats.skipped).toBe(0);
      expect(parser.diagnostics.filter((d) => d.code !== 'ftrace-events-overwritten')).toEqual([]);
    });
  }

  it('names the lab shrinker and its lock with the kernel field names', () => {
    const { events } = parseFile(
      sharedPath('corpus', 'lab-6.1', 'lockdep-splats', 'shrinker', 'S-shrinker.trace.txt.gz'),
    );
    const start = events.find(
      (e) => e.name === 'mm_shrink_slab_start' && String(e.fields.shrink).startsWith('lab_scan'),
    );
    expect(start).toMatchObject({
      line: 6553,
      ts: 24_068_659_000,
      pid: 139,
      comm: 'memhog',
      fields: {
        shrink: 'lab_scan+0x0/0x47 [lab_lockdep]',
        shr: 'ffffffffa0002000',
        nid: 0,
        nr_objects_to_shrink: 0,
        gfp_flags: 'GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO',
        cache_items: 4096,
        delta: 2,
        total_scan: 2,
        priority: 12,
      },
    });
    const kswapdLock = events.find((e) => e.name === 'lock_acquire' && e.comm === 'kswapd0');
    expect(kswapdLock).toMatchObject({
      line: 6837,
      cpu: 0,
      pid: 28,
      flags: '...2.',
      fields: { lockdep_addr: 'ffffffffa0002250', flags: 0, name: 'lab_shrinker_lock' },
    });
  });

  it('reads the trace-cmd report of capture B like the tracefs text of capture A', () => {
    const { events } = parseFile(
      sharedPath('corpus', 'lab-6.1', 'debian-6.1-virtio-gpu', 'B-events.report.txt'),
    );
    const shrink = events.find((e) => e.name === 'mm_shrink_slab_start')!;
    expect(shrink.fields).toEqual({
      shrink: 'kfree_rcu_shrink_scan+0x0',
      shr: 'ffffffffaded6740',
      nid: 0,
      nr_objects_to_shrink: 4,
      gfp_flags: 'GFP_KERNEL',
      cache_items: 2,
      delta: 4,
      total_scan: 4,
      priority: 0,
    });
    expect(shrink).toMatchObject({ ts: 43_678_348_000, comm: 'sh', pid: 324, cpu: 1, flags: null });
  });
});

describe.skipIf(!SHARED)('public traces: every line accounted for, exact totals', () => {
  // [events, skipped] per file; the skipped lines are the documented damage (mail wrapping, doc elisions, HTML test junk).
  const expected: Record<string, [number, number]> = {
    '001-catapult-atrace-data-raw.txt': [116, 0],
    '002-catapult-atrace-tgid-markers.txt': [1042, 0],
    '003-catapult-android-systrace-legacy-3.0.txt': [31479, 0],
    '004-catapult-linux-perf-importer-fixtures.txt': [722, 4],
    '005-trappy-android-surfaceflinger-systrace-tgid.txt': [2506, 0],
    '006-trappy-android-systrace-fullcomm-tgid.txt': [10, 0],
    '007-trappy-legacy-systrace-eas-sched.txt': [15, 0],
    '008-trappy-trace-cmd-report-of-010-raw_trace.txt': [3, 0],
    '009-trappy-trace-cmd-report-tabs-unsorted.txt': [15, 0],
    '011-trappy-trace-cmd-report-bputs-equals.txt': [7, 0],
    '012-trappy-trace-cmd-report-eas-sched.txt': [11, 0],
    '014-lisa-trace-cmd-report-raw-fields.txt': [2941, 0],
    '015-wikibook-rpi-function-stacktrace-mutex-slowpath.txt': [3, 1],
    '016-wikibook-rpi-workqueue-irq-stacktrace.txt': [42, 1],
    '017-trappy-trace-cmd-report-failed-to-parse.txt': [11, 0],
    '019-trace-cmd-docs-report-examples.txt': [127, 46],
    '020-kernel-doc-ftrace-rst-examples.txt': [148, 4],
    '021-lkml-vmscan-shrink-slab-traces.txt': [13, 5],
    '022-lkml-lock-tracepoint-traces.txt': [59, 5],
    '023-lkml-function-graph-usbip-kdb.txt': [10, 1],
    '026-catapult-atrace-data-tool-rewritten.txt': [116, 0],
  };
  for (const [file, [events, skipped]] of Object.entries(expected)) {
    it(file, () => {
      const { parser } = parseFile(sharedPath('corpus', 'traces-public', file));
      const s = parser.stats;
      expect([s.events, s.skipped]).toEqual([events, skipped]);
      expect(s.lines).toBe(s.events + s.headerLines + s.skipped);
    });
  }
});

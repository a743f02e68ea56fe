import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConsoleLogParser } from '../../src/ingest/console/index.js';
import type { Report } from '../../src/model/report.js';
import { groupsText, reportText, signatureDiffText } from '../../src/render/triage-text.js';
import { lock, report } from '../helpers/report.js';
import { fixture, SHARED, sharedPath } from '../helpers/shared.js';

function parse(path: string): Report[] {
  const parser = new ConsoleLogParser({ path });
  return [...parser.push(readFileSync(path)), ...parser.end()];
}

describe('triage text', () => {
  it('the lab v5 splat, at 80 columns (edges and sites break between their parts)', () => {
    const [report] = parse(fixture('runs', 'v5', 'dmesg.txt'));
    expect(reportText(report!, 'v5/dmesg.txt')).toBe(
      [
        'v5/dmesg.txt:314: possible deadlock in shmem_lab_shrinker_scan',
        '  kind:       circular-dependency',
        '  banner:     WARNING: possible circular locking dependency detected',
        '  task:       kswapd0/27 on 6.1.192',
        '  signature:  circular-dependency:fs_reclaim|reservation_ww_class_mutex',
        '  cycle:      reservation_ww_class_mutex --> fs_reclaim -->',
        '              reservation_ww_class_mutex',
        '    reservation_ww_class_mutex --> fs_reclaim  at dma_resv_lockdep+0x1b6/0x263',
        '    fs_reclaim --> reservation_ww_class_mutex',
        '        at shmem_lab_shrinker_scan+0x141/0x1f0 [shmem_shrinker_lab]',
        '  acquiring:  reservation_ww_class_mutex',
        '              at shmem_lab_shrinker_scan+0x141/0x1f0 [shmem_shrinker_lab]',
        '  held:       fs_reclaim at balance_pgdat+0x290/0x540',
        '  locks held: 2 by kswapd0/27: fs_reclaim, shrinker_rwsem',
        '  guilty:     shmem_lab_shrinker_scan+0x141/0x1f0 [shmem_shrinker_lab]',
      ].join('\n'),
    );
  });

  // The first line (`path:line: title`, for editors to jump to) and a signature (one token
  // to copy into a --known file) stay whole; everything else fits 80 columns.
  it.skipIf(!SHARED)('every other line of the 32 real splats fits 80 columns', () => {
    const dir = SHARED ? sharedPath('corpus', 'splats') : '';
    const long: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
      for (const r of parse(`${dir}/${file}`)) {
        const [, ...rest] = reportText(r, file).split('\n');
        for (const line of rest)
          if (line.length > 80 && !line.startsWith('  signature:')) long.push(`${file}: ${line}`);
      }
    }
    expect(long).toEqual([]);
  });

  it.skipIf(!SHARED)('a lock being released is labelled so (017: bad unlock balance)', () => {
    const dir = SHARED ? sharedPath('corpus', 'splats') : '';
    const file = readdirSync(dir).find((f) => f.startsWith('017-'))!;
    const text = parse(`${dir}/${file}`)
      .filter((r) => r.kind === 'bad-unlock-balance')
      .map((r) => reportText(r, file))
      .join('\n');
    expect(text).toContain('  releasing:  &vkms_out->enabled_lock');
    expect(text).not.toContain('acquiring:');
  });

  it("a hung task's report shows its own block of the system-wide listing, and counts the others", () => {
    const block = (comm: string, pid: number, names: string[]) => ({
      task: { comm, pid },
      count: names.length,
      locks: names.map((n) => lock(n)),
      printed: true,
    });
    const hung = report({
      kind: 'hung-task',
      headline: 'INFO: task lab:12 blocked for more than 120 seconds.',
      title: 'INFO: task hung in lab_wait',
      signature: 'hung-task:lab_wait',
      task: { comm: 'lab', pid: 12 },
      heldLocks: [
        block('khungtaskd', 30, ['rcu_read_lock']),
        block('lab', 12, ['&lab->lock']),
        block('kworker/0:1', 9, []),
      ],
    });
    expect(
      reportText(hung, 'log')
        .split('\n')
        .filter((l) => l.startsWith('  locks held:')),
    ).toEqual([
      '  locks held: 1 by lab/12: &lab->lock',
      '  locks held: also by 2 other tasks (the system-wide listing: see --json)',
    ]);
    // a report of one task lists its block; none held reads so
    const one = report({ heldLocks: [block('kworker/2:4', 188, [])] });
    expect(reportText(one, 'log').split('\n')).toContain('  locks held: none by kworker/2:4/188');
  });

  it('--group and diff lines wrap at 80 columns, the signature whole', () => {
    const path = 'logs/ci/2026-11-27/run-with-a-long-name/console.log';
    const group = {
      signature: 'circular-dependency:&a->lock|&b->lock',
      kind: 'circular-dependency' as const,
      title: 'possible deadlock in lab_scan',
      count: 4,
      occurrences: [10, 20, 30, 40].map((startLine) => ({ path, startLine })),
    };
    expect(groupsText([group]).split('\n')).toEqual([
      '    4x  possible deadlock in lab_scan',
      '        circular-dependency:&a->lock|&b->lock',
      `        ${path}:10,`,
      `        ${path}:20,`,
      `        ${path}:30, ... 1 more`,
    ]);
    const diff = signatureDiffText({ new: [group], gone: [], both: [], knownNew: [] });
    expect(diff.split('\n').slice(0, 4)).toEqual([
      'new in HEAD (1):',
      '  + circular-dependency:&a->lock|&b->lock',
      '      possible deadlock in lab_scan',
      `      (4x, first ${path}:10)`,
    ]);
  });

  it('a chain that closes no cycle (an irq safe -> unsafe order) is shown as printed', () => {
    const link = (index: number, name: string) => ({ index, lock: lock(name), stack: [] });
    const r = report({
      kind: 'irq-safe-unsafe-order',
      chain: [link(2, 'console_owner'), link(1, 'target_list_lock'), link(0, '_xmit_ETHER#2')],
    });
    expect(
      reportText(r, 'log')
        .split('\n')
        .filter((l) => l.startsWith('  chain:')),
    ).toEqual(['  chain:      console_owner --> target_list_lock --> _xmit_ETHER#2']);
    // a circular report shows its cycle instead
    expect(reportText({ ...r, kind: 'circular-dependency' }, 'log')).not.toContain('  chain:');
  });
});

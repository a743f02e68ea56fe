import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConsoleLogParser } from '../../src/ingest/console/index.js';
import type { Report } from '../../src/model/report.js';
import { reportText } from '../../src/render/triage-text.js';
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
});

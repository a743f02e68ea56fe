import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLockStat } from '../../../src/ingest/proc/lock-stat.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';

describe('parseLockStat', () => {
  it('reads every class row and its call sites from the lab 6.1 dump', () => {
    const { classes, diagnostics } = parseLockStat(
      readFileSync(fixture('proc', 'virtio-gpu-proc-lock_stat.txt'), 'utf8'),
    );
    expect(diagnostics).toEqual([]);
    expect(classes).toHaveLength(291);
    expect(classes[0]).toEqual({
      name: '&sb->s_type->i_lock_key#3',
      rw: null,
      conBounces: 11616,
      contentions: 11828,
      waittime: { min: 4.11, max: 3454.74, total: 187432.37, avg: 15.85 },
      acqBounces: 12757,
      acquisitions: 200262,
      holdtime: { min: 0, max: 3449.5, total: 4428590.08, avg: 22.11 },
      contentionPoints: [
        { count: 11828, addr: 'ffffffff81161772', symbol: '__remove_mapping+0x52/0x200', line: 8 },
      ],
      contendingPoints: [
        { count: 11828, addr: 'ffffffff81161772', symbol: '__remove_mapping+0x52/0x200', line: 10 },
      ],
      line: 6,
    });
    const lru = classes.find((c) => c.name === '&lruvec->lru_lock')!;
    expect(lru.contentionPoints.map((p) => p.count)).toEqual([989, 80, 1984, 197]);
    expect(lru.contendingPoints.map((p) => p.symbol)).toContain('shrink_lruvec+0x527/0x990');
    expect(classes.filter((c) => c.name === '&mapping->i_mmap_rwsem').map((c) => c.rw)).toEqual(['W', 'R']);
  });

  it('reads the -W/-R rows of the kernel documentation example (corpus 025)', () => {
    if (!SHARED) return;
    const t = readFileSync(
      sharedPath('corpus/traces-public/025-proc-lock_stat-kernel-doc-example.txt'),
      'utf8',
    );
    const { classes } = parseLockStat(t);
    expect(classes.find((c) => c.name === 'tasklist_lock' && c.rw === 'R')).toMatchObject({
      line: expect.any(Number),
    });
    expect(classes.find((c) => c.name === 'clockevents_lock')).toMatchObject({
      contentions: 2947636,
      acquisitions: 3879161,
    });
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(Array.isArray(parseLockStat(s).classes)).toBe(true);
      }),
    );
  });
});

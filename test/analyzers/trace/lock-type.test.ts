import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import {
  contentionFlagBits,
  isAnnotationMap,
  isRcuReadSection,
  lockTypeFromContention,
  lockTypeFromKnownClass,
  lockTypeFromLockdepUsage,
  lockTypeFromReleaseDepths,
  preemptDepth,
  USAGE_REGEXES,
} from '../../../src/analyzers/trace/lock-type.js';
import { parseShrinkerSymbol } from '../../../src/analyzers/trace/shrinker-symbol.js';
import { SHRINKER_HEAD_RE } from '../../../src/analyzers/trace/trace-analyzer.js';

describe('lock type', () => {
  it('reads contention_begin flags as printed and as numbers (LCB_F_* bits)', () => {
    expect(contentionFlagBits('SPIN|MUTEX')).toBe(33);
    expect(contentionFlagBits('SPIN|READ')).toBe(3);
    expect(contentionFlagBits(8)).toBe(8);
    expect(contentionFlagBits('0x20')).toBe(32);
    expect(contentionFlagBits(undefined)).toBe(0);
    expect([33, 32, 8, 16, 2, 4, 1, 3, 5, 0].map((bits) => lockTypeFromContention(bits))).toEqual([
      'sleeping',
      'sleeping',
      'sleeping',
      'sleeping',
      'sleeping',
      'sleeping',
      'spinning',
      'spinning',
      'spinning',
      'unknown',
    ]);
  });

  it('reads the preempt depth of task-context latency flags and judges release depths', () => {
    expect(['...2.', 'd..1.', '.N.2.', 'd.h3.', '...1', 'dNs2', '', null].map(preemptDepth)).toEqual([
      2,
      1,
      2,
      null,
      1,
      null,
      null,
      null,
    ]);
    expect([
      lockTypeFromReleaseDepths(3, 0),
      lockTypeFromReleaseDepths(0, 9),
      lockTypeFromReleaseDepths(2, 2),
    ]).toEqual(['spinning', 'sleeping', 'unknown']);
    expect(lockTypeFromReleaseDepths(2, 0)).toBe('unknown');
  });

  it('reads the lockdep wait type of a usage string', () => {
    expect(lockTypeFromLockdepUsage('{+.+.}-{3:3}')).toBe('sleeping');
    expect(lockTypeFromLockdepUsage('(lab_irq_lock){-...}-{2:2}')).toBe('spinning');
    expect(lockTypeFromLockdepUsage('{+.+.}-{0:0}')).toBe('unknown');
    expect(lockTypeFromLockdepUsage('+.+.')).toBe('unknown');
    expect(lockTypeFromLockdepUsage(null)).toBe('unknown');
    // /proc/lockdep prints no wait type; a class taken in interrupt context spins
    expect(lockTypeFromLockdepUsage('-.-.')).toBe('spinning'); // &rq->__lock
    expect(lockTypeFromLockdepUsage('..-.')).toBe('spinning'); // softirq
    expect(lockTypeFromLockdepUsage('+.?.')).toBe('spinning');
    expect(lockTypeFromLockdepUsage('....')).toBe('unknown');
    expect(lockTypeFromLockdepUsage('{+.+.}-{0:0}')).toBe('unknown');
  });

  it('knows common kernel classes and names that say what they are', () => {
    expect(
      [
        'reservation_ww_class_mutex',
        '&mm->mmap_lock',
        'shrinker_rwsem',
        '&vgvq->qlock',
        '&rq->__lock',
        '&dev->mode_config.mutex',
        'tk_core.seq.seqcount',
        'lab_shrinker_lock',
        '&obj->mm.lock',
      ].map(lockTypeFromKnownClass),
    ).toEqual([
      'sleeping',
      'sleeping',
      'sleeping',
      'spinning',
      'spinning',
      'sleeping',
      'spinning',
      'unknown',
      'unknown',
    ]);
  });

  it('tells lockdep annotation maps and RCU read sections apart from locks', () => {
    expect(
      ['fs_reclaim', 'dma_fence_map', '(work_completion)(&vgvq->dequeue_work)', 'rcu_read_lock'].map(
        isAnnotationMap,
      ),
    ).toEqual([true, true, true, true]);
    expect(isAnnotationMap('lab_shrinker_lock')).toBe(false);
    expect(
      ['rcu_read_lock', 'rcu_read_lock_sched', 'drm_unplug_srcu', 'fs_reclaim'].map(isRcuReadSection),
    ).toEqual([true, true, true, false]);
  });
});

describe('parseShrinkerSymbol', () => {
  it('splits %pS into function and module', () => {
    expect(parseShrinkerSymbol('lab_scan+0x0/0x47 [lab_lockdep]')).toEqual({
      name: 'lab_scan',
      module: 'lab_lockdep',
    });
    expect(parseShrinkerSymbol('super_cache_scan+0x0/0x1f0')).toEqual({
      name: 'super_cache_scan',
      module: null,
    });
    expect(parseShrinkerSymbol('0xffffffffc0a01230')).toEqual({ name: '0xffffffffc0a01230', module: null });
    expect(parseShrinkerSymbol(undefined)).toEqual({ name: '(unknown)', module: null });
  });
});

describe('ReDoS: the lockdep usage and shrinker-head regexes are safe', () => {
  it.each([...USAGE_REGEXES, SHRINKER_HEAD_RE].map((r) => [r.source, r]))('%s', async (_src, re) => {
    const r = await check(re.source, re.flags, { randomSeed: 20261126 });
    expect(r.status).toBe('safe');
  });
});

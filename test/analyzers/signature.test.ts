import { readFileSync } from 'node:fs';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import {
  normalizeFunction,
  normalizeLockClass,
  reportSignature,
  SIGNATURE_REGEXES,
  type SignatureInput,
} from '../../src/analyzers/signature.js';
import { lockFromName } from '../../src/ingest/console/lock-line.js';
import { extractLockDetails } from '../../src/ingest/console/lockdep-details.js';
import type { ConsoleLine } from '../../src/model/console-line.js';
import type { Frame } from '../../src/model/frame.js';
import type { ReportKind } from '../../src/model/report.js';
import { fixture } from '../helpers/shared.js';

function frame(fn: string): Frame {
  const none = { offset: null, size: null, module: null, file: null, line: null, address: null };
  return { function: fn, ...none, inline: false, unreliable: false };
}

function input(kind: ReportKind, over: Partial<SignatureInput> = {}): SignatureInput {
  return { kind, acquiring: null, held: [], chain: [], guiltyFrame: null, title: '', heldLocks: [], ...over };
}

/** Lines of a lab fixture, `[ts]` prefixes stripped, from 1-based `from` to `to`. */
function lab(name: string, from: number, to?: number): ConsoleLine[] {
  const all = readFileSync(fixture('console', 'lab-6.1', name, 'dmesg.txt'), 'utf8').split('\n');
  return all.slice(from - 1, to ?? all.length).map((raw, i) => ({
    text: raw.replace(/^\[ *\d+\.\d+\] ?/, ''),
    ts: null,
    caller: null,
    level: null,
    line: from + i,
    quoteDepth: 0,
  }));
}

function labSignature(
  kind: ReportKind,
  name: string,
  from: number,
  to: number | undefined,
  guilty: string,
): string {
  const d = extractLockDetails(kind, lab(name, from, to));
  return reportSignature({ kind, ...d, guiltyFrame: frame(guilty), title: '' });
}

// Hand-checked from the logs: fixtures/console/lab-6.1/*/dmesg.txt.
describe('lab 6.1 splats', () => {
  it('shrinker: the contract example', () => {
    expect(labSignature('circular-dependency', 'shrinker', 276, undefined, 'lab_scan')).toBe(
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
    );
  });
  it('abba, recursive, irq, sleep', () => {
    expect(labSignature('circular-dependency', 'abba', 276, undefined, 'lab_abba')).toBe(
      'circular-dependency:lab_lock_a|lab_lock_b',
    );
    expect(labSignature('recursive-locking', 'recursive', 275, undefined, 'lab_recursive')).toBe(
      'recursive-locking:&o->lock',
    );
    expect(labSignature('inconsistent-lock-state', 'irq', 275, undefined, 'lab_irq')).toBe(
      'inconsistent-lock-state:lab_irq_lock',
    );
    expect(labSignature('sleeping-in-atomic', 'sleep', 274, 306, 'lab_sleep')).toBe(
      'sleeping-in-atomic:lab_sleep',
    );
    expect(labSignature('invalid-wait-context', 'sleep', 308, 350, 'lab_sleep')).toBe(
      'invalid-wait-context:lab_irq_lock|lab_lock_a',
    );
  });
});

describe('stability', () => {
  const a = (name: string) => lockFromName(name);
  it('ignores instance and subclass suffixes, order, duplicates, addresses and sites', () => {
    const one = input('circular-dependency', {
      acquiring: { ...a('&shmem->pages_lock#2/1'), address: 'ffff888100e0a8b0' },
      held: [a('reservation_ww_class_mutex')],
      chain: [
        { index: 1, lock: a('reservation_ww_class_mutex'), stack: [] },
        { index: 0, lock: a('&shmem->pages_lock#2/1'), stack: [] },
      ],
    });
    const other = input('circular-dependency', {
      acquiring: a('reservation_ww_class_mutex'),
      held: [{ ...a('&shmem->pages_lock#3'), address: 'ffff0000deadbeef' }],
      chain: [
        { index: 2, lock: a('&shmem->pages_lock'), stack: [] },
        { index: 1, lock: a('fs_reclaim'), stack: [] },
        { index: 0, lock: a('reservation_ww_class_mutex'), stack: [] },
      ],
    });
    expect(reportSignature(one)).toBe('circular-dependency:&shmem->pages_lock|reservation_ww_class_mutex');
    // a longer cycle through fs_reclaim is another bug
    expect(reportSignature(other)).toBe(
      'circular-dependency:&shmem->pages_lock|fs_reclaim|reservation_ww_class_mutex',
    );
  });

  it('uses the guilty function when no lock names the bug', () => {
    expect(
      reportSignature(input('suspicious-rcu-usage', { guiltyFrame: frame('cpuacct_charge.isra.0') })),
    ).toBe('suspicious-rcu-usage:cpuacct_charge');
    expect(reportSignature(input('sleeping-in-atomic', { guiltyFrame: frame('__x64_sys_ioctl') }))).toBe(
      'sleeping-in-atomic:sys_ioctl',
    );
    expect(reportSignature(input('warning', { title: 'WARNING in dma_buf_vmap' }))).toBe(
      'warning:dma_buf_vmap',
    );
    expect(reportSignature(input('other', { title: 'kernel panic 12 at 0xffff' }))).toBe(
      'other:kernel panic N at N',
    );
  });

  it('syzkaller `in corrupted` is no function: the title without its banner is used', () => {
    expect(
      reportSignature(input('suspicious-rcu-usage', { title: 'WARNING: suspicious RCU usage in corrupted' })),
    ).toBe('suspicious-rcu-usage:suspicious RCU usage');
  });

  it('lockdep capacity: the table that ran out, not who hit it', () => {
    const r = input('lockdep-capacity', {
      title: 'BUG: MAX_LOCKDEP_ENTRIES too low!',
      guiltyFrame: frame('add_lock_to_list'),
    });
    expect(reportSignature(r)).toBe('lockdep-capacity:MAX_LOCKDEP_ENTRIES too low!');
    expect(reportSignature({ ...r, title: 'BUG: MAX_LOCKDEP_ENTRIES too low! in corrupted' })).toBe(
      reportSignature(r),
    );
  });

  it('hung task: the function it blocks in, not the locks it happens to hold', () => {
    const r = input('hung-task', {
      guiltyFrame: frame('rtnl_lock'),
      heldLocks: [
        {
          task: { comm: 'kworker/u4:0', pid: 9 },
          count: 2,
          locks: [a('(wq_completion)events'), a('rtnl_mutex')],
          printed: true,
        },
      ],
    });
    expect(reportSignature(r)).toBe('hung-task:rtnl_lock');
    expect(reportSignature({ ...r, heldLocks: [] })).toBe('hung-task:rtnl_lock');
  });

  it('sleeping in atomic: the function that slept (held locks are printed only with lockdep on)', () => {
    const held = (names: string[]) => [
      { task: null, count: names.length, locks: names.map(a), printed: true },
    ];
    const withLockdep = input('sleeping-in-atomic', {
      guiltyFrame: frame('drm_gem_shmem_vmap.isra.0'),
      heldLocks: held(['&mm->mmap_lock', '&shmem->pages_lock']),
    });
    const without = input('sleeping-in-atomic', { guiltyFrame: frame('drm_gem_shmem_vmap') });
    expect(reportSignature(withLockdep)).toBe('sleeping-in-atomic:drm_gem_shmem_vmap');
    expect(reportSignature(without)).toBe(reportSignature(withLockdep));
  });

  it('invalid wait context: the lock taken and the innermost held lock, not the outer ones', () => {
    const held = (names: string[]) => [
      { task: null, count: names.length, locks: names.map(a), printed: true },
    ];
    const viaIoctl = input('invalid-wait-context', {
      acquiring: a('&vgdev->obj_free_lock'),
      heldLocks: held(['&f->f_pos_lock', 'rcu_read_lock']),
    });
    const viaFault = input('invalid-wait-context', {
      acquiring: a('&vgdev->obj_free_lock'),
      heldLocks: held(['&mm->mmap_lock', 'rcu_read_lock']),
    });
    expect(reportSignature(viaIoctl)).toBe('invalid-wait-context:&vgdev->obj_free_lock|rcu_read_lock');
    expect(reportSignature(viaFault)).toBe(reportSignature(viaIoctl));
  });
});

describe('normalizers', () => {
  it('normalizeLockClass', () => {
    expect(normalizeLockClass('&xa->xa_lock#9')).toBe('&xa->xa_lock');
    expect(normalizeLockClass('&pipe->mutex/1')).toBe('&pipe->mutex');
    expect(normalizeLockClass('&shmem->pages_lock#2/1')).toBe('&shmem->pages_lock');
    expect(normalizeLockClass('(wq_completion)events')).toBe('(wq_completion)events');
  });
  it('normalizeFunction', () => {
    expect(normalizeFunction('shrink_slab.constprop.0')).toBe('shrink_slab');
    expect(normalizeFunction('__se_sys_mbind')).toBe('sys_mbind');
    expect(normalizeFunction('lab_scan')).toBe('lab_scan');
  });
});

describe('ReDoS', () => {
  it.each(SIGNATURE_REGEXES.map((r) => [r.source, r]))('%s is safe', async (_src, re) => {
    // a fixed seed keeps the fuzzing checker reproducible
    const r = await check(re.source, re.flags, { randomSeed: 20261125 });
    expect(r.status).toBe('safe');
  });
});

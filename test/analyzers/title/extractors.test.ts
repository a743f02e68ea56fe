import { describe, expect, test } from 'vitest';
import { hungTaskFrame, stallFrame } from '../../../src/analyzers/title/extractors.js';
import { skipMatcher, stripFramePrefix } from '../../../src/analyzers/title/skip.js';
import { demangle } from '../../../src/analyzers/title/stack.js';

describe('guilty-frame extractors', () => {
  test('stalls: the frame above the first dispatch anchor', () => {
    expect(stallFrame(['lab_spin', 'lab_ioctl', 'vfs_ioctl', 'do_syscall_64'])).toEqual({
      frame: 'lab_ioctl',
      index: 1,
    });
    expect(stallFrame(['csd_lock_wait', 'smp_call_function_many_cond', 'on_each_cpu'])).toEqual({
      frame: 'smp_call_function',
      index: 1,
    });
    expect(stallFrame(['a', 'b'])).toBeNull();
  });

  test('hung tasks: known buckets first, then the first non-waiting frame', () => {
    expect(hungTaskFrame(['schedule', 'rwsem_down_write_slowpath', 'rtnl_lock', 'lab_ioctl'])).toEqual({
      frame: 'rtnl_lock',
      index: 2,
    });
    expect(hungTaskFrame(['schedule', 'synchronize_srcu', 'lab_exit'])).toEqual({
      frame: 'synchronize_rcu',
      index: 1,
    });
    expect(
      hungTaskFrame(['__schedule', 'schedule', 'io_schedule', 'folio_wait_bit_common', 'write_cache_pages']),
    ).toEqual({ frame: 'write_cache_pages', index: 4 });
  });

  test('syscall prefixes: the shortest stripped name', () => {
    expect(stripFramePrefix('__x64_sys_ioctl')).toBe('sys_ioctl');
    expect(stripFramePrefix('__se_sys_ioctl')).toBe('ioctl');
    expect(stripFramePrefix('__do_sys_clone')).toBe('clone');
    expect(stripFramePrefix('lab_scan')).toBe('lab_scan');
  });

  test('C++ names are demangled', () => {
    expect(demangle('_Z8fakeNameiii')).toBe('fakeName');
    expect(demangle('_ZN3foo3barEv')).toBe('foo::bar');
    expect(demangle('lab_scan')).toBe('lab_scan');
  });
});

describe('Rust v0 demangling', () => {
  test.each([
    ['_RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind', '__rustc::rust_begin_unwind'],
    [
      '_RNvNtNtCs9jEwPDbx20M_4core9panicking11panic_const24panic_const_sub_overflow',
      'core::panicking::panic_const::panic_const_sub_overflow',
    ],
    [
      '_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref',
      '<rust_binder::process::Process>::update_ref',
    ],
    [
      '_RNvXs1_CscPPBqWtAqum_11ashmem_rustNtB5_6AshmemNtNtCs43vyB533jt3_6kernel10miscdevice10MiscDevice4mmap',
      '<ashmem_rust::Ashmem as kernel::miscdevice::MiscDevice>::mmap',
    ],
    ['_RNvB_3foo', '_RNvB_3foo'],
    ['_Rgarbage', '_Rgarbage'],
  ])('%s', (mangled, plain) => {
    expect(demangle(mangled)).toBe(plain);
  });
});

describe('skip list', () => {
  test.each<[string, boolean]>([
    ['lock_acquire', true],
    ['__mutex_lock', true],
    ['mutex_lock_nested', true],
    ['kmalloc_trace', true],
    ['__kmem_cache_alloc_node', true],
    ['_raw_spin_lock_irqsave', true],
    ['down', true],
    ['down_read_killable', true],
    ['lab_scan', false],
    ['drm_gem_shmem_evict', false],
    ['update_down', false],
    ['dma_buf_detach', false],
    ['crc32_le', true],
    ['__rustc::rust_begin_unwind', false],
  ])('%s skipped: %s', (name, skipped) => {
    expect(skipMatcher(undefined)(name)).toBe(skipped);
  });

  test('row patterns add to the global list', () => {
    expect(skipMatcher(['__rustc::rust_begin_unwind'])('__rustc::rust_begin_unwind')).toBe(true);
    expect(skipMatcher(['^el1_'])('el1_abort_x')).toBe(true);
  });
});

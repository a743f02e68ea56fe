import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseFrame, parseFrameByRegex } from '../../../src/ingest/console/frame.js';
import { type Frame, makeFrame } from '../../../src/model/frame.js';

const frame = makeFrame;

const CASES: [string, Frame | null][] = [
  [
    ' drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]',
    frame({ function: 'drm_gem_shmem_evict', offset: 0x1d5, size: 0x580, module: 'drm_shmem_helper' }),
  ],
  [' ? lock_acquire+0x1/0x2', frame({ function: 'lock_acquire', offset: 1, size: 2, unreliable: true })],
  [' <IRQ>', null],
  [' </TASK>', null],
  [
    ' drm_gem_shmem_evict (drivers/gpu/drm/drm_gem_shmem_helper.c:123) drm_shmem_helper',
    frame({
      function: 'drm_gem_shmem_evict',
      file: 'drivers/gpu/drm/drm_gem_shmem_helper.c',
      line: 123,
      module: 'drm_shmem_helper',
    }),
  ],
  [
    ' dump_stack_lvl (lib/dump_stack.c:107 (discriminator 1))',
    frame({ function: 'dump_stack_lvl', file: 'lib/dump_stack.c', line: 107 }),
  ],
  [
    ' __mutex_lock_common kernel/locking/mutex.c:603 [inline]',
    frame({ function: '__mutex_lock_common', file: 'kernel/locking/mutex.c', line: 603, inline: true }),
  ],
  [
    ' __mutex_lock+0x1a/0x30 kernel/locking/mutex.c:747',
    frame({ function: '__mutex_lock', offset: 0x1a, size: 0x30, file: 'kernel/locking/mutex.c', line: 747 }),
  ],
  [
    '[<c010f0c0>] (unwind_backtrace) from [<c010b4a8>] (show_stack+0x10/0x14)',
    frame({ function: 'unwind_backtrace', address: 'c010f0c0' }),
  ],
  [
    '[<(____ptrval____)>] (unwind_backtrace) from [<(____ptrval____)>] (show_stack+0x10/0x14)',
    frame({ function: 'unwind_backtrace' }),
  ],
  [' unwind_backtrace from show_stack+0x18/0x1c', frame({ function: 'unwind_backtrace' })],
  [' func+0x1d/0x80', frame({ function: 'func', offset: 0x1d, size: 0x80 })],
  [
    '[<ffff000008089a48>] dump_backtrace+0x0/0x270',
    frame({ function: 'dump_backtrace', offset: 0, size: 0x270, address: 'ffff000008089a48' }),
  ],
  [
    '[<ffffffff81234567>] ? func+0x1/0x2',
    frame({ function: 'func', offset: 1, size: 2, unreliable: true, address: 'ffffffff81234567' }),
  ],
  [
    '[c000000000f3fb50] [c000000000cea3a8] dump_stack+0xec/0x164 (unreliable)',
    frame({
      function: 'dump_stack',
      offset: 0xec,
      size: 0x164,
      unreliable: true,
      address: 'c000000000cea3a8',
    }),
  ],
  [
    ' func.isra.0+0x1/0x2 [mod 0123abcd]',
    frame({ function: 'func.isra.0', offset: 1, size: 2, module: 'mod' }),
  ],
  [
    ' lab_recursive (lab/lab_lockdep.c:88 (discriminator 3) lab/lab_lockdep.c:97) lab_lockdep',
    frame({ function: 'lab_recursive', file: 'lab/lab_lockdep.c', line: 88, module: 'lab_lockdep' }),
  ],
  // arm64 6.13+: where the unwinder found the frame (syzkaller's linux-report/1000)
  [' __switch_to+0x2b0/0x6e0 (T)', frame({ function: '__switch_to', offset: 0x2b0, size: 0x6e0 })],
  [' el0_svc+0x34/0xe0 (P)', frame({ function: 'el0_svc', offset: 0x34, size: 0xe0 })],
  [
    ' lab_scan+0x40/0x90 [shmem_shrinker_lab] (LF)',
    frame({ function: 'lab_scan', offset: 0x40, size: 0x90, module: 'shmem_shrinker_lab' }),
  ],
  [' func+0x1/0x2 (X)', null],
  ['Call Trace:', null],
  ['hello world', null],
  ['schedule', null],
  ['', null],
];

describe('parseFrame', () => {
  test.each(CASES)('%j', (line, expected) => {
    expect(parseFrame(line)).toEqual(expected);
  });

  test('a very long line is not a frame and returns quickly', () => {
    expect(parseFrame(`${'a'.repeat(100_000)}+0x1/0x2`)).toBeNull();
  });
});

describe('the plain-frame fast path', () => {
  // Pieces of real frame lines and of the lines around them (registers, markers, prose).
  const PIECES = [
    'drm_gem_shmem_evict',
    '_x',
    '$',
    'R13',
    'RIP',
    'Code',
    ':',
    ': ',
    ' ',
    '  ',
    '\t',
    '? ',
    '?',
    '+0x1d5',
    '+0x',
    '/0x580',
    '/0x',
    '0xFFFF',
    ' [drm_shmem_helper]',
    ' [inline]',
    ' [mod 3f2a]',
    '[',
    ']',
    '[<ffffffff81234567>] ',
    ' (',
    ')',
    'kernel/locking/mutex.c:603',
    ' from ',
    '.isra.0',
    '.cold',
    '<IRQ>',
    '-',
    '0',
    'ffff888',
    '\u00e9',
    '\u00a0',
    '\r',
    ' (unreliable)',
    '(____ptrval____)',
  ];

  test('reads every line as the regexes do', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }), (parts) => {
        const line = parts.join('');
        expect(parseFrame(line)).toEqual(parseFrameByRegex(line));
      }),
      { numRuns: 20000 },
    );
  });

  test('reads the common x86 shapes and rejects register lines without the regexes changing a thing', () => {
    for (const line of [
      ' lock_acquire+0x1d5/0x580',
      ' ? lock_acquire+0x1d5/0x580 ',
      '\tf+0xA/0xb [m-1]',
      ' x+0x1/0x2 [inline]',
      'RIP: 0010:lock_acquire+0x1f/0x40',
      'R13: ffff888012345678 R14: 0000000000000000',
      ' 0xffffffffa0005056',
      ' <IRQ>',
      '',
    ]) {
      expect(parseFrame(line)).toEqual(parseFrameByRegex(line));
    }
  });
});

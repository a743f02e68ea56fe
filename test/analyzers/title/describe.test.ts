import { expect, describe as group, test } from 'vitest';
import { corruptionOf } from '../../../src/analyzers/title/corrupted.js';
import { CORRUPTED_NO_FRAMES, CORRUPTED_NO_REPORT, describe } from '../../../src/analyzers/title/describe.js';
import { BUG_OOPS, WARNING_OOPS } from '../../../src/ingest/console/oops/index.js';

const circular = [
  'WARNING: possible circular locking dependency detected',
  '6.1.0-lab #1 Not tainted',
  'kswapd0/100 is trying to acquire lock:',
  'ffff888100e0a8b0 (lab_shrinker_lock){+.+.}-{3:3}, at: mutex_lock+0x1d/0x80',
  '',
  'but task is already holding lock:',
  'ffffffff82a3c0e0 (fs_reclaim){+.+.}-{0:0}, at: lab_scan.isra.0+0x10b/0x6a0 [lab]',
  '',
  'stack backtrace:',
  'Call Trace:',
  ' dump_stack_lvl+0x45/0x5e',
  ' lab_scan.isra.0+0x1d/0x80 [lab]',
];

group('describe', () => {
  test('circular dependency: acquire site, then held site, skip lists and .isra stripped', () => {
    const d = describe(circular, WARNING_OOPS);
    expect(d.title).toBe('possible deadlock in lab_scan');
    expect(d.corruptedReason).toBeNull();
    expect(d.format?.kind).toBe('circular-dependency');
    expect(d.frames.map((f) => [f.canonical, f.line])).toEqual([['lab_scan', 6]]);
    expect(corruptionOf(d.title, circular, d.format)).toBeNull();
  });

  test('a banner seen before is matched from memory: the same description, whatever came between', () => {
    const first = describe(circular, WARNING_OOPS);
    // A different banner of the same kind, then the first again: its rows, groups and title unchanged.
    const other = describe(
      [
        'WARNING: CPU: 1 PID: 2 at drivers/gpu/drm/x.c:10 lab_evict+0x1/0x2',
        'Call Trace:',
        ' lab_evict+0x1/0x2',
      ],
      WARNING_OOPS,
    );
    expect(other.title).toBe('WARNING in lab_evict');
    const again = describe(circular, WARNING_OOPS);
    expect(again).toEqual(first);
    expect(again.title).toBe('possible deadlock in lab_scan');
    // The same banner as a longer line (a banner over 512 characters is not remembered): the same.
    const long = [`${circular[0]}${' '.repeat(600)}`, ...circular.slice(1)];
    expect(describe(long, WARNING_OOPS).title).toBe('possible deadlock in lab_scan');
  });

  test('a banner without the lines its row needs: corrupted, titled by the banner', () => {
    const d = describe(['WARNING: possible recursive locking detected', '6.1.0-lab #1'], WARNING_OOPS);
    expect(d).toMatchObject({
      title: 'WARNING: possible recursive locking detected',
      corruptedReason: CORRUPTED_NO_REPORT,
      format: null,
    });
    expect(d.matchedFormat?.kind).toBe('recursive-locking');
  });

  test('a stack with only skipped frames names `corrupted`', () => {
    const lines = [
      'BUG: scheduling while atomic: lab/1/0x00000002',
      'Call Trace:',
      ' schedule+0x1/0x2',
      ' dump_stack+0x1/0x2',
    ];
    const d = describe(lines, BUG_OOPS);
    expect([d.title, d.corruptedReason]).toEqual([
      'BUG: scheduling while atomic in corrupted',
      CORRUPTED_NO_FRAMES,
    ]);
  });

  test('syscall-prefixed frames give alternative titles', () => {
    const lines = [
      'BUG: sleeping function called from invalid context at x.c:1',
      'Call Trace:',
      ' __x64_sys_ioctl+0x1/0x2',
      ' do_syscall_64+0x1/0x2',
    ];
    const d = describe(lines, BUG_OOPS);
    expect(d.title).toBe('BUG: sleeping function called from invalid context in sys_ioctl');
    expect(d.altTitles).toEqual(['BUG: sleeping function called from invalid context in __x64_sys_ioctl']);
  });

  test('a report without a call trace is corrupted', () => {
    const lines = ['WARNING: CPU: 0 PID: 1 at lab.c:12 lab_probe+0x1/0x2', 'Modules linked in:'];
    const d = describe(lines, WARNING_OOPS);
    expect(corruptionOf(d.title, lines, d.format)).toBe('no stack trace in report');
  });

  test('a fault-injection frame in the stack walked marks the report corrupted, in the shapes syzkaller reads', () => {
    const kasan = [
      'BUG: KASAN: use-after-free in lab_free+0x1/0x2',
      'Read of size 8 at addr ffff888100e0a8b0 by task lab/1',
      'CPU: 0 PID: 1 Comm: lab Not tainted 6.1.0 #1',
      'Call Trace:',
      ' dump_stack_lvl+0x45/0x5e',
    ];
    const reason = (frame: string) =>
      describe([...kasan, frame, ' lab_use+0x1d/0x80 [lab]'], BUG_OOPS).corruptedReason;
    expect(reason(' should_failslab+0x5/0x10')).toBe(CORRUPTED_NO_FRAMES);
    expect(reason(' [<ffffffff81000000>] should_fail.cold+0x1/0x2')).toBe(CORRUPTED_NO_FRAMES);
    // Anything else before `should_fail` is another frame (syzkaller's regex is anchored).
    expect(reason('  should_fail+0x1/0x2')).toBeNull();
    expect(reason('should_fail+0x1/0x2')).toBeNull();
    expect(reason(' xshould_fail+0x1/0x2')).toBeNull();
  });
});

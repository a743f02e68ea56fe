import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import { ConsoleNormalizer, MAX_LINE_CHARS } from '../../../src/ingest/console/line-normalizer.js';
import { ReportScanner, type ScannedReport, titleLines } from '../../../src/ingest/console/report-scanner.js';
import { LineSplitter } from '../../../src/ingest/line-splitter.js';
import type { Report } from '../../../src/model/report.js';
import { parsedBothWays } from '../../helpers/console.js';
import { fixture } from '../../helpers/shared.js';

function parse(bytes: Buffer) {
  const p = new ConsoleLogParser();
  const reports = [...p.push(bytes), ...p.end()];
  return { reports, verdict: p.verdict(), stats: p.stats, diagnostics: p.diagnostics };
}

function scan(text: string): ScannedReport[] {
  const splitter = new LineSplitter();
  const n = new ConsoleNormalizer();
  const s = new ReportScanner();
  const out: ScannedReport[] = [];
  for (const raw of [...splitter.push(Buffer.from(text)), ...splitter.end()]) {
    for (const l of n.push(raw)) {
      const done = s.push(l);
      if (done) out.push(done);
    }
  }
  return [...out, ...s.end()];
}

const summary = (r: Report) => [
  r.kind,
  r.title,
  r.startLine,
  r.endLine,
  r.guiltyFrame?.function ?? null,
  r.corrupted,
];

describe('ConsoleLogParser: the lines it passes unread', () => {
  test('change nothing: a log gives the same when every line is read', () => {
    const labs = readdirSync(fixture('console', 'lab-6.1')).map((d) =>
      readFileSync(fixture('console', 'lab-6.1', d, 'dmesg.txt')),
    );
    const mins = readdirSync(fixture('console-min'))
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(fixture('console-min', f)));
    const read = vi.spyOn(ConsoleNormalizer.prototype, 'lineOf');
    let lines = 0;
    let wholeRead = 0;
    // The lab's run with caller ids (`[T123]`): lines of other tasks while a report is open.
    const callers = ['console.log', 'dmesg.txt'].map((f) => readFileSync(fixture('runs', 'caller-id', f)));
    for (const bytes of [...labs, ...mins, ...callers]) {
      read.mockClear();
      const whole = parsedBothWays(bytes);
      lines += whole.stats.lines;
      // The cut parse normalizes every line, as many as the whole parse has (its calls come last).
      wholeRead += read.mock.calls.length - whole.stats.lines;
    }
    read.mockRestore();
    // Most lines of the lab's boots are passed unread.
    expect(wholeRead / lines).toBeLessThan(0.5);
  });

  test('taken a run at a time: the run stops where a line must be read', () => {
    const quiet = (n: number, t: number) =>
      Array.from({ length: n }, (_, k) => `[    ${t}.${String(k).padStart(6, '0')}] lab: quiet ${k}`);
    const whole = parsedBothWays([
      ...quiet(5, 1),
      // too long to pass unread (it is cut), and a line ending in what may be a cut stamp
      `[    1.100000] lab: ${'x'.repeat(MAX_LINE_CHARS)}`,
      '[    1.100001] lab: Servic[   21.33258',
      '7] which lock',
      ...quiet(5, 1),
      '[    2.000000] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    2.000001] Call Trace:',
      '[    2.000002]  f+0x1/0x2',
      '[    2.000003] ---[ end trace 0000000000000000 ]---',
      ...quiet(5, 2),
      // a banner without a colon in the middle of a run, then a control character
      '[    3.000000] Kernel panic - not syncing: lab',
      ...quiet(2, 3),
      '[    3.100000] lab: \x07bell',
      ...quiet(2, 3),
      '',
    ]);
    expect(whole.reports.map((r) => [r.kind, r.startLine])).toEqual([
      ['warning', 14],
      ['panic', 23],
    ]);
    expect(whole.stats.lines).toBe(28);
    expect(whole.diagnostics.map((d) => d.code)).toContain('LINE_TOO_LONG');
  });

  test('around the lines that change state: cut stamps, a panic after an oops, journald', () => {
    const whole = parsedBothWays([
      '[    1.000000] boot',
      // a cut stamp whose tail comes too late (after 4 lines it is forgotten)
      '[    1.000001] y: Servic[   22.44444',
      '[    1.000002] quiet',
      '[    1.000003] quiet',
      '[    1.000004] quiet',
      '[    1.000005] quiet',
      '[    1.000006] quiet',
      '4] late tail',
      '[    1.000001] x: Servic[   21.33258',
      '7] which lock',
      '[    2.000000] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    2.000001] Call Trace:',
      '[    2.000002]  f+0x1/0x2',
      '[    2.000003] ---[ end trace 0000000000000000 ]---',
      '[    2.000004] quiet',
      '[    2.000005] quiet',
      '[    2.000006] Kernel panic - not syncing: Fatal exception',
      '[    2.000007] quiet',
      'Jul 10 16:12:52 host kernel: lab: one',
      '                             continued',
      '[    3.000000] after journald',
      '',
    ]);
    // The panic right after the WARNING is its aftermath, not a report of its own.
    expect(whole.reports.map((r) => [r.kind, r.startLine])).toEqual([['warning', 11]]);
    expect(whole.stats).toEqual({ lines: 21, reportLines: 4, skipped: 17 });
  });

  test('lines passed unread still count: a panic long after an oops is a report of its own', () => {
    // T1's WARNING is the log's verdict, T2's a second report: T3's chatter is read by neither.
    const chatter = Array.from({ length: 17 }, (_, i) => `[    1.${200001 + i}][   T3] chatter`);
    const whole = parsedBothWays([
      '[    1.000001][   T1] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    1.000002][   T1] ---[ end trace 0000000000000000 ]---',
      '[    1.100001][   T2] WARNING: CPU: 1 PID: 2 at b.c:1 g+0x1/0x2',
      '[    1.100002][   T2] ---[ end trace 0000000000000000 ]---',
      ...chatter,
      '[    1.300000][   T2] Kernel panic - not syncing: Fatal exception',
      '',
    ]);
    expect(whole.reports.map((r) => [r.kind, r.startLine])).toEqual([
      ['warning', 1],
      ['warning', 3],
      ['panic', 22],
    ]);
  });

  test("another caller's line still reaches the log's verdict when it can change it", () => {
    // A replay marker while the verdict holds its banner alone undoes it, whoever prints it.
    const replay = [
      '[    1.000001][   T1] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    1.000002][   T2] WARNING: CPU: 1 PID: 2 at b.c:1 g+0x1/0x2',
      '[    1.000003][   T2] Modules linked in:',
      '[    1.000004][   T3] ** replaying previous printk message **',
      '',
    ];
    // A message that carries a stack (another CPU's) ends what the verdict reads of a log without callers.
    const vmalloc = [
      '[    1.000001] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    1.000002] Modules linked in:',
      '[    1.000003][   T2] vmalloc: allocation failure: 0 bytes',
      '[    1.000004] Call Trace:',
      '[    1.000005]  f+0x1/0x2',
      '[    1.000006] ---[ end trace 0000000000000000 ]---',
      '',
    ];
    // Once the verdict's report sends NMIs, the other CPUs' backtraces are its too.
    const nmi = [
      '[    1.000001][   T1] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    1.000002][   T1] Sending NMI from CPU 0 to CPUs 1:',
      '[    1.000003][   T2] WARNING: CPU: 1 PID: 2 at b.c:1 g+0x1/0x2',
      '[    1.000004][   T2] Modules linked in:',
      '[    1.000005][   C1] Call Trace:',
      '[    1.000006][   C1]  f+0x1/0x2',
      '[    1.000007][   C1]  h+0x1/0x2',
      '',
    ];
    for (const lines of [replay, vmalloc, nmi]) parsedBothWays(lines);
  });

  test('the VM hang-up marker is read on any line: the log is cut, its verdict corrupted', () => {
    const whole = parsedBothWays([
      '[    1.000001][   T1] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
      '[    1.000002][   T1] Call Trace:',
      '[    1.000003][   T1]  f+0x1/0x2',
      '[    1.000004][   T1] ---[ end trace 0000000000000000 ]---',
      '[    1.100001][   T2] WARNING: CPU: 1 PID: 2 at b.c:1 g+0x1/0x2',
      '[    1.100002][   T2] ---[ end trace 0000000000000000 ]---',
      '[    1.200000][   T3] serialport: VM disconnected.',
      '',
    ]);
    expect(whole.verdict).toEqual({ title: 'WARNING in f', type: 'WARNING', corrupted: true });
  });

  test('in journald mode every line is read: a continuation takes the caller of the line before', () => {
    const whole = parsedBothWays([
      'Jul 10 16:12:52 host kernel: BUG: sleeping function called from invalid context at x.c:1',
      'Jul 10 16:12:52 host kernel: WARNING: possible circular locking dependency detected',
      'Jul 10 16:12:52 host kernel: lab/1 is trying to acquire lock:',
      '[    1.000002][  T12] lab: another task',
      '                             lab_scan+0x1d/0x80 [lab]',
      '',
    ]);
    // The indented line continues T12's message, not the WARNING.
    expect(whole.reports.map((r) => [r.kind, r.startLine, r.endLine])).toEqual([
      ['sleeping-in-atomic', 1, 1],
      ['circular-dependency', 2, 3],
    ]);
  });
});

describe('ConsoleLogParser on the minimal console logs', () => {
  test('interleaved callers: each report keeps its own task lines', () => {
    const bytes = readFileSync(fixture('console-min', 'interleaved-callers.log'));
    const { reports, verdict, stats } = parse(bytes);
    expect(reports.map(summary)).toEqual([
      ['circular-dependency', 'possible deadlock in lab_scan', 4, 64, 'lab_scan', false],
      ['warning', 'WARNING in lab_probe', 66, 78, 'lab_probe', false],
    ]);
    expect(verdict).toEqual({ title: 'possible deadlock in lab_scan', type: 'LOCKDEP', corrupted: false });
    expect(stats).toMatchObject({ lines: 79 });

    const [circular] = scan(bytes.toString());
    const foreign = bytes
      .toString()
      .split('\n')
      .map((l, i) => (l.includes('[  T200]') ? i + 1 : 0))
      .filter((n) => n > 0 && n < 65);
    expect(foreign).toEqual([8, 21, 52]);
    expect(circular?.lines.map((l) => l.line).filter((n) => foreign.includes(n))).toEqual([]);
  });

  test('plain timestamps: a lockdep-style report ends with its trace, a WARNING at its end marker', () => {
    const { reports, verdict, stats, diagnostics } = parse(
      readFileSync(fixture('console-min', 'two-reports-no-context.log')),
    );
    expect(reports.map(summary)).toEqual([
      [
        'sleeping-in-atomic',
        'BUG: sleeping function called from invalid context in lab_work',
        2,
        16,
        'lab_work',
        false,
      ],
      ['warning', 'WARNING in lab_work', 18, 26, 'lab_work', false],
    ]);
    expect(verdict).toEqual({
      title: 'BUG: sleeping function called from invalid context in lab_work',
      type: 'ATOMIC_SLEEP',
      corrupted: false,
    });
    expect(stats).toEqual({ lines: 27, reportLines: 24, skipped: 3 });
    expect(diagnostics).toContainEqual({
      code: 'LINES_OUTSIDE_REPORTS',
      message: '3 of 27 lines are outside any report (boot and console noise)',
      line: null,
      severity: 'info',
    });
  });

  test('mail-quoted journalctl output: the quote and the journal headers are stripped', () => {
    const { reports, verdict } = parse(readFileSync(fixture('console-min', 'quoted-journal.log')));
    expect(reports.map(summary)).toEqual([
      ['recursive-locking', 'possible deadlock in lab_recursive', 3, 20, 'lab_recursive', false],
    ]);
    expect(verdict).toEqual({
      title: 'possible deadlock in lab_recursive',
      type: 'LOCKDEP',
      corrupted: false,
    });
  });

  test("a wrapped, decoded report: titled as a reader would, while the verdict stays syzkaller's", () => {
    const { reports, verdict } = parse(readFileSync(fixture('console-min', 'wrapped-mail.log')));
    expect(reports.map(summary)).toEqual([
      ['recursive-locking', 'possible deadlock in lab_recursive', 2, 19, 'lab_recursive', false],
    ]);
    expect(verdict).toEqual({
      title: 'WARNING: possible recursive locking detected',
      type: 'WARNING',
      corrupted: true,
    });
  });

  test('the VM console hang-up marks the verdict corrupted, wherever the marker is read', () => {
    const log = readFileSync(fixture('console-min', 'two-reports-no-context.log'));
    const verdictOf = (bytes: Buffer, cut: number) => {
      const p = new ConsoleLogParser();
      p.push(bytes.subarray(0, cut));
      p.push(bytes.subarray(cut));
      p.end();
      return p.verdict().corrupted;
    };
    const withMarker = (marker: string) =>
      Buffer.concat([log, Buffer.from(`[   99.000001] ${marker}\n`, 'latin1')]);
    const at = log.length + 20;
    // In a chunk of its own, cut inside the marker's line (read joined with the chunk before), and
    // with a NUL inside it (the line is not clean: the marker shows once the NUL is dropped).
    for (const cut of [0, log.length, at, at + 5])
      expect([cut, verdictOf(withMarker('serialport: VM disconnected.'), cut)]).toEqual([cut, true]);
    expect(verdictOf(withMarker('serial\x00port: VM disconnected.'), log.length)).toBe(true);
    expect(verdictOf(withMarker('serialport: VM connected.'), log.length)).toBe(false);
  });

  test('a banner printed again after a cut undoes the verdict, even once a panic after it settled it', () => {
    // The KMSAN banner, 15 lines that do not count for its title, the panic that ends the reading
    // of it (after 16 lines), then printk's replay marker: the banner was cut, the next one counts.
    const log = Buffer.from(
      `BUG: KMSAN: x\n${'Disabling lock debugging due to kernel taint\n'.repeat(15)}` +
        'Kernel panic - not syncing: x\n** replaying previous printk message **\n' +
        'WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2\n',
    );
    const p = new ConsoleLogParser();
    p.push(log);
    p.end();
    expect(p.verdict()).toEqual({ title: 'WARNING in corrupted', type: 'WARNING', corrupted: true });
  });

  test('boot noise only: no report, every line counted as skipped', () => {
    const { reports, verdict, stats } = parse(readFileSync(fixture('console-min', 'no-report.log')));
    expect(reports).toEqual([]);
    expect(verdict).toEqual({ title: null, type: null, corrupted: false });
    expect(stats).toEqual({ lines: 5, reportLines: 0, skipped: 5 });
  });

  test('a report is emitted as soon as it is complete, before the input ends', () => {
    const bytes = readFileSync(fixture('console-min', 'two-reports-no-context.log'));
    const p = new ConsoleLogParser();
    // The BUG ends with its trace (`</TASK>`): it is out before the next line arrives.
    const cut = bytes.indexOf('[    5.200001]');
    expect(p.push(bytes.subarray(0, cut)).map((r) => r.kind)).toEqual(['sleeping-in-atomic']);
    // The WARNING ends at its `---[ end trace` marker.
    const end = bytes.indexOf('[    5.300001]');
    expect(p.push(bytes.subarray(cut, end)).map((r) => r.kind)).toEqual(['warning']);
    expect(p.push(bytes.subarray(end))).toEqual([]);
    expect(p.end()).toEqual([]);
  });
});

describe('ReportScanner', () => {
  test('`? ` frames stay in the report but not in the text that is titled', () => {
    const [r] = scan(
      [
        '[ 1.000001][ T1] BUG: scheduling while atomic: lab/1/0x00000002',
        '[ 1.000002][ T1] Call Trace:',
        '[ 1.000003][ T1]  ? lab_noise+0x1/0x2',
        '[ 1.000004][ T1]  lab_atomic+0x1/0x2',
      ].join('\n'),
    );
    expect(r?.lines.map((l) => l.text)).toHaveLength(4);
    expect(r && titleLines(r).texts).toEqual([
      'BUG: scheduling while atomic: lab/1/0x00000002',
      'Call Trace:',
      ' lab_atomic+0x1/0x2',
    ]);
  });

  test('a banner printk cut and replayed starts the report at the replayed line', () => {
    const reports = scan(
      [
        '[  584.319520][   T31] INFO: t',
        '** replaying previous printk message **',
        '[  584.319520][   T31] INFO: task udevd:5612 blocked for more than 143 seconds.',
      ].join('\n'),
    );
    expect(reports.map((r) => r.lines.map((l) => l.line))).toEqual([[3]]);
  });

  test('mail prose quoting a banner is not a report', () => {
    expect(scan('kernel test robot noticed "WARNING:possible_recursive_locking_detected" on:')).toEqual([]);
  });

  test('the registers ARM32 prints under each frame are part of the trace', () => {
    const { reports } = parse(
      Buffer.from(
        [
          '[ 9.000001][    C0] WARNING: inconsistent lock state',
          '[ 9.000002][    C0] inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage.',
          '[ 9.000003][    C0] Backtrace: ',
          '[ 9.000004][    C0] [<80de0078>] (dump_backtrace) from [<80de0574>] (show_stack+0x28/0x2c)',
          '[ 9.000005][    C0]  r9:60000193 r8:ffffffff r7:00000000 r6:00000080 r5:8101acf4 r4:00000000',
          '[ 9.000006][    C0] [<80de054c>] (show_stack) from [<80de7c10>] (dump_stack+0x154/0x1a8)',
          '[ 9.000007][    C0]  r5:00000000 r4:81260dfc',
          '[ 9.000008][    C0] [<80de7abc>] (dump_stack) from [<80de273c>] (lab_ref_zero+0x1a4/0x200)',
          '[ 9.000009][    C0]  r4:8120bec0 r3:00000000',
          '[ 9.000010][    C0] [<80de2598>] (lab_ref_zero) from [<801ba88c>] (lab_softirq+0xb88/0x11a8)',
          '[ 9.000011][    C0] lab: unrelated',
        ].join('\n'),
      ),
    );
    // (the trace used to end at the first register line, line 5)
    expect(reports.map((r) => [r.kind, r.startLine, r.endLine])).toEqual([
      ['inconsistent-lock-state', 1, 10],
    ]);
    expect(reports[0]?.stack.map((f) => f.function)).toEqual([
      'dump_backtrace',
      'show_stack',
      'dump_stack',
      'lab_ref_zero',
    ]);
  });

  test('a banner inside a sentence or a mail subject, with nothing after it, is no report', () => {
    const { reports, diagnostics } = parse(
      Buffer.from(
        [
          'Subject: [BUG] WARNING: possible circular locking dependency detected in lab_scan',
          '',
          'With v6 I get this WARNING: possible circular locking dependency detected on boot:',
          '',
          '[ 9.000001] usb 5-1: WARNING: lab USB support is incomplete, expect nothing to work!',
        ].join('\n'),
      ),
    );
    // (a message prefix before a banner is the kernel's: that line stays a report)
    expect(reports.map((r) => [r.startLine, r.kind])).toEqual([[5, 'warning']]);
    expect(diagnostics.filter((d) => d.code === 'BANNER_IN_PROSE').map((d) => d.line)).toEqual([1, 3]);
  });

  test('the all-CPU backtrace of a hung-task report is kept with it', () => {
    const [r] = scan(
      [
        '[ 5.000001][ T31] INFO: task lab:12 blocked for more than 120 seconds.',
        '[ 5.000002][ T31] Sending NMI from CPU 0 to CPUs 1:',
        '[ 5.000003][  C1] NMI backtrace for cpu 1',
        '[ 5.000004][ T77] unrelated',
      ].join('\n'),
    );
    expect(r?.lines.map((l) => l.line)).toEqual([1, 2, 3]);
  });
});

describe('report kinds of the banners syzkaller titles generically', () => {
  test.each<[string, string]>([
    ['[ 1.000001] BUG: MAX_LOCKDEP_KEYS too low!', 'lockdep-capacity'],
    ['[ 1.000001] BUG: MAX_STACK_TRACE_ENTRIES too low!', 'lockdep-capacity'],
    ['[ 1.000001] BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000000/12', 'workqueue-leaked-lock'],
    ['[ 1.000001] BUG: spinlock recursion on CPU#0, lab/1', 'spinlock-bug'],
    [
      '[ 1.000001] BUG: using smp_processor_id() in preemptible [00000000] code: lab/1',
      'preemptible-context',
    ],
    ['[ 1.000001] INFO: trying to register non-static key.', 'lockdep-internal'],
    [
      '[ 1.000001] WARNING: CPU: 0 PID: 1 at kernel/locking/lockdep.c:167 hlock_class+0x1/0x2',
      'lockdep-internal',
    ],
    ['[ 1.000001] BUG: KCSAN: data-race in lab_a / lab_b', 'kcsan-data-race'],
    ['[ 1.000001] INFO: task lab:12 blocked for more than 120 seconds.', 'hung-task'],
    ['[ 1.000001] Kernel panic - not syncing: lab', 'panic'],
    ['[ 1.000001] BUG: KASAN: slab-use-after-free in lab_free+0x1/0x2', 'kasan'],
    [
      '[ 1.000001] general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000',
      'bug',
    ],
  ])('%s → %s', (line, kind) => {
    expect(parse(Buffer.from(`${line}\n`)).reports.map((r) => r.kind)).toEqual([kind]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { SignatureGrouper } from '../../../src/analyzers/triage/group.js';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import type { Report } from '../../../src/model/report.js';
import { fixture } from '../../helpers/shared.js';

// The lab's five runs, one after the other: a log with six reports.
const LAB = fixture('console', 'lab-6.1');
const log = Buffer.concat(readdirSync(LAB).map((d) => readFileSync(`${LAB}/${d}/dmesg.txt`)));

function byPush(chunk: number): Report[] {
  const p = new ConsoleLogParser({ path: 'lab' });
  const out: Report[] = [];
  for (let i = 0; i < log.length; i += chunk) out.push(...p.push(log.subarray(i, i + chunk)));
  out.push(...p.end());
  return out;
}

describe('ConsoleLogParser onReport', () => {
  test('hands over each report as it is built, the ones push() and end() would return, in order', () => {
    const handed: Report[] = [];
    const p = new ConsoleLogParser({ path: 'lab', onReport: (r) => handed.push(r) });
    let returned = 0;
    for (let i = 0; i < log.length; i += 4096) returned += p.push(log.subarray(i, i + 4096)).length;
    // Each ends with its trace (lockdep reports): all are handed over during the pushes, none at the end.
    expect(handed.length).toBe(6);
    returned += p.end().length;
    expect(returned).toBe(0);
    expect(handed.map((r) => r.signature)).toEqual([
      'circular-dependency:lab_lock_a|lab_lock_b',
      'inconsistent-lock-state:lab_irq_lock',
      'recursive-locking:&o->lock',
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
      'sleeping-in-atomic:lab_sleep',
      'invalid-wait-context:lab_irq_lock|lab_lock_a',
    ]);
    expect(handed).toEqual(byPush(1 << 20));
  });
});

test('reports read without copying their lines are the same reports', () => {
  const handed: Report[] = [];
  const p = new ConsoleLogParser({ path: 'lab', copyReportLines: false, onReport: (r) => handed.push(r) });
  for (let i = 0; i < log.length; i += 4096) p.push(log.subarray(i, i + 4096));
  p.end();
  expect(handed).toEqual(byPush(1 << 20));
  expect(handed.length).toBe(6);
});

describe('reports keep no decoded piece of the log alive', () => {
  test('a log of many pieces, each with a report, all reports kept: memory grows with the reports only', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The lab's sleep boot (two reports; their final traces' frames have long names: slices of them would keep
    // their decoded piece), after ~70 KB of boot noise: one piece of the reader per report.
    const splat = readFileSync(`${LAB}/sleep/dmesg.txt`, 'latin1');
    const filler = '[    1.000000] virtio_gpu virtio0: [drm] features: +virgl +edid +resource_blob\n'.repeat(
      900,
    );
    const p = new ConsoleLogParser({ path: 'pieces' });
    const kept: Report[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 150; i++) kept.push(...p.push(Buffer.from(filler + splat, 'latin1')));
    kept.push(...p.end());
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(kept.length).toBe(300);
    expect(kept.every((r) => r.stack.length > 5)).toBe(true);
    // The reports alone grow it by ~4 MB; frames cut from the pieces' text kept them: 8.2 MB.
    expect(grown).toBeLessThan(6);
  });

  /**
   * The heap's growth (MB) while `pieces` are read as one log in 1 MiB chunks (as a file is read)
   * by the triage stream's parser (lines not copied), up to before its end: each piece about 72 KB,
   * ~900 lines of boot noise and then `text(i)`.
   */
  function streamGrowth(pieces: number, text: (i: number) => string, grouper: SignatureGrouper) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const filler = '[    1.000000] virtio_gpu virtio0: [drm] features: +virgl +edid +resource_blob\n'.repeat(
      900,
    );
    const log = Buffer.concat(
      Array.from({ length: pieces }, (_, i) => Buffer.from(filler + text(i), 'latin1')),
    );
    const p = new ConsoleLogParser({
      path: 'pieces',
      copyReportLines: false,
      onReport: (r) => grouper.add(r, 'pieces'),
    });
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < log.length; i += 1 << 20) p.push(log.subarray(i, i + (1 << 20)));
    gc();
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    p.end();
    return { grown, diagnostics: p.diagnostics };
  }

  test('reports not kept (lines not copied): what the triage stream keeps holds no piece either', () => {
    // The lab's shrinker splat with a frame-like line no reading understands in its chain (a
    // diagnostic quoting it), its lock and guilty function renamed in each piece (a group of its
    // own, and a name long enough to be a slice of the piece's text).
    const splat = readFileSync(`${LAB}/shrinker/dmesg.txt`, 'latin1').replace(
      '       fs_reclaim_acquire+0x64/0x90\n',
      '       fs_reclaim_acquire+0x64/0x90\n[   24.249370]        lab_unparsed_frame_name+0x64/zz!\n',
    );
    const grouper = new SignatureGrouper();
    const { grown, diagnostics } = streamGrowth(
      150,
      (i) =>
        splat
          .replaceAll('lab_scan', `lab_scan_objects_of_piece_${i}`)
          .replaceAll('lab_shrinker_lock', `lab_shrinker_lock_${i}`),
      grouper,
    );
    const groups = grouper.groups();
    expect(groups.length).toBe(150);
    expect(groups[7]?.title).toBe('possible deadlock in lab_scan_objects_of_piece_7');
    expect(diagnostics.filter((d) => d.code === 'FRAME_UNPARSED').length).toBe(150);
    // 0.4 MB; 10.2 MB when the diagnostics quote their line uncopied, or when the frame-skip memo
    // keeps the function names uncopied.
    expect(grown).toBeLessThan(3);
  });

  test('hung-task reports held back for a lock listing that never comes keep no piece', () => {
    // A kernel without lockdep prints no "Showing all locks held" after its hung tasks: each is
    // held back to the end of the log (a series waits for its listing).
    const grouper = new SignatureGrouper();
    const { grown } = streamGrowth(
      150,
      (i) =>
        [
          `[ 1000.000000] INFO: task lab-worker.${i}:${1000 + i} blocked for more than 143 seconds.`,
          '[ 1000.000001]       Not tainted 6.1.192 #2',
          `[ 1000.000003] task:lab-worker.${i} state:D stack:0     pid:${1000 + i} ppid:2      flags:0x00004000`,
          '[ 1000.000004] Call Trace:',
          '[ 1000.000005]  <TASK>',
          '[ 1000.000006]  __schedule+0x2e5/0x8a0',
          '[ 1000.000007]  schedule+0x5d/0xd0',
          `[ 1000.000008]  lab_worker_function_of_piece_${i}+0x20/0x40`,
          '[ 1000.000009]  kthread+0xe8/0x110',
          '[ 1000.000010]  </TASK>',
          '',
        ].join('\n'),
      grouper,
    );
    expect(grouper.groups().length).toBe(150);
    expect(grouper.groups()[7]?.title).toBe('INFO: task hung in lab_worker_function_of_piece_7');
    // 2.5 MB (the 150 held reports); 12.4 MB when their lines are not copied.
    expect(grown).toBeLessThan(6);
  });

  test("a report whose lines come one a piece, among other callers' lines, keeps no piece per line", () => {
    // Caller ids: the report is T100's; T200's lines and the boot noise fill each piece between its lines.
    const grouper = new SignatureGrouper();
    const noise = '[    2.000000][  T200] virtio_gpu virtio0: [drm] features: +virgl +edid +resource_blob\n';
    const { grown } = streamGrowth(
      300,
      (i) =>
        (i === 0
          ? '[    1.000000][  T100] WARNING: CPU: 1 PID: 100 at kernel/lab.c:10 lab_warn+0x1f/0x40\n' +
            '[    1.000001][  T100] Call Trace:\n'
          : '') +
        noise.repeat(20) +
        `[    3.000000][  T100]  lab_function_printed_in_piece_${i}+0x20/0x40\n`,
      grouper,
    );
    expect(grouper.groups().map((g) => g.title)).toEqual(['WARNING in lab_function_printed_in_piece_0']);
    // 0.3 MB; 19.7 MB when the report's lines are not copied once it spans more than a few pieces.
    expect(grown).toBeLessThan(3);
  });
});

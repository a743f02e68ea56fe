import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, ROOT } from '../helpers/shared.js';

const SHRINKER = 'fixtures/console/lab-6.1/shrinker/dmesg.txt';
const CLEAN = 'fixtures/triage/lockdep-6.1-virtio-gpu/dmesg.txt';
const SIGNATURE = 'circular-dependency:fs_reclaim|lab_shrinker_lock';

describe('lockscope triage', () => {
  it('prints the lab shrinker splat as text for a mail: title, cycle with sites, held locks, guilty frame', () => {
    const r = runCli(['triage', SHRINKER]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        `${SHRINKER}:277: possible deadlock in lab_scan`,
        '  kind:       circular-dependency',
        '  banner:     WARNING: possible circular locking dependency detected',
        '  task:       kswapd0/28 on 6.1.192',
        `  signature:  ${SIGNATURE}`,
        '  cycle:      lab_shrinker_lock --> fs_reclaim --> lab_shrinker_lock',
        '    lab_shrinker_lock --> fs_reclaim',
        '        at lab_alloc_under_lock+0x29/0x3d [lab_lockdep]',
        '    fs_reclaim --> lab_shrinker_lock  at lab_scan+0x17/0x47 [lab_lockdep]',
        '  acquiring:  lab_shrinker_lock at lab_scan+0x17/0x47 [lab_lockdep]',
        '  held:       fs_reclaim at balance_pgdat+0x290/0x540',
        '  locks held: 2 by kswapd0/28: fs_reclaim, shrinker_rwsem',
        '  guilty:     lab_scan+0x17/0x47 [lab_lockdep]',
        '',
      ].join('\n'),
    );
  });

  it('--json prints one document in the contract shape', () => {
    const r = runCli(['triage', '--json', SHRINKER, CLEAN]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual([SHRINKER, CLEAN]);
    const [splat, clean] = doc.files;
    expect({ title: splat.title, type: splat.type, corrupted: splat.corrupted }).toEqual({
      title: 'possible deadlock in lab_scan',
      type: 'LOCKDEP',
      corrupted: false,
    });
    expect(splat.reports).toHaveLength(1);
    const rep = splat.reports[0];
    expect(rep).toMatchObject({
      kind: 'circular-dependency',
      signature: SIGNATURE,
      startLine: 277,
      corrupted: false,
    });
    expect(rep.acquiring).toMatchObject({
      name: 'lab_shrinker_lock',
      class: 'lab_shrinker_lock',
      usage: '{+.+.}-{3:3}',
    });
    expect(rep.chain.map((l: { index: number; lock: { name: string } }) => [l.index, l.lock.name])).toEqual([
      [1, 'fs_reclaim'],
      [0, 'lab_shrinker_lock'],
    ]);
    for (const key of [
      'headline',
      'endLine',
      'task',
      'kernelRelease',
      'held',
      'heldLocks',
      'stack',
      'altTitles',
      'corruptedReason',
    ]) {
      expect(rep).toHaveProperty(key);
    }
    expect(clean).toMatchObject({ title: null, type: null, corrupted: false, reports: [] });
    expect(Array.isArray(clean.diagnostics)).toBe(true);
  });

  it('--group folds the same signature across files, with counts and occurrences', () => {
    const r = runCli([
      'triage',
      '--group',
      '--json',
      SHRINKER,
      'fixtures/console/lab-6.1/shrinker/console.log',
      CLEAN,
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      groups: [
        {
          signature: SIGNATURE,
          kind: 'circular-dependency',
          title: 'possible deadlock in lab_scan',
          count: 2,
          occurrences: [
            { path: SHRINKER, startLine: 277 },
            { path: 'fixtures/console/lab-6.1/shrinker/console.log', startLine: 276 },
          ],
        },
      ],
    });
  });

  it('--known hides known splats and says how many', () => {
    const r = runCli(['triage', '--json', '--known', 'fixtures/triage/known.txt', SHRINKER]);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.reports).toEqual([]);
    expect(file.knownHidden).toBe(1);
    expect(runCli(['triage', '--known', 'fixtures/triage/known.txt', SHRINKER]).stdout).toBe(
      'no lock reports\n(1 known report hidden by --known)\n',
    );
    // --group says so too
    expect(runCli(['triage', '--group', '--known', 'fixtures/triage/known.txt', SHRINKER]).stdout).toBe(
      'no lock reports\n(1 known report hidden by --known)\n',
    );
  });

  it('says nothing of lock reports for an input that is no console log (exit 2, stderr says why)', () => {
    for (const args of [
      ['triage', '-'],
      ['triage', '--group', '-'],
    ]) {
      const r = runCli(args, { input: 'what I did on the bench today\n' });
      expect([r.status, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe(
        '-:1: NOT_A_CONSOLE_LOG: no kernel console output in the first 64 KiB (no printk timestamps, no kernel banners)\n',
      );
    }
  });

  it('--format markdown gives a heading, fields and the cycle in a code block', () => {
    const r = runCli(['triage', '--format', 'markdown', SHRINKER]);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '### possible deadlock in lab_scan',
      '',
      `- **where**: \`${SHRINKER}:277\``,
    ]);
    expect(r.stdout).toContain('```\nlab_shrinker_lock --> fs_reclaim --> lab_shrinker_lock\n');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('- **locks held**'))).toEqual([
      '- **locks held**: 2 by kswapd0/28: `fs_reclaim`, `shrinker_rwsem`',
    ]);
  });

  it('reads gzipped stdin as `-`', () => {
    const r = runCli(['triage', '--json', '-'], { input: gzipSync(readFileSync(join(ROOT, SHRINKER))) });
    const file = JSON.parse(r.stdout).files[0];
    expect(file.path).toBe('-');
    expect(file.reports[0].signature).toBe(SIGNATURE);
  });

  it('reads a piped log without `-`', () => {
    const r = runCli(['triage'], { input: readFileSync(join(ROOT, SHRINKER)) });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('-:277: possible deadlock in lab_scan');
  });

  it('calls an input without kernel output unusable (exit 2), not clean', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const r = runCli(['triage', '-'], { input: garbage });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('-:1: NOT_A_CONSOLE_LOG: no kernel console output');
    expect(runCli(['triage', '-'], { input: '' }).stderr).toContain('EMPTY_INPUT');
    const diff = runCli(['triage', 'diff', SHRINKER, '-'], { input: garbage });
    expect(diff.status).toBe(2);
    expect(diff.stderr).toContain('lockscope: -: not a kernel console log');
  });

  it('calls a file that only mentions lockdep (a /proc/lock_stat dump, an ftrace capture) no console log', () => {
    for (const file of ['fixtures/runs/v5/proc-lock_stat.txt', 'fixtures/ftrace/lab-S-abba.trace.txt']) {
      const r = runCli(['triage', file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${file}:1: NOT_A_CONSOLE_LOG: no kernel console output`);
    }
  });

  it('a file of a batch that cannot be read to its end is one unusable file: the others are read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-cut-gz-'));
    try {
      const cut = join(dir, 'cut.log.gz');
      writeFileSync(cut, gzipSync(readFileSync(join(ROOT, SHRINKER))).subarray(0, 600));
      const r = runCli(['triage', '--json', cut, SHRINKER]);
      expect(r.status).toBe(0);
      const files = JSON.parse(r.stdout).files;
      expect(files.map((f: { path: string }) => f.path)).toEqual([cut, SHRINKER]);
      expect(files[0].diagnostics).toEqual([
        { code: 'UNREADABLE_INPUT', message: 'corrupt gzip data (unexpected end of file)', line: null },
      ]);
      expect(files[1].reports[0].signature).toBe(SIGNATURE);
      expect(r.stderr).toBe(`${cut}: UNREADABLE_INPUT: corrupt gzip data (unexpected end of file)\n`);
      // alone, it is the command's error
      expect(runCli(['triage', cut]).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('exits 2 naming the file when an input cannot be read', () => {
    const r = runCli(['triage', 'no/such/dmesg.txt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no/such/dmesg.txt');
  });

  it('exits 2 naming the directory when it holds no log file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-empty-'));
    try {
      writeFileSync(join(dir, 'report.json'), '{}');
      const r = runCli(['triage', dir]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`lockscope: ${dir}: no log files in this directory\n`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('with --json, a usage error is one small JSON document and exit 2; an unusable input leaves stdout empty', () => {
    const usage = runCli(['triage', '--json', '--no-such-flag']);
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { kind: 'usage', message: 'Nonexistent flag: --no-such-flag\nSee more help with --help' },
    });
    const missing = runCli(['triage', '--json', 'no/such/dmesg.txt']);
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { kind: 'input', message: 'no/such/dmesg.txt: no such file or directory' },
    });
    expect(missing.stderr).toBe('lockscope: no/such/dmesg.txt: no such file or directory\n');
  });

  it('with --json, an input that breaks mid-way still leaves one valid document, with the error in it', () => {
    // (alone: in a batch it is one unusable file, see above)
    const truncated = gzipSync(readFileSync(join(ROOT, SHRINKER))).subarray(0, 3000);
    const r = runCli(['triage', '--json', '-'], { input: truncated });
    expect(r.status).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual(['-']);
    expect(doc.error).toEqual({ kind: 'input', message: '-: corrupt gzip data (unexpected end of file)' });
    expect(doc.files[0].error).toEqual(doc.error);
  });

  it('strips control characters from input text on the terminal', () => {
    const log = readFileSync(join(ROOT, SHRINKER), 'utf8').replace(
      'lab_shrinker_lock){+.+.}',
      'lab_shrinker_lock\x1b]0;pwned\x07){+.+.}',
    );
    const r = runCli(['triage', '-'], { input: log });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('possible deadlock in lab_scan');
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('streams: a report is printed before the input ends', async () => {
    const log = readFileSync(fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt'));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'triage', '-'], { cwd: ROOT });
    let out = '';
    const seen = new Promise<string>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('guilty:')) resolve(out);
      });
    });
    // The splat and the boot lines that follow it in a console; stdin stays open.
    child.stdin.write(log);
    child.stdin.write(readFileSync(join(ROOT, CLEAN)).subarray(0, 4000));
    const first = await Promise.race([
      seen,
      new Promise<string>((r) => setTimeout(() => r('timeout'), 60_000)),
    ]);
    child.stdin.end();
    await new Promise((r) => child.on('close', r));
    expect(first).toContain('possible deadlock in lab_scan');
  });
});

describe('lockscope triage diff', () => {
  it('exits 1 when HEAD has a new signature and lists it', () => {
    const r = runCli(['triage', 'diff', CLEAN, SHRINKER]);
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([
      'new in HEAD (1):',
      `  + ${SIGNATURE}`,
      '      possible deadlock in lab_scan',
      `      (1x, first ${SHRINKER}:277)`,
    ]);
  });

  it('passes over a file of a directory that is no console log, as triage does; exit 2 when none is one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockscope-diff-'));
    try {
      writeFileSync(join(dir, 'dmesg.log'), readFileSync(join(ROOT, SHRINKER)));
      writeFileSync(join(dir, 'notes.log'), 'what I did on the bench today\n');
      const r = runCli(['triage', 'diff', dir, dir]);
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n')[3]).toBe(`  = ${SIGNATURE}`);
      expect(r.stderr).toContain(`${join(dir, 'notes.log')}:1: NOT_A_CONSOLE_LOG`);
      rmSync(join(dir, 'dmesg.log'));
      writeFileSync(join(dir, 'other.log'), 'and yesterday\n');
      const none = runCli(['triage', 'diff', SHRINKER, dir]);
      expect(none.status).toBe(2);
      expect(none.stderr).toContain(`lockscope: ${dir}: none of its 2 logs is a kernel console log`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('exits 0 when nothing is new, and lists gone and common signatures in --json', () => {
    const same = runCli(['triage', 'diff', '--json', SHRINKER, SHRINKER]);
    expect(same.status).toBe(0);
    const doc = JSON.parse(same.stdout);
    expect(doc.new).toEqual([]);
    expect(doc.both.map((p: { head: { signature: string } }) => p.head.signature)).toEqual([SIGNATURE]);
    const gone = runCli(['triage', 'diff', '--json', SHRINKER, CLEAN]);
    expect(gone.status).toBe(0);
    expect(JSON.parse(gone.stdout).gone.map((g: { signature: string }) => g.signature)).toEqual([SIGNATURE]);
  });

  it('does not count a --known signature as new', () => {
    expect(runCli(['triage', 'diff', '--known', 'fixtures/triage/known.txt', CLEAN, SHRINKER]).status).toBe(
      0,
    );
  });

  it('counts a boot once when a run bundle holds both dmesg.txt and console.log', () => {
    const r = runCli(['triage', '--group', '--json', 'fixtures/console/lab-6.1/shrinker']);
    expect(JSON.parse(r.stdout).groups.map((g: { count: number }) => g.count)).toEqual([1]);
  });

  it('takes directories of logs and skips the JSON beside them', () => {
    const r = runCli(['triage', 'diff', '--json', 'fixtures/triage', 'fixtures/console/lab-6.1']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).new.map((g: { signature: string }) => g.signature)).toEqual([
      'circular-dependency:lab_lock_a|lab_lock_b',
      'inconsistent-lock-state:lab_irq_lock',
      'recursive-locking:&o->lock',
      SIGNATURE,
      'sleeping-in-atomic:lab_sleep',
      'invalid-wait-context:lab_irq_lock|lab_lock_a',
    ]);
  });
});

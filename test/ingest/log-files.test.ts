import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandLogPaths } from '../../src/ingest/log-files.js';
import { scratchDir } from '../helpers/scratch.js';

describe('expandLogPaths', () => {
  const root = scratchDir('lockscope-log-files-');
  // A lab's result folder: two run bundles (dmesg + serial console each), a summary, a hidden
  // editor file, a `latest` link to one run's dmesg, a link to a folder, and a dangling link.
  const runs = join(root, 'runs');
  for (const run of ['run-41', 'run-42']) {
    mkdirSync(join(runs, run), { recursive: true });
    writeFileSync(join(runs, run, 'dmesg.txt'), '[    0.000000] Linux version 6.1.0\n');
    writeFileSync(join(runs, run, 'console.log'), '[    0.000000] Linux version 6.1.0\n');
    writeFileSync(join(runs, run, 'run.json'), '{}\n');
  }
  writeFileSync(join(runs, 'summary.txt'), 'two runs\n');
  writeFileSync(join(runs, '.dmesg.txt.swp'), 'x');
  symlinkSync('run-42/dmesg.txt', join(runs, 'latest-dmesg.txt'));
  symlinkSync('run-41', join(runs, 'previous'));
  symlinkSync('nowhere', join(runs, 'dangling.log'));
  // A folder of logs without log names: every file but JSON.
  const plain = join(root, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'b.txt'), 'b\n');
  writeFileSync(join(plain, 'a.txt'), 'a\n');
  writeFileSync(join(plain, 'verdict.json'), '{}\n');
  const empty = join(root, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'only.json'), '{}\n');

  it('takes the logs below a directory once each: no serial copy beside a dmesg, no link followed', async () => {
    expect(await expandLogPaths([runs])).toEqual([
      join(runs, 'run-41', 'dmesg.txt'),
      join(runs, 'run-42', 'dmesg.txt'),
    ]);
  });

  it('takes every file but JSON from a folder without log names, sorted', async () => {
    expect(await expandLogPaths([plain])).toEqual([join(plain, 'a.txt'), join(plain, 'b.txt')]);
  });

  it('keeps stdin and a file given by name, a link included, in the order given', async () => {
    const link = join(runs, 'latest-dmesg.txt');
    expect(await expandLogPaths(['-', link, join(plain, 'verdict.json')])).toEqual([
      '-',
      link,
      join(plain, 'verdict.json'),
    ]);
  });

  it('refuses a missing path and a directory without logs, naming them', async () => {
    await expect(expandLogPaths([join(root, 'missing')])).rejects.toThrow(
      `${join(root, 'missing')}: no such file or directory`,
    );
    await expect(expandLogPaths([empty])).rejects.toThrow(`${empty}: no log files in this directory`);
  });
});

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.js';
import { fixture } from '../helpers/shared.js';

const SPLAT = fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt');
const CLEAN = fixture('bisect', 'clean-boot', 'dmesg.txt');
const msg = (subject: string) => `${subject}\n\nWhy.\n\nSigned-off-by: Ada Kernel <ada@example.org>\n`;

/** Result bundles `NN/dmesg.txt` in a temp dir: `kinds[n]` is the log after patch n (null: no bundle; '' empty log). */
function results(root: string, name: string, kinds: (string | null)[]): string {
  const dir = join(root, name);
  kinds.forEach((log, n) => {
    if (log === null) return;
    const bundle = join(dir, String(n).padStart(2, '0'));
    mkdirSync(bundle, { recursive: true });
    if (log === '') writeFileSync(join(bundle, 'dmesg.txt'), '');
    else copyFileSync(log, join(bundle, 'dmesg.txt'));
  });
  return dir;
}

describe('bisect series', () => {
  let repo: TestRepo;
  let tmp: string;
  let series: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lockscope-bisect-series-'));
    repo = await createTestRepo();
    await repo.commit('lab: Skeleton', { 'lab.c': '/* lab */\n' });
    await repo.tag('base');
    for (const [n, subject] of [
      'lab: Add objects',
      'lab: Add a shrinker',
      'lab: Lock in the scan',
      'lab: Add stats',
    ].entries()) {
      await repo.commit(msg(subject), { [`f${n}.c`]: `int f${n};\n` });
    }
    series = join(tmp, 'series');
    await repo.formatPatch('base..HEAD', series, ['--cover-letter', '-v5']);
  });
  afterAll(() => {
    repo?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the first patch whose run shows the splat', () => {
    const dir = results(tmp, 'plain', [CLEAN, CLEAN, CLEAN, SPLAT, SPLAT]);
    const r = runCli(['bisect', 'series', dir, '--series', series], { env: repo.env });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      '00 good no splat  (base, no patch applied)',
      '01 good no splat  lab: Add objects',
      '02 good no splat  lab: Add a shrinker',
      '03 bad  possible deadlock in lab_scan  lab: Lock in the scan',
      '04 bad  possible deadlock in lab_scan  lab: Add stats',
      '',
      'first bad: patch 3/4 lab: Lock in the scan',
      'last good: patch 2',
      'confidence 0.75 (the splat showed in 2 of 2 runs from patch 3 on: estimated',
      '  reproduction chance 0.75)',
      '',
    ]);
    expect(r.stdout.split('\n')[0]).toMatch(/^looking for signature circular-dependency:/);
  });

  it('widens the candidates over a broken run and gives the JSON document', () => {
    const dir = results(tmp, 'broken', [null, CLEAN, '', SPLAT, CLEAN]);
    const r = runCli(
      ['bisect', 'series', dir, '--series', series, '--title', 'possible deadlock in lab_scan', '--json'],
      {
        env: repo.env,
      },
    );
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schemaVersion: 1,
      matcher: { title: 'possible deadlock in lab_scan' },
      first: { index: 3, subject: 'lab: Lock in the scan' },
      lastGood: { index: 1, subject: 'lab: Add objects' },
      candidates: [2, 3],
      // p = (1 hit + 1) / (2 runs + 2) from patch 3 on; one clean run at patch 1: 1 - 0.5; patch 4 contradicts: × 0
      reproChance: 0.5,
      confidence: 0,
    });
    expect(doc.patches.map((p: { verdict: string }) => p.verdict)).toEqual(['good', 'skip', 'bad', 'good']);
  });

  it("exits 2 when a bundle's run.json names another series version or patch subject than --series", () => {
    const runJson = (dir: string, n: number, about: object) =>
      writeFileSync(
        join(dir, String(n).padStart(2, '0'), 'run.json'),
        JSON.stringify({ name: `x/${n}`, module: about }),
      );
    const other = results(tmp, 'other-version', [CLEAN, CLEAN, SPLAT]);
    runJson(other, 1, { series: 'v4', patch: '01/04', subject: 'lab: Add objects' });
    const v4 = runCli(['bisect', 'series', other, '--series', series], { env: repo.env });
    expect(v4.status).toBe(2);
    expect(v4.stdout).toBe('');
    expect(v4.stderr).toBe(
      `lockscope: ${join(other, '01', 'run.json')}: a run of v4 patch 01/04 "lab: Add objects", but the series is v5 (--series ${series})\n`,
    );
    const renamed = results(tmp, 'other-subject', [CLEAN, CLEAN, SPLAT]);
    runJson(renamed, 1, { series: 'v5', patch: '01/04', subject: 'lab: Add objects' });
    runJson(renamed, 2, { series: 'v5', patch: '02/04', subject: 'lab: Purge objects first' });
    const subject = runCli(['bisect', 'series', renamed, '--series', series], { env: repo.env });
    expect(subject.status).toBe(2);
    expect(subject.stderr).toBe(
      `lockscope: ${join(renamed, '02', 'run.json')}: a run of v5 patch 02/04 "lab: Purge objects first", but the series' patch 2 is "lab: Add a shrinker" (--series ${series})\n`,
    );
    // the run.json of the right series passes
    runJson(renamed, 2, { series: 'v5', patch: '02/04', subject: 'lab: Add a shrinker' });
    expect(runCli(['bisect', 'series', renamed, '--series', series], { env: repo.env }).status).toBe(0);
  });

  it('says so when the splat never appears, and exits 2 without bundles', () => {
    const none = runCli(['bisect', 'series', results(tmp, 'none', [CLEAN, CLEAN]), '--series', series], {
      env: repo.env,
    });
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('the splat appears after no patch of the series');
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const bad = runCli(['bisect', 'series', empty, '--series', series], { env: repo.env });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('no NN/dmesg.txt bundles');
  });
});

/** The lab's per-patch runs of v5: the splat must first appear with patch 6, which made the scan take dma_resv_lock. */
const V5_BISECT = fixture('runs', 'v5-bisect');
describe.skipIf(!existsSync(join(V5_BISECT, '09')))('bisect series on the lab v5 per-patch runs', () => {
  it('finds patch 6', () => {
    const r = runCli(['bisect', 'series', '--json', V5_BISECT, '--series', fixture('series', 'v5')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.matcher).toEqual({ signature: 'circular-dependency:fs_reclaim|reservation_ww_class_mutex' });
    expect(doc.first).toEqual({
      index: 6,
      subject: 'shmem-shrinker-lab: Register a generic memory shrinker',
    });
    expect(doc.lastGood.index).toBe(5);
    expect(doc.candidates).toEqual([6]);
    expect(doc.confidence).toBeGreaterThan(0);
    expect(doc.patches.slice(0, 5).map((p: { verdict: string }) => p.verdict)).toEqual([
      'good',
      'good',
      'good',
      'good',
      'good',
    ]);
  });
});

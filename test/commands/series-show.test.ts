import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { pastedLineMail } from '../helpers/series.js';
import { fixture, SHARED, sharedPath } from '../helpers/shared.js';
import { buildToyRepo, type ToyRepo } from '../ingest/series/toy-series.js';

// Run `npm run build` first: these run the built CLI.
describe('lockscope series show', () => {
  it('prints an 80-column table: n/N, subject, files, lock-op summary', () => {
    const r = runCli(['series', 'show', fixture('series-min', 'v1')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines).toEqual([
      'v1, 3 patches: drm/toy: a memory shrinker for the toy driver',
      'cover letter: no changelog',
      '',
      // (the prefix all subjects share is said once: the column tells them apart)
      'every subject starts with "drm/toy: "',
      'n/N  subject                         files  locking (+ added, - removed)',
      '1/3  add a memory shrinker               1  +mutex_trylock +dma_resv_lock',
      '                                            +.count_objects +.scan_objects',
      '                                            +register_shrinker',
      '2/3  allocate the page array on de…      1  +dma_resv_lock',
      '                                            +kvmalloc_array(GFP_KERNEL)',
      '3/3  add toy_bo_vmap_locked()            1  -',
    ]);
  });

  it('exits 2 on a text with no blank line for over 2 MiB (the mail parser refuses such a header block)', () => {
    // (a long ftrace or systrace capture given by mistake: 40000 lines, 2.8 MB, no blank one)
    const text = '  <idle>-0     [000] d..2  1.000000: sched_switch: prev_comm=swapper\n'.repeat(40000);
    const r = runCli(['series', 'show', '-'], { input: text });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('lockscope: -: no patch or cover letter found (not an mbox of patches)\n');
  });

  it('--json gives exactly {schemaVersion, series:{version,total,cover,patches:[...]}}', () => {
    const r = runCli(['series', 'show', '--json', fixture('series-min', 'toy-v2.mbox')]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'series', 'diagnostics']);
    expect(doc.diagnostics).toEqual([]);
    expect(doc.schemaVersion).toBe(1);
    expect(Object.keys(doc.series)).toEqual(['version', 'total', 'cover', 'patches']);
    expect([doc.series.version, doc.series.total, doc.series.patches.length]).toEqual([2, 3, 3]);
    const p = doc.series.patches[2];
    expect(Object.keys(p)).toEqual([
      'index',
      'total',
      'version',
      'subject',
      'author',
      'trailers',
      'files',
      'lockOps',
    ]);
    expect(p.files).toEqual(['drivers/gpu/drm/toy/toy_gem.c']);
    expect(p.lockOps).toEqual([
      {
        kind: 'assert',
        primitive: 'dma_resv_assert_held',
        family: 'dma_resv',
        lock: 'bo->resv',
        gfp: null,
        role: null,
        function: 'toy_bo_vmap_locked',
        file: 'drivers/gpu/drm/toy/toy_gem.c',
        line: 102,
        change: 'added',
        confidence: 'hunk',
      },
    ]);
  });

  it.skipIf(!SHARED)('a lone cover letter gives its version and total, with no patches', () => {
    const r = runCli(['series', 'show', '--json', sharedPath('corpus', 'series', 'v6-0000-cover.txt')]);
    expect(r.status).toBe(0);
    const { series } = JSON.parse(r.stdout);
    expect([series.version, series.total, series.patches]).toEqual([6, 22, []]);
    expect(series.cover.changelog.map((s: { version: number }) => s.version)).toEqual([6, 5, 4, 3, 2]);
  });

  describe('from git and on bad input', () => {
    let toy: ToyRepo;
    let dir: string;
    beforeAll(async () => {
      toy = await buildToyRepo();
      dir = mkdtempSync(join(tmpdir(), 'lockscope-show-'));
    });
    afterAll(() => {
      toy?.repo.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('reads a branch with --base and a base..tag range, whole-file confidence', () => {
      const a = runCli(['series', 'show', '--json', '--base', toy.base, 'toy-v1'], {
        cwd: toy.repo.dir,
        env: toy.repo.env,
      });
      const b = runCli(['series', 'show', '--json', `${toy.base}..b4/toy-v1`], {
        cwd: toy.repo.dir,
        env: toy.repo.env,
      });
      expect([a.status, b.status]).toEqual([0, 0]);
      const sa = JSON.parse(a.stdout).series;
      const sb = JSON.parse(b.stdout).series;
      expect(sa.patches.map((p: { subject: string }) => p.subject)).toEqual(
        sb.patches.map((p: { subject: string }) => p.subject),
      );
      expect(sb.version).toBe(1);
      expect(sb.patches[0].lockOps.every((o: { confidence: string }) => o.confidence === 'file')).toBe(true);
    });

    it('exits 2 naming the input when it is unusable, and never hands a ref to git as an option', () => {
      const missing = runCli(['series', 'show', 'missing.mbox'], { cwd: toy.repo.dir, env: toy.repo.env });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('missing.mbox: no such file, and not a git range');
      const option = runCli(['series', 'show', '--base=--output=x', 'HEAD'], {
        cwd: toy.repo.dir,
        env: toy.repo.env,
      });
      expect(option.status).toBe(2);
      expect(option.stderr).toContain('--output=x: not a valid base revision');
    });

    it('reads - from stdin, a "-"-named file after --, and a b4 tag alone needs --base', () => {
      const v1 = fixture('series-min', 'toy-v2.mbox');
      const mbox = readFileSync(v1);
      const piped = runCli(['series', 'show', '--json', '-'], { input: mbox });
      const direct = runCli(['series', 'show', '--json', v1]);
      expect(piped.status).toBe(0);
      expect(JSON.parse(piped.stdout)).toEqual(JSON.parse(direct.stdout));
      writeFileSync(join(dir, '-v2.mbox'), mbox);
      const dashed = runCli(['series', 'show', '--json', '--', '-v2.mbox'], { cwd: dir });
      expect(dashed.status).toBe(0);
      expect(JSON.parse(dashed.stdout)).toEqual(JSON.parse(direct.stdout));
      const tag = runCli(['series', 'show', 'b4/toy-v1'], { cwd: toy.repo.dir, env: toy.repo.env });
      expect(tag.status).toBe(2);
      expect(tag.stderr).toContain('b4/toy-v1: not a range, and its history holds no b4 cover-letter commit');
    });

    it('names a diagnostic by the patch file of a directory and the line in it (From envelope counted)', () => {
      const mail = pastedLineMail('[PATCH] drm/toy: one', { envelope: true });
      mkdirSync(join(dir, 'located'));
      writeFileSync(join(dir, 'located', '0001-one.patch'), mail);
      const r = runCli(['series', 'show', 'located'], { cwd: dir });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(
        'located/0001-one.patch:14: diff-unrecognized-line: line not part of the diff: this line was pasted by a mail client\n',
      );
      const json = runCli(['series', 'show', '--json', 'located'], { cwd: dir });
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout).diagnostics).toEqual([
        {
          code: 'diff-unrecognized-line',
          message: 'line not part of the diff: this line was pasted by a mail client',
          line: 14,
          path: 'located/0001-one.patch',
        },
      ]);
    });

    it('strips control characters from text it prints', () => {
      const src = readFileSync(
        fixture('series-min', 'v1', 'v1-0001-drm-toy-add-a-memory-shrinker.patch'),
        'utf8',
      );
      const path = join(dir, 'esc.patch');
      writeFileSync(
        path,
        src.replace('drm/toy: add a memory shrinker', 'drm/toy: \u001b[31mred\u001b[0m shrinker'),
      );
      const r = runCli(['series', 'show', path]);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('\u001b');
      expect(r.stdout).toContain('red');
    });
  });
});

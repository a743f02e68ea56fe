import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockOpFacts } from '../../../src/analyzers/series/lock-ops.js';
import { InputError } from '../../../src/ingest/input.js';
import { readSeries } from '../../../src/ingest/series/index.js';
import { diagnosticsByPath } from '../../../src/model/diagnostic.js';
import { pastedLineMail, toyPatchMail } from '../../helpers/series.js';
import { fixture } from '../../helpers/shared.js';
import { buildToyRepo, TOY_BASE, TOY_FILE, type ToyRepo, toyCommits } from './toy-series.js';

const brief = (ops: LockOpFacts[]) =>
  ops
    .filter((o) => o.change === 'added')
    .map((o) => `${o.kind}:${o.primitive}:${o.function}:${o.line}:${o.confidence}`);

describe('readSeries: mbox and directories', () => {
  it('reads a format-patch directory: cover letter, numbering, trailers, notes, files', async () => {
    const s = await readSeries(fixture('series-min', 'v2'));
    expect(s.source).toBe(`dir:${fixture('series-min', 'v2')}`);
    expect([s.version, s.total, s.patches.length]).toEqual([2, 3, 3]);
    expect(s.diagnostics).toEqual([]);
    expect(s.cover?.subject).toBe('drm/toy: a memory shrinker for the toy driver');
    expect(s.cover?.changelog).toEqual([
      {
        version: 2,
        items: [
          'Use dma_resv_trylock() in the shrinker scan path',
          'Allocate the page array before taking the reservation lock, and drop the early return with the lock held',
          'Assert the reservation lock in toy_bo_vmap_locked()',
          'Link to v1: https://lore.example.org/r/20260101-toy-v1-0-1@example.org',
        ],
      },
    ]);
    const p2 = s.patches[1]!;
    expect([p2.index, p2.total, p2.version, p2.prefix, p2.rfc, p2.resend]).toEqual([
      2,
      3,
      2,
      'PATCH',
      false,
      false,
    ]);
    expect(p2.subject).toBe('drm/toy: allocate the page array on demand');
    expect(p2.author).toEqual({ name: 'Ada Kernel', email: 'ada@example.org' });
    expect(p2.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(p2.body).toBe('Allocate the page array the first time the pages are needed.');
    expect(p2.trailers).toEqual([
      { name: 'Fixes', value: '0123456789ab ("drm/toy: add the toy GEM driver")' },
      { name: 'Signed-off-by', value: 'Ada Kernel <ada@example.org>' },
      { name: 'Reviewed-by', value: 'Bo Reviewer <bo@example.org>' },
    ]);
    expect(p2.notes).toBe(
      ' drivers/gpu/drm/toy/toy_gem.c | 19 +++++++++++++++++++\n 1 file changed, 19 insertions(+)',
    );
    expect(p2.files).toEqual([
      {
        oldPath: TOY_FILE,
        newPath: TOY_FILE,
        additions: 19,
        deletions: 0,
        functions: ['toy_shrinker_init', 'toy_bo_get_pages'],
      },
    ]);
    expect(p2.diff.startsWith('diff --git a/drivers/gpu/drm/toy/toy_gem.c')).toBe(true);
    expect(brief(p2.lockOps as LockOpFacts[])).toEqual([
      'alloc:kvmalloc_array:toy_bo_get_pages:85:hunk',
      'lock:dma_resv_lock:toy_bo_get_pages:89:hunk',
      'unlock:dma_resv_unlock:toy_bo_get_pages:91:hunk',
      'unlock:dma_resv_unlock:toy_bo_get_pages:96:hunk',
    ]);
  });

  it('reads the same series from one mbox file', async () => {
    const fromDir = await readSeries(fixture('series-min', 'v2'));
    const fromMbox = await readSeries(fixture('series-min', 'toy-v2.mbox'));
    expect(fromMbox.source).toBe(`mbox:${fixture('series-min', 'toy-v2.mbox')}`);
    expect(fromMbox.patches.map((p) => [p.index, p.subject, p.commit])).toEqual(
      fromDir.patches.map((p) => [p.index, p.subject, p.commit]),
    );
    expect(fromMbox.patches.map((p) => p.lockOps)).toEqual(fromDir.patches.map((p) => p.lockOps));
  });

  it('decodes a list-mangled, folded, RFC 2047, multipart quoted-printable patch mail', async () => {
    const s = await readSeries(fixture('series-min', 'mime', 'qp-purge.eml'));
    expect([s.version, s.total, s.cover]).toEqual([3, 2, null]);
    const p = s.patches[0]!;
    expect([p.index, p.prefix, p.rfc]).toEqual([2, 'RFC PATCH', true]);
    expect(p.subject).toBe('drm/toy: take the LRU lock in the purge path');
    expect(p.author).toEqual({ name: 'Ada Körnel', email: 'ada@example.org' });
    expect(p.messageId).toBe('20260101000009.2-ada@example.org');
    expect(p.body).toBe('The purge callback must not race with LRU updates, so take the LRU lock there.');
    expect(p.trailers.map((t) => t.name)).toEqual(['Suggested-by', 'Signed-off-by']);
    expect(p.notes.split('\n')[0]).toBe('v3: - Take the LRU lock in toy_bo_purge()');
    expect(brief(p.lockOps as LockOpFacts[])).toEqual([
      'lock:mutex_lock:toy_bo_purge:23:hunk',
      'unlock:mutex_unlock:toy_bo_purge:25:hunk',
    ]);
    expect(s.diagnostics).toEqual([]);
  });

  describe('unusable or odd input', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lockscope-series-bad-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('throws InputError for a directory without .patch files and for a file that is not a patch mail', async () => {
      mkdirSync(join(dir, 'empty'));
      await expect(readSeries(join(dir, 'empty'))).rejects.toBeInstanceOf(InputError);
      writeFileSync(join(dir, 'notes.txt'), 'just some text\nwithout headers\n');
      await expect(readSeries(join(dir, 'notes.txt'))).rejects.toThrow(/no patch or cover letter found/);
      await expect(readSeries(fixture('series-min', 'v1'), { tree: join(dir, 'nope') })).rejects.toThrow(
        /--tree is not a directory/,
      );
    });

    it('reads - from stdin, and a file whose name starts with "-" from the file system', async () => {
      const v6 = fixture('series', 'v6');
      const mbox = Buffer.concat(
        readdirSync(v6)
          .sort()
          .map((n) => readFileSync(join(v6, n))),
      );
      const fromStdin = await readSeries('-', { stdin: Readable.from([mbox]) });
      expect([fromStdin.source, fromStdin.version, fromStdin.total, fromStdin.patches.length]).toEqual([
        'mbox:-',
        6,
        9,
        9,
      ]);
      writeFileSync(join(dir, '-v6.mbox'), mbox);
      const dashed = await readSeries('-v6.mbox', { cwd: dir });
      expect([dashed.source, dashed.version, dashed.patches.length]).toEqual(['mbox:-v6.mbox', 6, 9]);
      await expect(readSeries('-missing.mbox', { cwd: dir })).rejects.toThrow(
        /^-missing\.mbox: no such file \(and a revision cannot start with "-"\)$/,
      );
    });

    it('names the input as the user typed it, not its resolved path', async () => {
      writeFileSync(join(dir, 'plain.txt'), 'just some text\n');
      await expect(readSeries('plain.txt', { cwd: dir })).rejects.toThrow(
        /^plain\.txt: no patch or cover letter found/,
      );
      await expect(readSeries('absent.mbox', { cwd: dir })).rejects.toThrow(
        new RegExp(`^absent\\.mbox: no such file, and not a git range or revision in ${dir}$`),
      );
    });

    it('reports diff lines it does not recognize, with their line, instead of dropping them', async () => {
      const mail = pastedLineMail('[PATCH] drm/toy: mangled', { body: ['Body.', ''] });
      writeFileSync(join(dir, 'mangled.patch'), mail);
      const s = await readSeries(join(dir, 'mangled.patch'));
      expect(s.diagnostics).toEqual([
        {
          code: 'diff-unrecognized-line',
          message: 'line not part of the diff: this line was pasted by a mail client',
          line: 15,
          path: join(dir, 'mangled.patch'),
        },
      ]);
      expect(s.patches[0]!.files[0]).toMatchObject({ newPath: 'x.c', additions: 1 });
    });

    it("counts a diagnostic's line in the file (the From envelope too), and names the patch file of a directory", async () => {
      // (the pasted line is the file's 15th)
      const patch = (n: number) =>
        pastedLineMail(`[PATCH v5 ${n}/2] drm/toy: patch ${n}`, {
          envelope: true,
          headers: ['Date: Thu, 1 Jan 2026 00:00:01 +0000'],
          tail: ['-- ', '2.43.0'],
        });
      mkdirSync(join(dir, 'v5'));
      writeFileSync(join(dir, 'v5', 'v5-0001-one.patch'), patch(1));
      writeFileSync(join(dir, 'v5', 'v5-0002-two.patch'), patch(2));
      const fromDir = await readSeries('v5', { cwd: dir });
      expect(fromDir.diagnostics).toEqual([
        {
          code: 'diff-unrecognized-line',
          message: 'line not part of the diff: this line was pasted by a mail client',
          line: 15,
          path: join('v5', 'v5-0001-one.patch'),
        },
        {
          code: 'diff-unrecognized-line',
          message: 'line not part of the diff: this line was pasted by a mail client',
          line: 15,
          path: join('v5', 'v5-0002-two.patch'),
        },
      ]);
      expect([...diagnosticsByPath(fromDir.diagnostics, 'v5').keys()]).toEqual([
        'v5/v5-0001-one.patch',
        'v5/v5-0002-two.patch',
      ]);
      // the same two mails as one mbox: the second one starts 18 lines further down
      writeFileSync(join(dir, 'v5.mbox'), `${patch(1)}\n${patch(2)}`);
      const fromMbox = await readSeries('v5.mbox', { cwd: dir });
      expect(fromMbox.diagnostics.map((d) => [d.path, d.line])).toEqual([
        ['v5.mbox', 15],
        ['v5.mbox', 33],
      ]);
    });

    it('says so when a directory holds two versions of a series (format-patch -o twice)', async () => {
      mkdirSync(join(dir, 'outgoing'));
      for (const [v, n] of [
        [1, 1],
        [1, 2],
        [2, 1],
      ] as const) {
        const mail = toyPatchMail(`drm/toy: part ${n}`, ['int x;']).replace(
          '[PATCH]',
          `[PATCH v${v} ${n}/2]`,
        );
        writeFileSync(join(dir, 'outgoing', `v${v}-000${n}-part.patch`), mail);
      }
      const s = await readSeries('outgoing', { cwd: dir });
      expect([s.version, s.patches.map((p) => `${p.version}:${p.index}`)]).toEqual([
        1,
        ['1:1', '2:1', '1:2'],
      ]);
      expect(s.diagnostics).toEqual([
        {
          code: 'series-mixed-versions',
          message:
            'patches of v1, v2 in one series: read as v1, the others mixed in (keep one version per directory or mbox)',
          line: null,
        },
      ]);
    });

    it('skips replies in an mbox with a diagnostic', async () => {
      const mbox = [
        'From ada@example.org Thu Jan  1 00:00:01 2026',
        'From: Ada Kernel <ada@example.org>',
        'Subject: [PATCH v2 1/1] drm/toy: one',
        '',
        'Signed-off-by: Ada Kernel <ada@example.org>',
        '---',
        'diff --git a/x.c b/x.c',
        '--- a/x.c',
        '+++ b/x.c',
        '@@ -1 +1 @@',
        '-int a;',
        '+int b;',
        '',
        'From bo@example.org Thu Jan  1 00:00:02 2026',
        'From: Bo Reviewer <bo@example.org>',
        'Subject: Re: [PATCH v2 1/1] drm/toy: one',
        '',
        '>From the look of it: Reviewed-by: Bo Reviewer <bo@example.org>',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'thread.mbox'), mbox);
      const s = await readSeries(join(dir, 'thread.mbox'));
      expect(s.patches.map((p) => p.subject)).toEqual(['drm/toy: one']);
      expect(s.diagnostics).toEqual([
        {
          code: 'series-not-a-patch',
          message: 'skipped (reply: Re: [PATCH v2 1/1] drm/toy: one)',
          line: 14,
          path: join(dir, 'thread.mbox'),
        },
      ]);
    });
  });
});

describe('readSeries: git', () => {
  let toy: ToyRepo;
  beforeAll(async () => {
    toy = await buildToyRepo();
  });
  afterAll(() => toy?.repo.cleanup());

  it('reads base..tag with whole-file lock ops, and takes the version from a b4 tag', async () => {
    const s = await readSeries(`${toy.base}..b4/toy-v1`, { cwd: toy.repo.dir });
    expect(s.source).toBe(`git:${toy.base}..b4/toy-v1`);
    expect([s.version, s.total, s.cover]).toEqual([1, 3, null]);
    expect(s.patches.map((p) => [p.index, p.total, p.subject])).toEqual([
      [1, 3, 'drm/toy: add a memory shrinker'],
      [2, 3, 'drm/toy: allocate the page array on demand'],
      [3, 3, 'drm/toy: add toy_bo_vmap_locked()'],
    ]);
    const scan = (s.patches[0]!.lockOps as LockOpFacts[]).find((o) => o.primitive === 'dma_resv_lock')!;
    expect(scan).toMatchObject({
      function: 'toy_shrinker_scan',
      line: 60,
      confidence: 'file',
      change: 'added',
    });
    expect(scan.held).toEqual([{ family: 'mutex', lock: '&tdev->lru_lock' }]);
    // With the whole post-image, the file's shrinker callback assignments are always reported (as context).
    const v2 = await readSeries('b4/toy-v2', { cwd: toy.repo.dir, base: toy.base });
    expect(v2.version).toBe(2);
    const p3 = v2.patches[2]!.lockOps as LockOpFacts[];
    expect(p3.map((o) => `${o.change}:${o.primitive}:${o.line}:${o.confidence}`)).toEqual([
      'context:.count_objects:75:file',
      'context:.scan_objects:76:file',
      'added:dma_resv_assert_held:102:file',
    ]);
  });

  it('uses whole files for unchanged lines of touched functions (context ops)', async () => {
    await toy.repo.git.raw(['checkout', '-q', '-b', 'ctx', 'b4/toy-v2']);
    const { readFileSync } = await import('node:fs');
    const current = readFileSync(join(toy.repo.dir, TOY_FILE), 'utf8');
    await toy.repo.commit(`drm/toy: count freed pages\n\nSigned-off-by: Ada Kernel <ada@example.org>`, {
      [TOY_FILE]: current.replace(
        '\t\tfreed += bo->npages;\n',
        '\t\tfreed += bo->npages;\n\t\ttdev->nr_pages -= bo->npages;\n',
      ),
    });
    const s = await readSeries('b4/toy-v2..ctx', { cwd: toy.repo.dir });
    const ops = s.patches[0]!.lockOps as LockOpFacts[];
    expect(ops.map((o) => `${o.change}:${o.primitive}:${o.function}:${o.line}`)).toEqual([
      'context:mutex_trylock:toy_shrinker_scan:56',
      'context:dma_resv_trylock:toy_shrinker_scan:60',
      'context:dma_resv_unlock:toy_shrinker_scan:63',
      'context:mutex_unlock:toy_shrinker_scan:69',
      'context:.count_objects:toy_shrinker_init:76',
      'context:.scan_objects:toy_shrinker_init:77',
    ]);
    await toy.repo.git.raw(['checkout', '-q', 'master']);
  });

  it('reads an mbox against a kernel tree (--tree) with whole-file confidence', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'lockscope-tree-'));
    try {
      mkdirSync(join(tree, 'drivers/gpu/drm/toy'), { recursive: true });
      writeFileSync(join(tree, TOY_FILE), TOY_BASE.files[TOY_FILE]!);
      const s = await readSeries(fixture('series-min', 'v1'), { tree });
      expect(s.diagnostics).toEqual([]);
      const ops = s.patches[1]!.lockOps as LockOpFacts[];
      expect(ops.every((o) => o.confidence === 'file')).toBe(true);
      expect(ops.find((o) => o.kind === 'alloc')?.held).toEqual([{ family: 'dma_resv', lock: 'bo->resv' }]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('turns a b4 prep cover-letter commit back into the cover letter', async () => {
    await toy.repo.git.raw(['checkout', '-q', '-b', 'b4-prep', toy.base]);
    await toy.repo.git.raw([
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'drm/toy: a memory shrinker for the toy driver\n\nThis series adds a shrinker.\n\nChanges in v3:\n- Rebased\n\n--- b4-submit-tracking ---\n# This section is used internally by b4 prep for tracking purposes.\n{\n  "series": {\n    "revision": 3,\n    "change-id": "20260101-toy-1"\n  }\n}',
    ]);
    const cover = (await toy.repo.git.raw(['rev-parse', 'HEAD'])).trim();
    for (const c of toyCommits(2)) await toy.repo.commit(c.message, c.files);
    const s = await readSeries(`${toy.base}..b4-prep`, { cwd: toy.repo.dir });
    expect([s.version, s.total, s.patches.map((p) => [p.index, p.total, p.version])]).toEqual([
      3,
      3,
      [
        [1, 3, 3],
        [2, 3, 3],
        [3, 3, 3],
      ],
    ]);
    expect(s.cover).toEqual({
      version: 3,
      total: 3,
      subject: 'drm/toy: a memory shrinker for the toy driver',
      author: { name: 'Ada Kernel', email: 'ada@example.org' },
      body: 'This series adds a shrinker.\n\nChanges in v3:\n- Rebased',
      changelog: [{ version: 3, items: ['Rebased'] }],
    });
    expect(cover).toMatch(/^[0-9a-f]{40}$/);
    // The branch alone: the base is where b4 prep forked (the cover commit's parent).
    const alone = await readSeries('b4-prep', { cwd: toy.repo.dir });
    expect([alone.source, alone.version, alone.total, alone.cover?.subject]).toEqual([
      `git:${toy.base}..b4-prep`,
      3,
      3,
      'drm/toy: a memory shrinker for the toy driver',
    ]);
    await toy.repo.git.raw(['checkout', '-q', 'master']);
  });

  it("takes the base of a b4 branch from its cover letter's base-commit: line", async () => {
    await toy.repo.git.raw(['checkout', '-q', '-b', 'b4-sent', toy.base]);
    await toy.repo.git.raw([
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      `drm/toy: shrinker\n\nCover.\n\n---\nbase-commit: ${toy.base}\nchange-id: 20260101-toy-2\n\n--- b4-submit-tracking ---\n{"series": {"revision": 4}}`,
    ]);
    for (const c of toyCommits(1)) await toy.repo.commit(c.message, c.files);
    const s = await readSeries('b4-sent', { cwd: toy.repo.dir });
    expect([s.source, s.version, s.total]).toEqual([`git:${toy.base}..b4-sent`, 4, 3]);
    await toy.repo.git.raw(['checkout', '-q', 'master']);
    // A tag without a b4 cover letter in its history needs --base.
    await expect(readSeries('b4/toy-v1', { cwd: toy.repo.dir })).rejects.toThrow(
      'b4/toy-v1: not a range, and its history holds no b4 cover-letter commit to take the base from, so --base is required: give base..b4/toy-v1, or --base BASE b4/toy-v1',
    );
  });

  it('never passes user text to git as an option, and names bad refs', async () => {
    const cwd = toy.repo.dir;
    await expect(readSeries('--output=/tmp/x..HEAD', { cwd })).rejects.toThrow(/not a valid/);
    await expect(readSeries('HEAD', { cwd, base: '-h' })).rejects.toThrow(/-h: not a valid base revision/);
    await expect(readSeries('HEAD', { cwd, base: 'HEAD~1 --all' })).rejects.toBeInstanceOf(InputError);
    await expect(readSeries('no-such-branch..HEAD', { cwd })).rejects.toThrow(
      /no-such-branch: unknown revision/,
    );
    await expect(readSeries('just-a-word', { cwd })).rejects.toThrow(/not a git range/);
    await expect(readSeries('-h', { cwd })).rejects.toThrow(/cannot start with "-"/);
    await expect(readSeries('HEAD..HEAD', { cwd })).rejects.toThrow(/no commits/);
  });
});

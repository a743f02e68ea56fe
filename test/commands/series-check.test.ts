import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { fixture } from '../helpers/shared.js';

// Run `npm run build` first: these run the built CLI.
const ids = (stdout: string) => JSON.parse(stdout).findings.map((f: { id: string }) => f.id);

describe('lockscope series check', () => {
  it('exits 1 on error findings and prints each where it is, its message wrapped at 80 columns', () => {
    const r = runCli(['series', 'check', '--no-checkpatch', fixture('series-min', 'v1')]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'ERROR BLOCKING_LOCK_IN_SHRINKER: 1/3 drivers/gpu/drm/toy/toy_gem.c:60:',
      '  toy_shrinker_scan (scan_objects) takes dma_resv_lock(bo->resv) without',
      '  trylock: reclaim would sleep on a lock its callers may hold while allocating',
      '  [hunk context only]',
    ]);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.at(-1)).toBe('4 errors, 2 warnings');
  });

  it('--json gives exactly {schemaVersion, findings:[{id,severity,patch,file,line,message,confidence}]}', () => {
    const r = runCli(['series', 'check', '--json', '--no-checkpatch', fixture('series-min', 'v1')]);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'findings']);
    expect(Object.keys(doc.findings[0])).toEqual([
      'id',
      'severity',
      'patch',
      'file',
      'line',
      'message',
      'confidence',
    ]);
    expect(ids(r.stdout)).toEqual([
      'BLOCKING_LOCK_IN_SHRINKER',
      'BAD_FIXES_TAG',
      'UNBALANCED_LOCK',
      'ALLOC_UNDER_RECLAIM_LOCK',
      'MISSING_SIGNOFF',
      'LOCKED_WITHOUT_ASSERT',
    ]);
  });

  it('exits 0 on a clean series and when only warnings remain; --strict makes warnings fail', () => {
    expect(
      runCli([
        'series',
        'check',
        '--no-checkpatch',
        '--previous',
        fixture('series-min', 'v1'),
        fixture('series-min', 'v2'),
      ]).status,
    ).toBe(0);
    const errorsIgnored = [
      '--ignore',
      'BLOCKING_LOCK_IN_SHRINKER',
      '--ignore',
      'BAD_FIXES_TAG',
      '--ignore',
      'ALLOC_UNDER_RECLAIM_LOCK',
      '--ignore',
      'MISSING_SIGNOFF',
    ];
    const warnings = runCli([
      'series',
      'check',
      '--json',
      '--no-checkpatch',
      ...errorsIgnored,
      fixture('series-min', 'v1'),
    ]);
    expect(warnings.status).toBe(0);
    expect(ids(warnings.stdout)).toEqual(['UNBALANCED_LOCK', 'LOCKED_WITHOUT_ASSERT']);
    expect(
      runCli([
        'series',
        'check',
        '--strict',
        '--no-checkpatch',
        ...errorsIgnored,
        fixture('series-min', 'v1'),
      ]).status,
    ).toBe(1);
  });

  it('refuses an --ignore id that names no check (exit 2), naming it and listing the known ids', () => {
    const r = runCli([
      'series',
      'check',
      '--no-checkpatch',
      '--ignore',
      'NO_SUCH_ID',
      fixture('series-min', 'v2'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    // oclif wraps a usage error's message under ' ›   ' prefixes: read it as one line
    expect(r.stderr.replace(/\s*\n ›\s+/g, ' ')).toContain(
      'Error: --ignore NO_SUCH_ID: unknown finding id (known: PATCH_CORRUPT, VERSION_MISMATCH, NUMBERING_GAP, MISSING_COVER_LETTER, MISSING_CHANGELOG, CHANGELOG_INCOMPLETE, MISSING_SIGNOFF, BAD_FIXES_TAG, BLOCKING_LOCK_IN_SHRINKER, ALLOC_UNDER_RECLAIM_LOCK, UNBALANCED_LOCK, LOCKED_WITHOUT_ASSERT, CHECKPATCH_<TYPE>)',
    );
    const json = runCli([
      'series',
      'check',
      '--no-checkpatch',
      '--json',
      '--ignore',
      'UNBALANCED_LOCK',
      '--ignore',
      'NOPE',
      fixture('series-min', 'v2'),
    ]);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        kind: 'usage',
        message:
          '--ignore NOPE: unknown finding id (known: PATCH_CORRUPT, VERSION_MISMATCH, NUMBERING_GAP, MISSING_COVER_LETTER, MISSING_CHANGELOG, CHANGELOG_INCOMPLETE, MISSING_SIGNOFF, BAD_FIXES_TAG, BLOCKING_LOCK_IN_SHRINKER, ALLOC_UNDER_RECLAIM_LOCK, UNBALANCED_LOCK, LOCKED_WITHOUT_ASSERT, CHECKPATCH_<TYPE>)',
      },
    });
    const known = runCli([
      'series',
      'check',
      '--no-checkpatch',
      '--ignore',
      'CHECKPATCH_LONG_LINE',
      fixture('series-min', 'v2'),
    ]);
    expect([known.status, known.stdout, known.stderr]).toEqual([0, 'no findings\n', '']);
  });

  it('reads the series or --previous (not both) from stdin', () => {
    const v1 = readdirSync(fixture('series-min', 'v1'))
      .sort()
      .map((n) => readFileSync(join(fixture('series-min', 'v1'), n), 'utf8'))
      .join('');
    const source = runCli(['series', 'check', '--json', '--no-checkpatch', '-'], { input: v1 });
    expect(source.status).toBe(1);
    expect(ids(source.stdout)).toEqual([
      'BLOCKING_LOCK_IN_SHRINKER',
      'BAD_FIXES_TAG',
      'UNBALANCED_LOCK',
      'ALLOC_UNDER_RECLAIM_LOCK',
      'MISSING_SIGNOFF',
      'LOCKED_WITHOUT_ASSERT',
    ]);
    const previous = runCli(
      ['series', 'check', '--no-checkpatch', '--previous', '-', fixture('series-min', 'v2')],
      {
        input: v1,
      },
    );
    expect([previous.status, previous.stdout]).toEqual([0, 'no findings\n']);
    const both = runCli(['series', 'check', '--previous', '-', '-'], { input: v1 });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('only one of SOURCE and --previous can be - (stdin)');
  });

  describe('a corrupt patch', () => {
    const dir = scratchDir('lockscope-check-corrupt-');

    it('is an error finding (exit 1) naming the patch file and line, not "no findings"', () => {
      const v1 = fixture('series-min', 'v1');
      mkdirSync(join(dir, 'v1'));
      for (const name of readdirSync(v1)) {
        const text = readFileSync(join(v1, name), 'utf8');
        // line 17 of patch 1, its only hunk header
        writeFileSync(join(dir, 'v1', name), text.replace('@@ -37,3 +37,42 @@', '@@ -37,3 +37,42 @ @'));
      }
      const r = runCli(['series', 'check', '--no-checkpatch', '--json', 'v1'], { cwd: dir });
      expect(r.status).toBe(1);
      const corrupt = JSON.parse(r.stdout).findings.filter((f: { id: string }) => f.id === 'PATCH_CORRUPT');
      expect(corrupt).toEqual([
        {
          id: 'PATCH_CORRUPT',
          severity: 'error',
          patch: 1,
          file: null,
          line: null,
          message:
            'patch seems to be corrupt (line wrapped?) at v1/v1-0001-drm-toy-add-a-memory-shrinker.patch:17, its diff not read in full (the checks miss what was lost): line not part of the diff: @@ -37,3 +37,42 @ @ struct toy_bo *toy_bo_create(size_t size)',
          confidence: 'series',
        },
      ]);
      const show = runCli(['series', 'show', 'v1'], { cwd: dir });
      expect(show.status).toBe(0);
      expect(show.stdout.split('\n').slice(0, 3)).toEqual([
        'v1, 3 patches: drm/toy: a memory shrinker for the toy driver',
        'cover letter: no changelog',
        'warning: patch 1/3 could not be read in full: its locking is incomplete',
      ]);
    });
  });

  it('exits 2 on unusable input', () => {
    const r = runCli(['series', 'check', fixture('series-min', 'README.md')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('README.md: no patch or cover letter found');
  });

  describe('inside a kernel tree with scripts/checkpatch.pl', () => {
    let tree: string;
    beforeAll(() => {
      tree = mkdtempSync(join(tmpdir(), 'lockscope-kernel-'));
      mkdirSync(join(tree, 'scripts'));
      // A stand-in checkpatch.pl: checks that it gets the patch on stdin with --terse --no-summary.
      const script = join(tree, 'scripts', 'checkpatch.pl');
      writeFileSync(
        script,
        [
          '#!/usr/bin/perl',
          'my $args = join(" ", @ARGV);',
          'my $in = do { local $/; <STDIN> };',
          'die "bad args: $args" unless $args =~ /--terse/ && $args =~ /--no-summary/;',
          // It is fed the original mail (envelope line first): report the line that asserts the lock.
          'die "not the original mail" unless $in =~ /\\AFrom [0-9a-f]{40} Mon Sep 17/;',
          'my @l = split /\\n/, $in;',
          'for my $i (0 .. $#l) { printf "-:%d: WARNING:LONG_LINE: line length of 104 exceeds 100 columns\\n", $i + 1 if $l[$i] =~ /^\\+.*dma_resv_assert_held/ && $in =~ /toy_bo_vmap_locked/; }',
          'print "total: 0 errors, 1 warnings, 20 lines checked\\n";',
        ].join('\n'),
      );
      chmodSync(script, 0o755);
    });
    afterAll(() => rmSync(tree, { recursive: true, force: true }));

    it('runs it per patch and merges its findings as CHECKPATCH_<TYPE>', () => {
      const r = runCli(['series', 'check', '--json', fixture('series-min', 'v2')], { cwd: tree });
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).findings).toEqual([
        {
          id: 'CHECKPATCH_LONG_LINE',
          severity: 'warning',
          patch: 3,
          file: 'drivers/gpu/drm/toy/toy_gem.c',
          line: 102,
          message: 'line length of 104 exceeds 100 columns',
          confidence: 'checkpatch',
        },
      ]);
      const ignored = runCli(
        ['series', 'check', '--json', '--ignore', 'CHECKPATCH_LONG_LINE', fixture('series-min', 'v2')],
        { cwd: tree },
      );
      expect(ids(ignored.stdout)).toEqual([]);
      const off = runCli(['series', 'check', '--json', '--no-checkpatch', fixture('series-min', 'v2')], {
        cwd: tree,
      });
      expect(ids(off.stdout)).toEqual([]);
    });

    it('finds it in --tree before the current directory, and says so when --checkpatch finds none', () => {
      const elsewhere = mkdtempSync(join(tmpdir(), 'lockscope-not-kernel-'));
      try {
        const r = runCli(['series', 'check', '--json', '--tree', tree, fixture('series-min', 'v2')], {
          cwd: elsewhere,
        });
        expect(r.status).toBe(0);
        expect(ids(r.stdout)).toEqual(['CHECKPATCH_LONG_LINE']);
        const none = runCli(['series', 'check', '--checkpatch', fixture('series-min', 'v2')], {
          cwd: elsewhere,
        });
        expect([none.status, none.stdout]).toEqual([0, 'no findings\n']);
        expect(none.stderr).toBe(
          'lockscope: --checkpatch: no scripts/checkpatch.pl in the current directory (or a parent): checkpatch was not run\n',
        );
        const quiet = runCli(['series', 'check', fixture('series-min', 'v2')], { cwd: elsewhere });
        expect([quiet.status, quiet.stdout, quiet.stderr]).toEqual([0, 'no findings\n', '']);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    });

    it('says so on stderr when checkpatch cannot run or fails', () => {
      const noPerl = runCli(['series', 'check', fixture('series-min', 'v2')], {
        cwd: tree,
        env: { PATH: join(tree, 'no-such-dir') },
      });
      expect(noPerl.status).toBe(0);
      expect(noPerl.stderr).toContain(': checkpatch-spawn-failed: could not run perl ');
      expect(noPerl.stderr).toContain('checkpatch findings are missing');
      // The stand-in dies on a mail without a git envelope.
      const mbox = runCli(['series', 'check', fixture('series-min', 'mime', 'qp-purge.eml')], { cwd: tree });
      expect(mbox.stderr).toContain('checkpatch-failed: patch 2: ');
      expect(mbox.stderr).toContain('not the original mail');
    });
  });
});

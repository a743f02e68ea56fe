import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import {
  CALLBACK_ASSIGNMENT,
  NON_RECLAIMING_GFP,
} from '../../../src/analyzers/series/c-source/primitives.js';
import { CHANGELOG_REGEXES, parseChangelog } from '../../../src/ingest/series/changelog.js';
import { parseCheckpatchOutput } from '../../../src/ingest/series/checkpatch.js';
import { DIFF_REGEXES, parseCheckedDiff } from '../../../src/ingest/series/diff.js';
import { MBOX_REGEXES, splitMbox } from '../../../src/ingest/series/mbox.js';
import { MESSAGE_REGEXES, splitPatchBody } from '../../../src/ingest/series/message.js';
import { parseSubject, SUBJECT_REGEXES } from '../../../src/ingest/series/subject.js';

describe('parseSubject', () => {
  const cases: [string, Partial<ReturnType<typeof parseSubject>>][] = [
    [
      '[Linaro-mm-sig] [PATCH v6 01/22] drm/gem: Properly annotate WW context',
      {
        prefix: 'PATCH',
        version: 6,
        index: 1,
        total: 22,
        listTags: ['Linaro-mm-sig'],
        summary: 'drm/gem: Properly annotate WW context',
      },
    ],
    ['[PATCH v1 0/6] Move all drivers', { version: 1, index: 0, total: 6 }],
    [
      '[RFC PATCH net-next v3 2/5] net: x',
      { prefix: 'RFC PATCH net-next', rfc: true, version: 3, index: 2, total: 5 },
    ],
    ['[PATCH RESEND] drm: y', { prefix: 'PATCH RESEND', resend: true, version: 1, index: 1, total: 1 }],
    ['Re: [PATCH v6 03/22] drm/virtio: z', { reply: true, index: 3 }],
    ['drm: no tag at all', { tagged: false, summary: 'drm: no tag at all' }],
  ];
  for (const [subject, want] of cases) {
    it(subject, () => expect(parseSubject(subject)).toMatchObject(want));
  }
});

describe('parseChangelog: the styles seen on the lists', () => {
  it('b4: "Changes in vN:" with bullets and a Link item', () => {
    expect(
      parseChangelog(
        'Intro.\n\nChanges in v3:\n- Rebased\n- Fixed the\n  error path\n- Link to v2: https://lore/x\n\n---\n',
      ),
    ).toEqual([{ version: 3, items: ['Rebased', 'Fixed the error path', 'Link to v2: https://lore/x'] }]);
  });
  it('"v5->v6:", "Changes since v4:" and "v2:" headings', () => {
    expect(
      parseChangelog('v5->v6:\n * use trylock\nChanges since v4:\n - dropped patch 3\nv2: first rework\n'),
    ).toEqual([
      { version: 6, items: ['use trylock'] },
      { version: 5, items: ['dropped patch 3'] },
      { version: 2, items: ['first rework'] },
    ]);
  });
  it('an unversioned "Changelog:" list', () => {
    expect(parseChangelog('Changelog:\n- one\n- two\n\nAuthor (2):\n')).toEqual([
      { version: null, items: ['one', 'two'] },
    ]);
  });
});

describe('splitPatchBody and splitMbox', () => {
  it('separates message, trailers (continued lines, [notes]), notes below --- and the diff', () => {
    const body = [
      'From: Other Author <other@example.org>',
      '',
      'Subject line body.',
      '',
      'Fixes: 0123456789ab ("drm: a very long subject that',
      '  wraps")',
      '[ada: rebased]',
      'Signed-off-by: Ada Kernel <ada@example.org>',
      '---',
      'v2: - rebased',
      '',
      'diff --git a/x.c b/x.c',
    ].join('\n');
    const parts = splitPatchBody(body);
    expect(parts.inBodyFrom).toBe('Other Author <other@example.org>');
    expect(parts.message).toBe('Subject line body.');
    expect(parts.trailers).toEqual([
      { name: 'Fixes', value: '0123456789ab ("drm: a very long subject that wraps")' },
      { name: 'Signed-off-by', value: 'Ada Kernel <ada@example.org>' },
    ]);
    expect(parts.notes).toBe('v2: - rebased');
    expect(parts.diff).toBe('diff --git a/x.c b/x.c');
  });

  it('splits at From_ lines only after a blank line, and undoes >From quoting', () => {
    const mbox =
      'From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\n>From here\nFrom the body, not a separator\n\nFrom c@d Tue Jan  2 00:00:00 2026\nSubject: two\n';
    const messages = splitMbox(mbox);
    expect(messages.map((m) => m.line)).toEqual([1, 7]);
    expect(messages[0]!.text).toContain('\nFrom here\nFrom the body, not a separator\n');
  });

  it('splits at git format-patch envelopes even right after a diff line (cat of files without a signature)', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const mbox = `From ${sha} Mon Sep 17 00:00:00 2001\nSubject: one\n\n+}\nFrom ${sha} Mon Sep 17 00:00:00 2001\nSubject: two\n`;
    expect(splitMbox(mbox).map((m) => [m.line, m.text.split('\n')[0]])).toEqual([
      [1, 'Subject: one'],
      [5, 'Subject: two'],
    ]);
  });
});

describe('parseCheckpatchOutput', () => {
  it('reads --terse --show-types lines as CHECKPATCH_<TYPE>, skipping the summary', () => {
    const out =
      '-:25: WARNING:LONG_LINE: line length of 104 exceeds 100 columns\n-:7: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)\n-:9: CHECK:PARENTHESIS_ALIGNMENT: Alignment should match open parenthesis\ntotal: 1 errors, 1 warnings, 20 lines checked\n';
    expect(parseCheckpatchOutput(out, 4).map((f) => [f.id, f.severity, f.patch, f.mailLine])).toEqual([
      ['CHECKPATCH_LONG_LINE', 'warning', 4, 25],
      ['CHECKPATCH_MISSING_SIGN_OFF', 'error', 4, 7],
      ['CHECKPATCH_PARENTHESIS_ALIGNMENT', 'info', 4, 9],
    ]);
  });

  it('maps a mail line to the patched file and post-image line (null outside the diff)', () => {
    const mail = [
      'From: Ada Kernel <ada@example.org>', // 1
      'Subject: [PATCH] drm/toy: x', // 2
      '', // 3
      'Body.', // 4
      '---', // 5
      'diff --git a/drivers/gpu/drm/toy/toy_gem.c b/drivers/gpu/drm/toy/toy_gem.c', // 6
      '--- a/drivers/gpu/drm/toy/toy_gem.c', // 7
      '+++ b/drivers/gpu/drm/toy/toy_gem.c', // 8
      '@@ -96,3 +96,4 @@ int toy_bo_get_pages(struct toy_bo *bo)', // 9
      ' \tdma_resv_unlock(bo->resv);', // 10 → 96
      '-\treturn 0;', // 11 → 97 (removed before it)
      '+\treturn ret;', // 12 → 97
      '+\t/* done */', // 13 → 98
      ' }', // 14 → 99
      '-- ', // 15
      '2.43.0', // 16
    ].join('\n');
    const out =
      '-:4: WARNING:COMMIT_MESSAGE: x\n-:12: WARNING:LONG_LINE: y\n-:11: CHECK:Z: z\n-:16: WARNING:W: w\n';
    expect(parseCheckpatchOutput(out, 2, mail).map((f) => [f.mailLine, f.file, f.line])).toEqual([
      [4, null, null],
      [12, 'drivers/gpu/drm/toy/toy_gem.c', 97],
      [11, 'drivers/gpu/drm/toy/toy_gem.c', 97],
      [16, null, null],
    ]);
  });
});

describe('parseCheckedDiff: a diff that cannot be read in full (corrupt)', () => {
  const head = ['diff --git a/x.c b/x.c', '--- a/x.c', '+++ b/x.c'];

  it('names the first line of a bad hunk header and the hunk lines after it', () => {
    const d = parseCheckedDiff([...head, '@@ -1,2 +1,X3 @@', ' int a;', '+int b;', ' int c;'].join('\n'), 10);
    expect(d.corrupt).toEqual({
      code: 'diff-unrecognized-line',
      message: 'line not part of the diff: @@ -1,2 +1,X3 @@',
      line: 13,
    });
    expect(d.diagnostics.map((x) => x.line)).toEqual([13, 14, 15, 16]);
    expect(d.files[0]!.chunks).toEqual([]);
  });

  it('names a hunk cut short by a wrapped line, and a truncated last hunk at its last line', () => {
    const wrapped = parseCheckedDiff(
      [...head, '@@ -1,2 +1,3 @@', ' int a;', '+int b = some_long_call(a,', 'b);', ' int c;'].join('\n'),
    );
    expect(wrapped.corrupt).toEqual({
      code: 'diff-truncated-hunk',
      message: 'hunk ends early: b);',
      line: 7,
    });
    const truncated = parseCheckedDiff([...head, '@@ -1,3 +1,4 @@', ' int a;', '+int b;', ''].join('\n'));
    expect(truncated.corrupt).toEqual({
      code: 'diff-truncated-hunk',
      message: 'the last hunk is shorter than its header says',
      line: 6,
    });
  });

  it('is null for a whole diff, and for stray text after a complete hunk', () => {
    const whole = [...head, '@@ -1,2 +1,3 @@', ' int a;', '+int b;', ' int c;'];
    expect(parseCheckedDiff(whole.join('\n')).corrupt).toBeNull();
    const stray = parseCheckedDiff([...whole, 'pasted by a mail client'].join('\n'));
    expect(stray.corrupt).toBeNull();
    expect(stray.diagnostics.map((x) => x.code)).toEqual(['diff-unrecognized-line']);
  });

  it('is null for a file without a newline at its end (the `\\ No newline` lines are no lost changes)', () => {
    const nl = '\\ No newline at end of file';
    const d = parseCheckedDiff(
      [...head, '@@ -1,2 +1,2 @@', ' int a;', '-int b;', nl, '+int c;', nl].join('\n'),
    );
    expect([d.corrupt, d.diagnostics]).toEqual([null, []]);
  });
});

describe('robustness', () => {
  it('never throws on arbitrary text, and accounts for every diff line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        parseSubject(text);
        parseChangelog(text);
        splitPatchBody(text);
        splitMbox(text);
        const d = parseCheckedDiff(`diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-a\n+b\n${text}`);
        expect(Array.isArray(d.diagnostics)).toBe(true);
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });

  const regexes = [
    ...CHANGELOG_REGEXES,
    ...SUBJECT_REGEXES,
    ...MESSAGE_REGEXES,
    ...DIFF_REGEXES,
    ...MBOX_REGEXES,
    CALLBACK_ASSIGNMENT,
    NON_RECLAIMING_GFP,
  ];
  for (const re of regexes) {
    it(`cannot backtrack catastrophically: /${re.source}/`, async () => {
      const r = await check(re.source, re.flags, { randomSeed: 20261125 });
      expect(r.status).toBe('safe');
    });
  }
});

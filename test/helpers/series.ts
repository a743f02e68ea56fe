import type { Patch } from '../../src/model/series.js';

/** A Patch with every contract field present; override what the test is about. */
export function makePatch(over: Partial<Patch>): Patch {
  return {
    index: 1,
    total: 4,
    version: 5,
    rfc: false,
    resend: false,
    prefix: 'PATCH',
    subject: '',
    author: null,
    date: null,
    messageId: null,
    commit: null,
    body: '',
    trailers: [],
    notes: '',
    files: [],
    diff: '',
    lockOps: [],
    ...over,
  };
}

/** A one-patch mail adding `added` lines to toy.c (after `#include <linux/shrinker.h>`). */
export function toyPatchMail(subject: string, added: string[]): string {
  return [
    'From: Ada Kernel <ada@example.org>',
    `Subject: [PATCH] ${subject}`,
    '',
    'Signed-off-by: Ada Kernel <ada@example.org>',
    '---',
    'diff --git a/toy.c b/toy.c',
    '--- a/toy.c',
    '+++ b/toy.c',
    `@@ -1,1 +1,${added.length + 1} @@`,
    ' #include <linux/shrinker.h>',
    ...added.map((l) => `+${l}`),
    '',
  ].join('\n');
}

/**
 * A one-patch mail whose hunk is followed by a line a mail client pasted (`this line was pasted
 * by a mail client`): after git format-patch's `From <sha> <date>` envelope when `envelope`, with
 * `headers` after From:, `body` before the sign-off and `tail` after the pasted line.
 */
export function pastedLineMail(
  subject: string,
  { envelope = false, headers = [] as string[], body = [] as string[], tail = [] as string[] } = {},
): string {
  return [
    ...(envelope ? ['From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001'] : []),
    'From: Ada Kernel <ada@example.org>',
    ...headers,
    `Subject: ${subject}`,
    '',
    ...body,
    'Signed-off-by: Ada Kernel <ada@example.org>',
    '---',
    'diff --git a/x.c b/x.c',
    '--- a/x.c',
    '+++ b/x.c',
    '@@ -1,2 +1,3 @@',
    ' int a;',
    '+int b;',
    ' int c;',
    'this line was pasted by a mail client',
    ...tail,
    '',
  ].join('\n');
}

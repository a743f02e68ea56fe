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

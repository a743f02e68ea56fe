import type { SeriesCheck } from './finding.js';

/** Trailer checks, as `git am`/checkpatch read them. */

const email = (text: string) => /<([^>\s]+)>/.exec(text)?.[1]?.toLowerCase() ?? text.trim().toLowerCase();

export const missingSignoff: SeriesCheck['run'] = (series) => {
  const findings = [];
  for (const p of series.patches) {
    const signers = p.trailers
      .filter((t) => t.name.toLowerCase() === 'signed-off-by')
      .map((t) => email(t.value));
    const author = p.author?.email.toLowerCase() ?? null;
    if (signers.length === 0) {
      findings.push({
        patch: p.index,
        file: null,
        line: null,
        confidence: 'series' as const,
        message: `patch ${p.index} "${p.subject}" has no Signed-off-by`,
      });
    } else if (author !== null && !signers.includes(author)) {
      findings.push({
        patch: p.index,
        file: null,
        line: null,
        confidence: 'series' as const,
        message: `patch ${p.index} "${p.subject}": no Signed-off-by from its author <${author}>`,
      });
    }
  }
  return findings;
};

// Fixes: 17acb9f35ed7 ("drm/shmem: Add madvise state and purge helpers")
const FIXES = /^[0-9a-f]{12,40} \("[^\n]*"\)$/;

// A `Fixes:` line in the message body, outside the trailer block (a blank line before the
// sign-off): checkpatch reads every one.
const FIXES_LINE = /^Fixes:[ \t]+(\S.*)$/i;

export const badFixesTag: SeriesCheck['run'] = (series) => {
  const findings = [];
  for (const p of series.patches) {
    const inBody = p.body
      .split('\n')
      .map((l) => FIXES_LINE.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: 'Fixes', value: m[1]!.trim() }));
    for (const t of [...inBody, ...p.trailers]) {
      if (t.name.toLowerCase() !== 'fixes' || FIXES.test(t.value)) continue;
      findings.push({
        patch: p.index,
        file: null,
        line: null,
        confidence: 'series' as const,
        message: `patch ${p.index}: "Fixes: ${t.value}" is not Fixes: <12+ hex digits> ("<subject>")`,
      });
    }
  }
  return findings;
};

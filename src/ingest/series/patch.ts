import type parseDiff from 'parse-diff';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { CoverLetter, Patch, PatchFile, Person } from '../../model/series.js';
import { parseChangelog } from './changelog.js';
import type { MailedPatch } from './checkpatch.js';
import { diffPath, parseCheckedDiff } from './diff.js';
import { type MailMessage, parseMail } from './mail.js';
import { envelopeCommit, type RawMessage } from './mbox.js';
import { splitPatchBody } from './message.js';
import { parseSubject } from './subject.js';

/** A message read as a patch (index ≥ 1), a cover letter (index 0) or something else. */
export type SeriesMessage =
  | { kind: 'patch'; patch: Patch; parsed: parseDiff.File[]; line: number }
  | { kind: 'cover'; cover: CoverLetter; patch: Patch; line: number }
  | { kind: 'other'; reason: string; line: number };

// Dmitry Osipenko <dmitry.osipenko@collabora.com>
const PERSON = /^\s*"?([^"<]*?)"?\s*<([^>\s]+)>\s*$/;

export function parsePerson(text: string): Person | null {
  const m = PERSON.exec(text);
  if (m) return { name: m[1]!.trim(), email: m[2]! };
  return /^\S+@\S+$/.test(text.trim()) ? { name: '', email: text.trim() } : null;
}

/** `path` names the file the message's lines count in (for `Patch.corrupt`). */
export async function readMessage(
  raw: RawMessage,
  diagnostics: Diagnostic[],
  path: string,
): Promise<SeriesMessage> {
  let mail: MailMessage;
  try {
    mail = await parseMail(raw.text);
  } catch (e) {
    // postal-mime refuses a header block over 2 MiB (a text with no blank line for that long):
    // no mail, like any other text without headers
    return { kind: 'other', reason: `not a mail: ${(e as Error).message}`, line: raw.line };
  }
  if (!mail.hasHeaders) return { kind: 'other', reason: 'no mail headers', line: raw.line };
  const subject = parseSubject(mail.subject);
  if (subject.reply) return { kind: 'other', reason: `reply: ${mail.subject}`, line: raw.line };
  const parts = splitPatchBody(mail.body);
  const author = (parts.inBodyFrom ? parsePerson(parts.inBodyFrom) : null) ?? mail.from;
  // raw.line is the message's first line: the `From <sha> <date>` envelope when there is one,
  // which raw.text (the headers on) does not hold
  const bodyStart = raw.line + (raw.envelope === null ? 0 : 1) + headerLineCount(raw.text);
  const checked = parts.diff
    ? parseCheckedDiff(parts.diff, bodyStart + parts.diffLine)
    : { files: [], text: '', diagnostics: [], corrupt: null };
  diagnostics.push(...checked.diagnostics);
  const files: PatchFile[] = checked.files.map((f) => ({
    oldPath: f.new ? null : diffPath(f.from),
    newPath: f.deleted ? null : diffPath(f.to),
    additions: f.additions,
    deletions: f.deletions,
    functions: [
      ...new Set(f.chunks.map((c) => hunkFunction(c.content)).filter((n): n is string => n !== null)),
    ],
  }));
  const isCover = subject.tagged && subject.index === 0;
  const patch: Patch = {
    index: isCover ? 0 : subject.index,
    total: subject.total,
    version: subject.version,
    rfc: subject.rfc,
    resend: subject.resend,
    prefix: subject.prefix,
    subject: subject.summary,
    author: author ? { name: author.name, email: author.email } : null,
    date: mail.date,
    messageId: mail.messageId,
    commit: envelopeCommit(raw.envelope),
    body: parts.message,
    trailers: parts.trailers,
    notes: parts.notes,
    files,
    diff: checked.text,
    lockOps: [],
  };
  if (checked.corrupt !== null)
    patch.corrupt = { path, line: checked.corrupt.line, message: checked.corrupt.message };
  // The mail as read (checkpatch is fed it, so its line numbers are the user's).
  (patch as MailedPatch).mail = raw.envelope === null ? raw.text : `${raw.envelope}\n${raw.text}`;
  if (isCover) {
    const cover: CoverLetter = {
      version: subject.version,
      total: subject.total,
      subject: subject.summary,
      author: patch.author,
      body: mail.body.replace(/\n-- \n[\s\S]*$/, ''),
      changelog: parseChangelog(mail.body),
    };
    return { kind: 'cover', cover, patch, line: raw.line };
  }
  if (!parts.diff && !subject.tagged)
    return { kind: 'other', reason: `not a patch: ${mail.subject}`, line: raw.line };
  return { kind: 'patch', patch, parsed: checked.files, line: raw.line };
}

function headerLineCount(text: string): number {
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? 0 : text.slice(0, end).split('\n').length + 1;
}

// @@ -1,7 +1,9 @@ static unsigned long drm_gem_shmem_shrinker_scan_objects(struct shrinker *shrinker,
const HUNK_FUNCTION = /\b([A-Za-z_]\w*)\s*\(/;

/** The function name in a hunk header's context text, or null. */
export function hunkFunction(header: string): string | null {
  const context = header.replace(/^@@[^@]*@@\s?/, '');
  const m = HUNK_FUNCTION.exec(context);
  return m ? m[1]! : null;
}

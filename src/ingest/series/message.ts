import type { Trailer } from '../../model/series.js';

/**
 * Splits a patch mail body into the commit message, its trailers, the notes
 * below `---` (changelog, diffstat) and the diff, as `git am` reads it.
 */
export interface PatchBodyParts {
  /** Commit message without trailers. */
  message: string;
  trailers: Trailer[];
  notes: string;
  diff: string;
  /** 0-based line of the body where the diff starts (-1 without a diff). */
  diffLine: number;
  /** An in-body `From:` line (patch sent on behalf of another author). */
  inBodyFrom: string | null;
}

// diff --git a/drivers/gpu/drm/drm_gem_shmem_helper.c b/drivers/gpu/drm/drm_gem_shmem_helper.c
const DIFF_START = /^diff --git |^Index: \S/;
// Signed-off-by: Dmitry Osipenko <dmitry.osipenko@collabora.com>
// Fixes: 17acb9f35ed7 ("drm/shmem: Add madvise state and purge helpers")
// Cc: stable@vger.kernel.org # 5.16+
const TRAILER = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):[ \t]+(\S.*)$/;
// [dmitry: rebased on drm-misc-next]   (maintainer note inside a trailer block)
const TRAILER_NOTE = /^\[[^\]]*\]$/;
// From: Dmitry Osipenko <dmitry.osipenko@collabora.com>   (first body line)
const IN_BODY_FROM = /^From:[ \t]+(\S.*)$/;

export function splitPatchBody(body: string): PatchBodyParts {
  const lines = body.split('\n');
  let diffLine = lines.findIndex(
    (l, i) => DIFF_START.test(l) || (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')),
  );
  if (diffLine < 0) diffLine = -1;
  const head = diffLine < 0 ? lines : lines.slice(0, diffLine);
  const sep = head.findIndex((l) => l === '---' || l === '--- ');
  const messageLines = sep < 0 ? head : head.slice(0, sep);
  const notes =
    sep < 0
      ? ''
      : head
          .slice(sep + 1)
          .join('\n')
          .replace(/\s+$/, '');
  let inBodyFrom: string | null = null;
  const firstText = messageLines.findIndex((l) => l.trim() !== '');
  const inBody = firstText >= 0 ? IN_BODY_FROM.exec(messageLines[firstText]!) : null;
  if (inBody) {
    inBodyFrom = inBody[1]!;
    messageLines.splice(0, firstText + 1);
  }
  const { message, trailers } = takeTrailers(messageLines);
  return {
    message,
    trailers,
    notes,
    diff: diffLine < 0 ? '' : lines.slice(diffLine).join('\n'),
    diffLine,
    inBodyFrom,
  };
}

/** The last paragraph is the trailer block when every line is a trailer (or a `[note]`). */
function takeTrailers(lines: string[]): { message: string; trailers: Trailer[] } {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  let start = end;
  while (start > 0 && lines[start - 1]!.trim() !== '') start--;
  const block = lines.slice(start, end);
  const isTrailerBlock =
    block.length > 0 &&
    block.some((l) => TRAILER.test(l)) &&
    block.every((l) => TRAILER.test(l) || TRAILER_NOTE.test(l.trim()) || /^\s+\S/.test(l));
  if (!isTrailerBlock) return { message: lines.slice(0, end).join('\n').trim(), trailers: [] };
  const trailers: Trailer[] = [];
  for (const l of block) {
    const m = TRAILER.exec(l);
    if (m) trailers.push({ name: m[1]!, value: m[2]!.trim() });
    else if (/^\s+\S/.test(l) && trailers.length > 0) {
      const last = trailers[trailers.length - 1]!;
      last.value = `${last.value} ${l.trim()}`;
    }
  }
  return { message: lines.slice(0, start).join('\n').trim(), trailers };
}

/** Every regex of this recognizer (tests check none can backtrack catastrophically). */
export const MESSAGE_REGEXES: RegExp[] = [DIFF_START, TRAILER, TRAILER_NOTE, IN_BODY_FROM];

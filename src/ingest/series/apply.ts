import type parseDiff from 'parse-diff';

/**
 * Applies one file's hunks to its pre-image (exact line numbers, no fuzz),
 * giving the post-image; null when a hunk does not match. Used to read an
 * mbox series against a kernel tree (`--tree DIR`), patch after patch.
 */
export function applyFileDiff(pre: string, file: parseDiff.File): string | null {
  const old = pre.split('\n');
  const out: string[] = [];
  let next = 0;
  for (const chunk of file.chunks) {
    const start = Math.max(0, chunk.oldStart - 1);
    if (start < next) return null;
    out.push(...old.slice(next, start));
    let at = start;
    for (const c of chunk.changes) {
      const text = c.content.slice(1);
      if (c.type === 'add') out.push(text);
      else {
        if (old[at] !== text) return null;
        if (c.type === 'normal') out.push(text);
        at++;
      }
    }
    next = at;
  }
  out.push(...old.slice(next));
  return out.join('\n');
}

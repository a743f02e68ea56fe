import parseDiff from 'parse-diff';
import type { Diagnostic } from '../../model/diagnostic.js';

/**
 * parse-diff, wrapped so that nothing is dropped silently: every line of the
 * diff is classified first (file header, hunk header, hunk body, the `-- `
 * signature) and lines that are none of these become diagnostics. Only the
 * recognized diff text is handed to parse-diff, and its change count is
 * checked against the hunk bodies seen.
 */
export interface CheckedDiff {
  files: parseDiff.File[];
  /** The recognized diff lines (no signature, no stray text): what parse-diff read. */
  text: string;
  diagnostics: Diagnostic[];
  /**
   * The first diagnostic that means the diff was not read in full (a hunk header that is not
   * one, hunk lines without a header, a hunk cut short, lines parse-diff dropped): what git apply
   * calls a corrupt patch. Null when every change was read.
   */
  corrupt: Diagnostic | null;
}

// @@ -120,7 +120,9 @@ static unsigned long drm_gem_shmem_shrinker_scan_objects(struct shrinker *shrinker,
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
/** File-header lines of a git diff, one row each. */
const FILE_HEADER: RegExp[] = [
  // diff --git a/drivers/gpu/drm/virtio/virtgpu_object.c b/drivers/gpu/drm/virtio/virtgpu_object.c
  /^diff --git /,
  // index 0f23ab1a0e4c..9f1e3c2b7a11 100644
  /^index [0-9a-f]+\.\.[0-9a-f]+/,
  // --- a/drivers/gpu/drm/drm_gem.c
  /^--- (?:a\/|\/dev\/null|\S)/,
  // +++ b/drivers/gpu/drm/drm_gem.c
  /^\+\+\+ (?:b\/|\/dev\/null|\S)/,
  // new file mode 100644  /  deleted file mode 100644  /  old mode 100644  /  new mode 100755
  /^(?:new file|deleted file|old|new) mode \d+$/,
  // similarity index 97%  /  dissimilarity index 60%
  /^(?:dis)?similarity index \d+%$/,
  // rename from drivers/gpu/drm/panfrost/panfrost_gem_shrinker.c   /  copy to ...
  /^(?:rename|copy) (?:from|to) /,
  // Binary files a/x.bin and b/x.bin differ
  /^Binary files .* differ$/,
  // Index: drivers/gpu/drm/drm_gem.c   (quilt)  /  ==========
  /^Index: |^={10,}$/,
];
// \ No newline at end of file
const NO_NEWLINE = /^\\ /;

/** `firstLine` is the 1-based line of the diff's first line in its input. */
export function parseCheckedDiff(diff: string, firstLine = 1): CheckedDiff {
  const lines = diff.split('\n');
  const diagnostics: Diagnostic[] = [];
  const kept: string[] = [];
  let oldLeft = 0;
  let newLeft = 0;
  let bodyLines = 0;
  // `\ No newline at end of file` lines kept: parse-diff counts each as a change
  let noNewline = 0;
  let inFileHeader = false;
  let binary = false;
  let corrupt: Diagnostic | null = null;
  /** A diagnostic that means the diff was not read in full: the first of them is `corrupt`. */
  const lost = (d: Diagnostic) => {
    diagnostics.push(d);
    corrupt ??= d;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (oldLeft > 0 || newLeft > 0) {
      const c = line[0];
      if (c === ' ' || line === '') {
        oldLeft--;
        newLeft--;
      } else if (c === '-') oldLeft--;
      else if (c === '+') newLeft--;
      else if (NO_NEWLINE.test(line)) {
        kept.push(line);
        noNewline++;
        continue;
      } else {
        lost({
          code: 'diff-truncated-hunk',
          message: `hunk ends early: ${line.slice(0, 80)}`,
          line: firstLine + i,
        });
        oldLeft = newLeft = 0;
        i--;
        continue;
      }
      kept.push(line === '' ? ' ' : line);
      bodyLines++;
      continue;
    }
    if (line === '-- ' || (line === '--' && i + 1 < lines.length && /^\d+\.\d+/.test(lines[i + 1] ?? '')))
      break;
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      newLeft = hunk[4] === undefined ? 1 : Number(hunk[4]);
      inFileHeader = false;
      kept.push(line);
      continue;
    }
    if (NO_NEWLINE.test(line)) {
      kept.push(line);
      noNewline++;
      continue;
    }
    if (FILE_HEADER.some((re) => re.test(line))) {
      if (line.startsWith('diff --git ')) binary = false;
      inFileHeader = line.startsWith('diff --git ') || inFileHeader;
      kept.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    // GIT binary patch payload lines are skipped with one diagnostic per file.
    if (line === 'GIT binary patch') binary = true;
    const stray = {
      code: 'diff-unrecognized-line',
      message: `line not part of the diff: ${line.slice(0, 80)}`,
      line: firstLine + i,
    };
    // A hunk header that is not one, or hunk lines between a file's header and its first hunk:
    // changes lost. (Other stray text between files, a mail client's or a signature's, is not.)
    if (line.startsWith('@@') || (inFileHeader && !binary && /^[-+ ]/.test(line))) lost(stray);
    else diagnostics.push(stray);
  }
  if (oldLeft > 0 || newLeft > 0) {
    // the line the input stops at: its last line that holds text (a mail ends with a newline)
    let last = lines.length - 1;
    while (last > 0 && lines[last] === '') last--;
    lost({
      code: 'diff-truncated-hunk',
      message: 'the last hunk is shorter than its header says',
      line: firstLine + last,
    });
  }
  const text = kept.join('\n');
  const files = parseDiff(text);
  const changes = files.reduce((n, f) => n + f.chunks.reduce((m, c) => m + c.changes.length, 0), 0);
  if (changes !== bodyLines + noNewline) {
    lost({
      code: 'diff-lines-dropped',
      message: `parse-diff kept ${changes} of ${bodyLines} hunk lines`,
      line: firstLine,
    });
  }
  return { files, text, diagnostics, corrupt };
}

/** `a/drivers/x.c` → `drivers/x.c`; `/dev/null` → null. */
export function diffPath(path: string | undefined): string | null {
  if (path === undefined || path === '/dev/null') return null;
  return path;
}

/** Every regex of this recognizer (tests check none can backtrack catastrophically). */
export const DIFF_REGEXES: RegExp[] = [HUNK, ...FILE_HEADER, NO_NEWLINE];

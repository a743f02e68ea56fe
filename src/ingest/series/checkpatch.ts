import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { Patch } from '../../model/series.js';

/**
 * The kernel's own scripts/checkpatch.pl, run per patch when lockscope runs
 * inside a kernel tree (b4 prep --check style: `--terse --no-summary
 * --show-types`, the patch's original mail fed on stdin). Its findings keep
 * checkpatch's type as `CHECKPATCH_<TYPE>` (LONG_LINE → CHECKPATCH_LONG_LINE);
 * its `-:LINE` (a line of the mail) is mapped back to the patched file and
 * line. A checkpatch that cannot run is a diagnostic, not silence.
 */
export interface CheckpatchFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  patch: number;
  /** The patched file, when checkpatch's line is in the diff; null for the message and headers. */
  file: string | null;
  /** Line in the patched file's post-image (null outside the diff). */
  line: number | null;
  /** The line of the mail checkpatch was fed. */
  mailLine: number;
  message: string;
}

/** A Patch with the text of the mail it was read from (set by readMessage). */
export interface MailedPatch extends Patch {
  mail?: string;
}

/** scripts/checkpatch.pl in `cwd` or a parent directory, or null. */
export function findCheckpatch(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const script = join(dir, 'scripts', 'checkpatch.pl');
    if (existsSync(script)) return script;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

// -:25: WARNING:LONG_LINE: line length of 104 exceeds 100 columns
// -:7: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)
const LINE = /^[^:\s]*:(\d+): (ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$/;
// total: 0 errors, 1 warnings, 20 lines checked   (summary lines are skipped)
const SEVERITY = { ERROR: 'error', WARNING: 'warning', CHECK: 'info' } as const;

/** `mail` is the text checkpatch was fed: its `-:LINE` references are mapped into the diff. */
export function parseCheckpatchOutput(text: string, patch: number, mail = ''): CheckpatchFinding[] {
  const where = diffLineMap(mail);
  const findings: CheckpatchFinding[] = [];
  for (const l of text.split('\n')) {
    const m = LINE.exec(l);
    if (!m) continue;
    const mailLine = Number(m[1]);
    const at = where.get(mailLine) ?? { file: null, line: null };
    findings.push({
      id: `CHECKPATCH_${m[3]}`,
      severity: SEVERITY[m[2] as keyof typeof SEVERITY],
      patch,
      ...at,
      mailLine,
      message: m[4]!,
    });
  }
  return findings;
}

// +++ b/drivers/gpu/drm/toy/toy_gem.c
const NEW_FILE = /^\+\+\+ (?:b\/)?(\S+)/;
// @@ -96,3 +96,13 @@ int toy_bo_get_pages(struct toy_bo *bo)
const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Mail line → patched file and post-image line, for the lines of its hunks
 * (a removed line maps to the post-image line it was removed before).
 */
export function diffLineMap(mail: string): Map<number, { file: string; line: number }> {
  const map = new Map<number, { file: string; line: number }>();
  let file: string | null = null;
  let next = 0;
  let left = false;
  mail.split('\n').forEach((text, i) => {
    const nf = NEW_FILE.exec(text);
    if (nf) {
      file = nf[1] === '/dev/null' ? null : nf[1]!;
      left = false;
      return;
    }
    const h = HUNK.exec(text);
    if (h) {
      next = Number(h[1]);
      left = true;
      return;
    }
    if (!left || file === null) return;
    if (text.startsWith('+') || text.startsWith(' ')) map.set(i + 1, { file, line: next++ });
    else if (text.startsWith('-')) map.set(i + 1, { file, line: next });
    else if (!text.startsWith('\\')) left = false;
  });
  return map;
}

/** The patch as a mail checkpatch can read: headers, message, trailers, notes, diff. */
export function patchMail(p: Patch): string {
  const author = p.author ? `${p.author.name} <${p.author.email}>` : 'unknown <unknown>';
  const trailers = p.trailers.map((t) => `${t.name}: ${t.value}`).join('\n');
  return `From: ${author}\nSubject: [${p.prefix || 'PATCH'} ${p.index}/${p.total}] ${p.subject}\n\n${p.body}\n\n${trailers}\n---\n${p.notes}\n\n${p.diff}\n`;
}

export interface CheckpatchRun {
  findings: CheckpatchFinding[];
  /** `checkpatch-spawn-failed` (perl could not start: no more patches are tried), `checkpatch-failed`. */
  diagnostics: Diagnostic[];
}

export function runCheckpatch(script: string, patches: Patch[], perl = 'perl'): CheckpatchRun {
  const run: CheckpatchRun = { findings: [], diagnostics: [] };
  for (const p of patches as MailedPatch[]) {
    const mail = p.mail ?? patchMail(p);
    const r = spawnSync(perl, [script, '--terse', '--no-summary', '--show-types', '--no-tree', '-'], {
      cwd: dirname(dirname(script)),
      input: mail,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) {
      run.diagnostics.push({
        code: 'checkpatch-spawn-failed',
        message: `could not run ${perl} ${script}: ${r.error.message}; checkpatch findings are missing`,
        line: null,
      });
      break;
    }
    // checkpatch exits 0 (clean) or 1 (findings); anything else (a die, a signal) is a failed run.
    if (r.status !== 0 && r.status !== 1) {
      const why = (r.stderr ?? '').trim().split('\n')[0] || `exit ${r.status ?? r.signal}`;
      run.diagnostics.push({
        code: 'checkpatch-failed',
        message: `patch ${p.index}: ${script} failed (${why}); its findings for this patch are missing`,
        line: null,
      });
      continue;
    }
    run.findings.push(...parseCheckpatchOutput(r.stdout ?? '', p.index, mail));
  }
  return run;
}

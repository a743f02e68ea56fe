import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Patch } from '../../model/series.js';

/**
 * The kernel's own scripts/checkpatch.pl, run per patch when lockscope runs
 * inside a kernel tree (b4 prep --check style: `--terse --no-summary
 * --show-types`, the patch fed on stdin). Its findings keep checkpatch's
 * type as `CHECKPATCH_<TYPE>` (LONG_LINE → CHECKPATCH_LONG_LINE).
 */
export interface CheckpatchFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  patch: number;
  /** checkpatch reports lines of the patch text it was fed. */
  line: number | null;
  message: string;
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

export function parseCheckpatchOutput(text: string, patch: number): CheckpatchFinding[] {
  const findings: CheckpatchFinding[] = [];
  for (const l of text.split('\n')) {
    const m = LINE.exec(l);
    if (!m) continue;
    findings.push({
      id: `CHECKPATCH_${m[3]}`,
      severity: SEVERITY[m[2] as keyof typeof SEVERITY],
      patch,
      line: Number(m[1]),
      message: m[4]!,
    });
  }
  return findings;
}

/** The patch as a mail checkpatch can read: headers, message, trailers, notes, diff. */
export function patchMail(p: Patch): string {
  const author = p.author ? `${p.author.name} <${p.author.email}>` : 'unknown <unknown>';
  const trailers = p.trailers.map((t) => `${t.name}: ${t.value}`).join('\n');
  return `From: ${author}\nSubject: [${p.prefix || 'PATCH'} ${p.index}/${p.total}] ${p.subject}\n\n${p.body}\n\n${trailers}\n---\n${p.notes}\n\n${p.diff}\n`;
}

export function runCheckpatch(script: string, patches: Patch[]): CheckpatchFinding[] {
  const findings: CheckpatchFinding[] = [];
  for (const p of patches) {
    const r = spawnSync('perl', [script, '--terse', '--no-summary', '--show-types', '--no-tree', '-'], {
      cwd: dirname(dirname(script)),
      input: patchMail(p),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    findings.push(...parseCheckpatchOutput(r.stdout ?? '', p.index));
  }
  return findings;
}

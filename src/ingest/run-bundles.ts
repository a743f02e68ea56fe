import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PatchRunLog, RunAbout } from '../model/report.js';
import { parseConsoleLog } from './console/index.js';
import { InputError } from './input.js';

/**
 * Per-patch result bundles for offline bisection: `NN/dmesg.txt` (one run per
 * patch, `00` = the base) or `NN/<run>/dmesg.txt` (several), each console log
 * parsed into its reports.
 */
const LOG_NAMES = ['dmesg.txt', 'dmesg.txt.gz', 'console.log', 'console.log.gz'];

/** `NN/dmesg.txt` (one run) or `NN/<run>/dmesg.txt` (several), NN numeric. */
export async function readBundles(dir: string): Promise<PatchRunLog[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new InputError(`${dir}: not a readable directory`, dir);
  });
  const logs: PatchRunLog[] = [];
  for (const e of entries.filter((d) => d.isDirectory() && /^\d{1,4}$/.test(d.name))) {
    const bundle = join(dir, e.name);
    const runDirs = [
      bundle,
      ...(await readdir(bundle, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => join(bundle, d.name)),
    ];
    const files = runDirs
      .map((d) => LOG_NAMES.map((n) => join(d, n)).find(existsSync))
      .filter((f) => f !== undefined);
    const runs = await Promise.all(
      files.map(async (f) => {
        const parsed = await parseConsoleLog(f);
        const about = await readRunAbout(join(dirname(f), 'run.json'));
        // A log without kernel output (a failed build, the wrong file) is no output: that run is broken.
        return { reports: parsed.reports, hadOutput: parsed.usable, ...(about ? { about } : {}) };
      }),
    );
    logs.push({ index: Number(e.name), runs: runs.length > 0 ? runs : [{ reports: [], hadOutput: false }] });
  }
  if (logs.length === 0) throw new InputError(`${dir}: no NN/dmesg.txt bundles`, dir);
  return logs;
}

/**
 * The series, patch and subject a bundle's run.json names (`module.series`, `module.patch`,
 * `module.subject`, as lab/lab.sh writes them), or null when there is no run.json or it is not
 * a JSON object: the log is the data, run.json only a label to check.
 */
async function readRunAbout(path: string): Promise<RunAbout | null> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const module = (doc as { module?: unknown }).module;
  const from = typeof module === 'object' && module !== null ? (module as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  return { path, series: text(from.series), patch: text(from.patch), subject: text(from.subject) };
}

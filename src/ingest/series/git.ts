import { spawn } from 'node:child_process';
import { type SimpleGit, simpleGit } from 'simple-git';
import { InputError } from '../input.js';

/**
 * The git side of series ingest, over the real `git` through simple-git.
 * Every ref a user typed is validated and resolved to a commit hash before
 * any other git call sees it, and it is passed after `--end-of-options`, so
 * nothing a user types reaches git as an option.
 */

// b4/shmem-shrinker-v6   HEAD~8   v6.1   origin/drm-misc-next   1a2b3c4d   HEAD^{commit}
const SAFE_REF = /^[A-Za-z0-9._/~^@{}+-]{1,255}$/;

export function validateRef(ref: string, what = 'revision'): string {
  if (ref === '' || ref.startsWith('-') || !SAFE_REF.test(ref) || ref.includes('..')) {
    throw new InputError(
      `${ref}: not a valid ${what} (refs may not start with "-" or contain spaces or "..")`,
      ref,
    );
  }
  return ref;
}

export function gitFor(cwd: string): SimpleGit {
  return simpleGit({ baseDir: cwd });
}

/** Resolves a validated ref to a commit hash, or throws InputError (exit 2). */
export async function resolveCommit(git: SimpleGit, ref: string): Promise<string> {
  validateRef(ref);
  try {
    const out = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    const sha = out.trim();
    if (/^[0-9a-f]{40,64}$/.test(sha)) return sha;
  } catch {
    // fall through to the error below
  }
  throw new InputError(`${ref}: unknown revision (not a commit in this repository)`, ref);
}

/** Splits `base..tip` (also `base...tip`, taken as `base..tip`). */
export function splitRange(source: string): { base: string; tip: string } | null {
  const at = source.indexOf('..');
  if (at <= 0) return null;
  const tip = source.slice(source.startsWith('...', at) ? at + 3 : at + 2);
  return tip === '' ? null : { base: source.slice(0, at), tip };
}

/** `b4/shmem-shrinker-v6` → 6 (b4 tags, `sent/...-v6` branches), else null. */
export function refVersion(ref: string): number | null {
  const m = /[-_/]v(\d{1,4})$/i.exec(ref);
  return m ? Number(m[1]) : null;
}

/** `git format-patch --stdout` of base..tip (hashes only), numbered, with fixed prefixes. */
export async function formatPatches(
  git: SimpleGit,
  base: string,
  tip: string,
  version: number | null,
): Promise<string> {
  const args = [
    'format-patch',
    '--stdout',
    '--numbered',
    '--no-color',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '--subject-prefix=PATCH',
    ...(version !== null && version > 1 ? [`-v${version}`] : []),
    '--end-of-options',
    `${base}..${tip}`,
  ];
  return git.raw(args);
}

/**
 * Reads blobs by `rev:path` through one `git cat-file --batch` process;
 * a missing blob (file added or deleted) is null.
 */
export function catFiles(cwd: string, specs: string[]): Promise<Map<string, string | null>> {
  const result = new Map<string, string | null>();
  const wanted = [...new Set(specs.filter((s) => !/[\n\r]/.test(s)))];
  if (wanted.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      let pos = 0;
      for (const spec of wanted) {
        const nl = out.indexOf(10, pos);
        if (nl < 0) break;
        const header = out.subarray(pos, nl).toString('utf8');
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) {
          result.set(spec, null);
          pos = nl + 1;
          continue;
        }
        const size = Number(m[2]);
        result.set(spec, m[1] === 'blob' ? out.subarray(nl + 1, nl + 1 + size).toString('utf8') : null);
        pos = nl + 1 + size + 1;
      }
      resolve(result);
    });
    child.stdin.end(`${wanted.join('\n')}\n`);
  });
}

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';

/**
 * Hermetic throwaway git repositories for tests: each lives in its own temp
 * dir with a temp HOME, no global config (HOME and XDG_CONFIG_HOME are empty temp dirs) and no system config, fixed author/committer
 * identity and dates (so commit hashes are reproducible), and is removed by
 * `cleanup()`.
 */
export interface TestRepo {
  /** The work tree. */
  dir: string;
  git: SimpleGit;
  /** Environment for running git (or the CLI) against this repo hermetically. */
  env: NodeJS.ProcessEnv;
  /** Writes files (paths relative to the repo; `null` deletes) without committing. */
  write(files: Record<string, string | null>): void;
  /** Writes files, stages everything and commits; returns the new commit hash. */
  commit(message: string, files: Record<string, string | null>, author?: GitAuthor): Promise<string>;
  /** `git tag name [rev]`. */
  tag(name: string, rev?: string): Promise<void>;
  /** `git format-patch` of `range` into `outDir` (created); returns the file names, sorted. */
  formatPatch(range: string, outDir: string, extraArgs?: string[]): Promise<string[]>;
  cleanup(): void;
}

export interface GitAuthor {
  name: string;
  email: string;
}

export const TEST_AUTHOR: GitAuthor = { name: 'Ada Kernel', email: 'ada@example.org' };

/** The environment every hermetic git call runs with (HOME is a fresh temp dir). */
export function hermeticGitEnv(home: string): NodeJS.ProcessEnv {
  const keep: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'LANG', 'SYSTEMROOT', 'TMPDIR']) if (process.env[k]) keep[k] = process.env[k];
  return {
    ...keep,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: TEST_AUTHOR.name,
    GIT_AUTHOR_EMAIL: TEST_AUTHOR.email,
    GIT_COMMITTER_NAME: TEST_AUTHOR.name,
    GIT_COMMITTER_EMAIL: TEST_AUTHOR.email,
    TZ: 'UTC',
  };
}

export async function createTestRepo(prefix = 'lockscope-repo-'): Promise<TestRepo> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, 'home');
  const dir = join(root, 'repo');
  mkdirSync(home, { recursive: true });
  mkdirSync(dir, { recursive: true });
  const env = hermeticGitEnv(home);
  const git = simpleGit({ baseDir: dir }).env(env);
  await git.raw(['init', '-q', '-b', 'master']);
  await git.addConfig('commit.gpgsign', 'false');
  let tick = 0;

  const write = (files: Record<string, string | null>): void => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
  };

  return {
    dir,
    git,
    env,
    write,
    async commit(message, files, author = TEST_AUTHOR) {
      write(files);
      await git.raw(['add', '-A']);
      tick += 1;
      const date = `2026-01-01T00:${String(Math.floor(tick / 60)).padStart(2, '0')}:${String(tick % 60).padStart(2, '0')}Z`;
      await git
        .env({
          ...env,
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_DATE: date,
        })
        .raw(['commit', '-q', '--allow-empty', '-m', message]);
      return (await git.raw(['rev-parse', 'HEAD'])).trim();
    },
    async tag(name, rev = 'HEAD') {
      await git.raw(['tag', name, rev]);
    },
    async formatPatch(range, outDir, extraArgs = []) {
      mkdirSync(outDir, { recursive: true });
      await git.raw(['format-patch', '-q', '-o', outDir, ...extraArgs, range]);
      return readdirSync(outDir)
        .filter((f) => f.endsWith('.patch'))
        .sort();
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

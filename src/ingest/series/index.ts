import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import parseDiff from 'parse-diff';
import { analyzePatchLocking, type ImageContext, type LockedPatch } from '../../analyzers/series/lock-ops.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { CoverLetter, Patch, PatchSeries } from '../../model/series.js';
import { InputError, readInput } from '../input.js';
import { applyFileDiff } from './apply.js';
import { parseChangelog } from './changelog.js';
import {
  catFiles,
  formatPatches,
  gitFor,
  refVersion,
  resolveCommit,
  splitRange,
  validateRef,
} from './git.js';
import { splitMbox } from './mbox.js';
import { readMessage } from './patch.js';

/**
 * Reads a patch series from an mbox file, a directory of .patch files, or git
 * (`base..tip`, or a branch/tag with `options.base`). This is the series
 * ingest facade: after parsing it fills each patch's `lockOps` (whole files
 * from git or `options.tree`, hunks otherwise), so callers get a complete
 * PatchSeries. Throws InputError (exit 2) for unusable input.
 */
export interface ReadSeriesOptions {
  cwd?: string;
  base?: string;
  /** A kernel tree the mbox applies to: lock ops then rest on whole files. */
  tree?: string;
  /** Where `-` reads from (process.stdin by default). */
  stdin?: Readable;
}

const PATCH_FILE = /\.(?:patch|mbox|mbx|eml|diff)$/;

export async function readSeries(source: string, options: ReadSeriesOptions = {}): Promise<PatchSeries> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, source);
  if (options.tree !== undefined && !(existsSync(options.tree) && statSync(options.tree).isDirectory())) {
    throw new InputError(`${options.tree}: --tree is not a directory`, options.tree);
  }
  // `-` is stdin (an mbox); any other existing path is a file or directory,
  // whatever its first character; refs are validated on the git path only.
  if (options.base === undefined && source === '-') return readMbox('-', source, options);
  if (options.base === undefined && source !== '' && existsSync(path)) {
    if (statSync(path).isDirectory()) return readDirectory(path, source, options);
    return readMbox(path, source, options);
  }
  return readGit(source, options, cwd);
}

async function readMbox(path: string, label: string, options: ReadSeriesOptions): Promise<PatchSeries> {
  let bytes: Buffer;
  try {
    bytes = await readInput(path, options.stdin);
  } catch (error) {
    // Name the input as the user typed it, not its resolved path.
    if (error instanceof InputError)
      throw new InputError(error.message.replace(path, label), label, error.line);
    throw error;
  }
  const text = bytes.toString('utf8');
  const series = await assemble(splitMbox(text), `mbox:${label}`, label);
  annotate(series, options.tree ? treeImages(options.tree, series) : () => ({}));
  return series;
}

async function readDirectory(dir: string, label: string, options: ReadSeriesOptions): Promise<PatchSeries> {
  const names = readdirSync(dir)
    .filter((n) => PATCH_FILE.test(n))
    .sort();
  if (names.length === 0) throw new InputError(`${label}: no .patch files in this directory`, label);
  const messages = [];
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    messages.push(...splitMbox(text).map((m) => ({ ...m, file: name })));
  }
  const series = await assemble(messages, `dir:${label}`, label);
  annotate(series, options.tree ? treeImages(options.tree, series) : () => ({}));
  return series;
}

async function readGit(source: string, options: ReadSeriesOptions, cwd: string): Promise<PatchSeries> {
  const git = gitFor(cwd);
  const range =
    options.base !== undefined
      ? { base: options.base, tip: source }
      : (splitRange(source) ?? (await b4Range(git, source, cwd)));
  validateRef(range.base, 'base revision');
  validateRef(range.tip, 'revision');
  try {
    await git.raw(['rev-parse', '--git-dir']);
  } catch {
    throw new InputError(`${source}: not a file, and ${cwd} is not a git repository`, source);
  }
  let base = await resolveCommit(git, range.base);
  const tip = await resolveCommit(git, range.tip);
  const first =
    (await git.raw(['rev-list', '--reverse', '--end-of-options', `${base}..${tip}`])).split('\n')[0] ?? '';
  if (first === '') throw new InputError(`${source}: the range holds no commits`, source);
  const b4 = await b4Cover(git, first);
  if (b4 !== null) base = first;
  const version = b4?.version ?? refVersion(range.tip);
  const text = b4 !== null && first === tip ? '' : await formatPatches(git, base, tip, version);
  const series =
    text.trim() === '' && b4 !== null
      ? {
          source: `git:${range.base}..${range.tip}`,
          version: b4.version,
          total: 0,
          cover: null,
          patches: [],
          diagnostics: [],
        }
      : await assemble(splitMbox(text), `git:${range.base}..${range.tip}`, source);
  if (b4 !== null) {
    series.cover = { ...b4, total: series.patches.length };
    series.version = b4.version;
    series.total = series.patches.length;
  }
  const specs: string[] = [];
  for (const p of series.patches) {
    if (p.commit === null) continue;
    for (const f of p.files) {
      if (f.oldPath && /\.[ch]$/.test(f.oldPath)) specs.push(`${p.commit}^:${f.oldPath}`);
      if (f.newPath && /\.[ch]$/.test(f.newPath)) specs.push(`${p.commit}:${f.newPath}`);
    }
  }
  const blobs = await catFiles(cwd, specs);
  annotate(series, (p) => ({
    preImage: (file) => (p.commit === null ? null : (blobs.get(`${p.commit}^:${file}`) ?? null)),
    postImage: (file) => (p.commit === null ? null : (blobs.get(`${p.commit}:${file}`) ?? null)),
  }));
  return series;
}

interface NamedMessage {
  text: string;
  line: number;
  envelope: string | null;
  file?: string;
}

async function assemble(messages: NamedMessage[], source: string, label: string): Promise<PatchSeries> {
  const diagnostics: Diagnostic[] = [];
  let cover: CoverLetter | null = null;
  const patches: Patch[] = [];
  for (const raw of messages) {
    // the file a diagnostic's line counts in: the patch file of a directory, else the input
    const path = raw.file === undefined ? label : join(label, raw.file);
    const local: Diagnostic[] = [];
    const m = await readMessage(raw, local, path);
    diagnostics.push(...local.map((d) => ({ ...d, path })));
    if (m.kind === 'cover') {
      if (cover === null) cover = m.cover;
      else
        diagnostics.push({
          code: 'series-second-cover',
          message: 'a second cover letter is ignored',
          line: m.line,
          path,
        });
    } else if (m.kind === 'patch') patches.push(m.patch);
    else
      diagnostics.push({
        code: 'series-not-a-patch',
        message: `skipped (${m.reason})`,
        line: m.line,
        path,
      });
  }
  if (cover === null && patches.length === 0) {
    throw new InputError(`${label}: no patch or cover letter found (not an mbox of patches)`, label);
  }
  patches.sort((a, b) => a.index - b.index);
  const version = cover?.version ?? mostCommon(patches.map((p) => p.version)) ?? 1;
  // `git format-patch -o outgoing` for v1, then `-v2 -o outgoing`: two series in one place
  const versions = [...new Set(patches.map((p) => p.version))].sort((a, b) => a - b);
  if (versions.length > 1)
    diagnostics.push({
      code: 'series-mixed-versions',
      message: `patches of ${versions.map((v) => `v${v}`).join(', ')} in one series: read as v${version}, the others mixed in (keep one version per directory or mbox)`,
      line: null,
    });
  const total = cover?.total ?? mostCommon(patches.map((p) => p.total)) ?? patches.length;
  return { source, version, total, cover, patches, diagnostics };
}

function mostCommon(values: number[]): number | null {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  for (const [v, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** Fills lockOps (and the functions each file's changes sit in) from the lock-op analyzer. */
function annotate(series: PatchSeries, context: (p: Patch) => ImageContext): void {
  for (const p of series.patches as LockedPatch[]) {
    const locking = analyzePatchLocking(p, context(p));
    p.lockOps = locking.ops;
    p.lockFunctions = locking.functions;
    for (const f of p.files) {
      const path = f.newPath ?? f.oldPath;
      const names = locking.functions.filter((fn) => fn.file === path).map((fn) => fn.name);
      f.functions = [...new Set([...f.functions, ...names])];
    }
  }
}

/** Pre/post images from a kernel tree, the series applied patch by patch. */
function treeImages(tree: string, series: PatchSeries): (p: Patch) => ImageContext {
  const state = new Map<string, string | null>();
  const read = (path: string): string | null => {
    if (!state.has(path)) {
      const full = join(tree, path);
      state.set(path, existsSync(full) ? readFileSync(full, 'utf8') : null);
    }
    return state.get(path) ?? null;
  };
  const images = new Map<Patch, { pre: Map<string, string | null>; post: Map<string, string | null> }>();
  for (const p of series.patches) {
    const pre = new Map<string, string | null>();
    const post = new Map<string, string | null>();
    for (const f of parseDiff(p.diff)) {
      const from = f.new ? null : (f.from ?? null);
      const to = f.deleted ? null : (f.to ?? null);
      const before = from === null ? '' : read(from);
      if (from !== null) pre.set(from, before);
      const after = before === null ? null : applyFileDiff(before, f);
      if (after === null) {
        series.diagnostics.push({
          code: 'series-tree-mismatch',
          message: `patch ${p.index}: ${to ?? from} does not apply to the tree; its lock ops rest on hunks`,
          line: null,
        });
      }
      if (to !== null) post.set(to, after);
      if (from !== null && from !== to) state.set(from, null);
      if (to !== null) state.set(to, after);
    }
    images.set(p, { pre, post });
  }
  return (p) => {
    const img = images.get(p);
    return {
      preImage: (file) => img?.pre.get(file) ?? null,
      postImage: (file) => img?.post.get(file) ?? null,
    };
  };
}

// base-commit: 4f1d2c3b5a69e2d0a1b7c8d9e0f1a2b3c4d5e6f7
const BASE_COMMIT = /^base-commit:\s*([0-9a-f]{7,64})\s*$/m;
const B4_TRACKING = '\n--- b4-submit-tracking ---';

/**
 * A branch or tag given alone (`b4/shmem-shrinker-v6`): when its history
 * holds a b4 cover-letter commit, the base is the cover letter's
 * `base-commit:` line, else the cover commit's parent (where `b4 prep`
 * forked). Otherwise `--base` is required.
 */
async function b4Range(
  git: ReturnType<typeof gitFor>,
  source: string,
  cwd: string,
): Promise<{ base: string; tip: string }> {
  if (source === '' || source.startsWith('-')) {
    throw new InputError(`${source}: no such file (and a revision cannot start with "-")`, source);
  }
  validateRef(source);
  const needBase = (why: string) =>
    new InputError(`${source}: ${why}: give base..${source}, or --base BASE ${source}`, source);
  let log: string;
  try {
    const tip = await resolveCommit(git, source);
    log = await git.raw(['log', '-n', '1000', '--format=%H%x00%P%x00%B%x1e', '--end-of-options', tip]);
  } catch {
    throw new InputError(`${source}: no such file, and not a git range or revision in ${cwd}`, source);
  }
  for (const entry of log.split('\x1e')) {
    const [commit = '', parents = '', message = ''] = entry.replace(/^\n/, '').split('\0');
    if (!message.includes(B4_TRACKING)) continue;
    const base =
      BASE_COMMIT.exec(message.slice(0, message.indexOf(B4_TRACKING)))?.[1] ?? parents.split(' ')[0];
    if (!base)
      throw needBase(
        `its b4 cover letter (${commit.slice(0, 12)}) has no base-commit line and no parent, so --base is required`,
      );
    return { base, tip: source };
  }
  throw needBase(
    'not a range, and its history holds no b4 cover-letter commit to take the base from, so --base is required',
  );
}

/**
 * b4 prep keeps the cover letter as an empty commit at the start of the
 * branch, its message ending in `--- b4-submit-tracking ---` and a JSON block
 * with the revision: read it back as the cover letter (null for other commits).
 */
async function b4Cover(git: ReturnType<typeof gitFor>, commit: string): Promise<CoverLetter | null> {
  const message = await git.raw(['log', '-1', '--format=%an%x00%ae%x00%B', '--end-of-options', commit]);
  const at = message.indexOf('\n--- b4-submit-tracking ---');
  if (at < 0) return null;
  const [name = '', email = '', text = ''] = message.slice(0, at).split('\0');
  const revision = /"revision":\s*(\d+)/.exec(message.slice(at));
  const [subject = '', ...rest] = text.split('\n');
  const body = rest.join('\n').trim();
  const version = revision ? Number(revision[1]) : 1;
  return {
    version,
    total: 0,
    subject: subject.trim(),
    author: { name, email },
    body,
    changelog: parseChangelog(body),
  };
}

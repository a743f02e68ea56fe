import parseDiff from 'parse-diff';
import type { LockOp, Patch } from '../../model/series.js';
import { type CallSite, findCalls, guardOf } from './c-source/calls.js';
import { CALLBACK_ASSIGNMENT, PRIMITIVE_BY_NAME, type PrimitiveRow } from './c-source/primitives.js';
import {
  type CodeLine,
  type FunctionSpan,
  type ScannedSource,
  type SourceLine,
  scanSource,
} from './c-source/scanner.js';

/**
 * What a patch does to locking, from its added and removed lines and the
 * functions they sit in. With whole pre/post-image files (from git, or a
 * kernel tree) function boundaries, the locks held where a line is added and
 * the assertions in unchanged lines come from the file (`confidence: "file"`);
 * from a mail alone they come from the hunks (`confidence: "hunk"`).
 * Pure: the images are passed in as functions.
 */
export interface ImageContext {
  preImage?(path: string): string | null;
  postImage?(path: string): string | null;
}

/** A lock a function holds at some line. */
export interface HeldLockRef {
  family: string;
  lock: string | null;
}

/** A LockOp with the facts checks need (extra fields; the model's fields are unchanged). */
export interface LockOpFacts extends LockOp {
  /** Locks held at this line (added/context ops in the post-image). */
  held?: HeldLockRef[];
  /** Sleeping lock primitive (mutex, rwsem, ww_mutex, dma_resv). */
  sleeping?: boolean;
  /**
   * For added `lock`/`rcu-read-lock` ops: false when a path the patch shows
   * leaves the function with the lock held, true when every path seen
   * unlocks it, null when the evidence is not visible.
   */
  balanced?: boolean | null;
  /** The line of the path that leaves without unlocking. */
  unbalancedAt?: number | null;
  /** For shrinker callback assignments: the function assigned. */
  callback?: string | null;
  /** A cleanup guard (`guard(mutex)(&l)`): released when its scope ends. */
  scoped?: boolean;
}

/** A function the patch adds or changes. */
export interface FunctionFacts {
  name: string;
  file: string;
  /** Definition line in the post-image, or the first line seen. */
  line: number | null;
  /** The whole body was seen. */
  complete: boolean;
  /** The definition line itself is added by the patch. */
  added: boolean;
  /** A held-lock assertion (`lockdep_assert_held`, `dma_resv_assert_held`, ...) is in the body. */
  hasAssert: boolean;
  /** Functions it calls (lock primitives left out), as far as the body is seen. */
  calls: string[];
  /** Where it calls them, with the locks held at each call (post-image). */
  callSites?: CallSiteFacts[];
  confidence: 'file' | 'hunk';
}

/** A call to a non-primitive function in a function the patch adds or changes. */
export interface CallSiteFacts {
  /** The function called. */
  callee: string;
  line: number;
  change: 'added' | 'context';
  /** Locks held at the call. */
  held: HeldLockRef[];
}

/** A Patch as readSeries returns it: lockOps carry LockOpFacts, and the functions it changes. */
export interface LockedPatch extends Patch {
  lockOps: LockOpFacts[];
  lockFunctions?: FunctionFacts[];
}

export interface PatchLocking {
  ops: LockOpFacts[];
  functions: FunctionFacts[];
}

export function extractLockOps(patch: Patch, context: ImageContext = {}): LockOp[] {
  return analyzePatchLocking(patch, context).ops;
}

// drivers/gpu/drm/drm_gem_shmem_helper.c   include/drm/drm_gem_shmem_helper.h
const C_SOURCE = /\.(?:c|h)$/;

export function analyzePatchLocking(patch: Patch, context: ImageContext = {}): PatchLocking {
  const ops: LockOpFacts[] = [];
  const functions: FunctionFacts[] = [];
  let files: parseDiff.File[];
  try {
    files = parseDiff(patch.diff);
  } catch {
    return { ops, functions };
  }
  for (const file of files) {
    const newPath = file.deleted ? null : stripPrefix(file.to);
    const oldPath = file.new ? null : stripPrefix(file.from);
    const path = newPath ?? oldPath;
    if (path === null || !C_SOURCE.test(path)) continue;
    const post = newPath === null ? null : buildView(file, 'post', context.postImage?.(newPath) ?? null);
    // The pre-image only matters for removed lines.
    const pre =
      oldPath === null || file.deletions === 0
        ? null
        : buildView(file, 'pre', context.preImage?.(oldPath) ?? null);
    const touched = new Set<string>();
    if (post)
      for (const l of post.scan.lines)
        if (l.change === 'added' && l.fn >= 0) touched.add(post.scan.functions[l.fn]!.name);
    if (pre)
      for (const l of pre.scan.lines)
        if (l.change === 'removed' && l.fn >= 0) touched.add(pre.scan.functions[l.fn]!.name);
    if (post) {
      const fileOps = opsOfView(post.scan, path, post.confidence, touched, 'post');
      const sites = callSitesOfView(post.scan, touched);
      // Ops and call sites in line order (a call after the ops of its own line).
      const walk = [...fileOps, ...sites.map(({ site }) => site)].sort((a, b) => a.line! - b.line!);
      annotateHeld(post.scan, walk);
      annotateBalance(post.scan, fileOps);
      ops.push(...fileOps.filter((o) => o.change !== 'removed'));
      const facts = functionFacts(post.scan, path, post.confidence, touched, fileOps);
      for (const f of facts) {
        f.callSites = sites
          .filter((s) => s.fn === f.name)
          .map(({ site }) => ({
            callee: site.callee,
            line: site.line,
            change: site.change,
            held: site.held ?? [],
          }));
      }
      functions.push(...facts);
    }
    if (pre) {
      const removed = opsOfView(pre.scan, path, pre.confidence, touched, 'pre').filter(
        (o) => o.change === 'removed',
      );
      ops.push(...removed);
    }
  }
  return { ops, functions };
}

interface View {
  scan: ScannedSource;
  confidence: 'file' | 'hunk';
}

function stripPrefix(path: string | undefined): string | null {
  if (path === undefined || path === '/dev/null') return null;
  return path;
}

/** The post- (or pre-) image side of a file: the whole image when given, else the hunks. */
function buildView(file: parseDiff.File, side: 'post' | 'pre', image: string | null): View {
  const mine = side === 'post' ? 'add' : 'del';
  const changed = new Set<number>();
  for (const chunk of file.chunks) for (const c of chunk.changes) if (c.type === mine) changed.add(c.ln);
  if (image !== null) {
    const text = image.split('\n');
    const view: SourceLine[] = text.map((t, i) => ({
      line: i + 1,
      text: t,
      change: changed.has(i + 1) ? (side === 'post' ? 'added' : 'removed') : 'context',
      hunk: -1,
    }));
    return { scan: scanSource(view), confidence: 'file' };
  }
  const view: SourceLine[] = [];
  file.chunks.forEach((chunk, hunk) => {
    for (const c of chunk.changes) {
      if (c.type === 'normal')
        view.push({
          line: side === 'post' ? c.ln2 : c.ln1,
          text: c.content.slice(1),
          change: 'context',
          hunk,
        });
      else if (c.type === mine) {
        view.push({
          line: c.ln,
          text: c.content.slice(1),
          change: side === 'post' ? 'added' : 'removed',
          hunk,
        });
      }
    }
  });
  // A hunk header names the function above it in the pre-image: after a rename earlier in the
  // patch, the post-image calls that function by its new name.
  const renames = side === 'post' ? renamedFunctions(file) : new Map<string, string>();
  const headers = file.chunks.map((c) => {
    const fn = hunkFunction(c.content);
    return fn === null ? null : (renames.get(fn) ?? fn);
  });
  return { scan: scanSource(view, (h) => headers[h] ?? null), confidence: 'hunk' };
}

// `static unsigned long shmem_lab_shrinker_scan_list(struct shmem_lab_device *sdev,` (a definition's
// first line: at column 0, a name and its opening parenthesis, no `;`)
const DEFINITION = /^[A-Za-z_][\w \t*]{0,200}?\b([A-Za-z_]\w*)\s*\([^;]*$/;

/** Regexes of the hunk-only reading (the ReDoS test checks them). */
export const HUNK_VIEW_REGEXES: readonly RegExp[] = [DEFINITION];

/** Functions a patch renames: a removed definition line right followed by an added one. */
function renamedFunctions(file: parseDiff.File): Map<string, string> {
  const renames = new Map<string, string>();
  for (const chunk of file.chunks) {
    let removed: string | null = null;
    for (const c of chunk.changes) {
      const def = c.type === 'normal' ? null : DEFINITION.exec(c.content.slice(1));
      if (c.type === 'del') removed = def ? def[1]! : removed;
      else if (c.type === 'add' && removed !== null && def) {
        if (def[1] !== removed) renames.set(removed, def[1]!);
        removed = null;
      } else if (c.type === 'normal') removed = null;
    }
  }
  return renames;
}

// @@ -120,7 +120,9 @@ static unsigned long drm_gem_shmem_shrinker_scan_objects(struct shrinker *shrinker,
function hunkFunction(header: string): string | null {
  const context = header.replace(/^@@[^@]*@@\s?/, '');
  const m = /\b([A-Za-z_]\w*)\s*\(/.exec(context);
  return m ? m[1]! : null;
}

/** Ops on changed lines, and on unchanged lines of touched functions (plus every callback assignment). */
function opsOfView(
  scan: ScannedSource,
  file: string,
  confidence: 'file' | 'hunk',
  touched: Set<string>,
  side: 'post' | 'pre',
): LockOpFacts[] {
  const ops: LockOpFacts[] = [];
  const { lines, functions } = scan;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const fn = l.fn >= 0 ? functions[l.fn]!.name : null;
    const changed = side === 'post' ? l.change === 'added' : l.change === 'removed';
    const relevant = changed || (fn !== null && touched.has(fn));
    if (l.code.trim() === '') continue;
    const assignment = CALLBACK_ASSIGNMENT.exec(l.code);
    if (assignment && (changed || l.change === 'context')) {
      ops.push({
        ...base(file, l, fn, confidence),
        kind: 'shrinker',
        primitive: `.${assignment[1]}`,
        role: roleOf(assignment[1]!),
        callback: assignment[2]!,
      });
    }
    if (!relevant) continue;
    const more: string[] = [];
    for (let k = 1; k <= 4 && i + k < lines.length && lines[i + k]!.line === l.line + k; k++)
      more.push(lines[i + k]!.code);
    for (const call of findCalls(l.code, more)) {
      const row = PRIMITIVE_BY_NAME.get(call.name);
      if (row) ops.push(opOf(row, call, file, l, fn, confidence));
      const guard = row ? null : guardOf(l.code, call);
      if (guard) ops.push(guardOp(guard, call, file, l, fn, confidence));
    }
  }
  return ops;
}

interface CallWalkItem {
  callee: string;
  kind: 'call';
  family: null;
  lock: null;
  line: number;
  change: 'added' | 'context';
  held?: HeldLockRef[];
}

/** Calls to non-primitive functions on post-image lines of touched functions. */
function callSitesOfView(scan: ScannedSource, touched: Set<string>): { fn: string; site: CallWalkItem }[] {
  const sites: { fn: string; site: CallWalkItem }[] = [];
  for (const l of scan.lines) {
    if (l.fn < 0 || l.change === 'removed') continue;
    const fn = scan.functions[l.fn]!.name;
    if (!touched.has(fn)) continue;
    for (const c of findCalls(l.code)) {
      if (PRIMITIVE_BY_NAME.has(c.name) || KEYWORDS.has(c.name) || c.name === fn) continue;
      sites.push({
        fn,
        site: { callee: c.name, kind: 'call', family: null, lock: null, line: l.line, change: l.change },
      });
    }
  }
  return sites;
}

function base(file: string, l: CodeLine, fn: string | null, confidence: 'file' | 'hunk') {
  return {
    family: null,
    lock: null,
    gfp: null,
    role: null,
    function: fn,
    file,
    line: l.line,
    change: l.change,
    confidence,
  } satisfies Omit<LockOp, 'kind' | 'primitive'>;
}

function opOf(
  row: PrimitiveRow,
  call: CallSite,
  file: string,
  l: CodeLine,
  fn: string | null,
  confidence: 'file' | 'hunk',
): LockOpFacts {
  const op: LockOpFacts = {
    ...base(file, l, fn, confidence),
    kind: row.kind,
    primitive: call.name,
    family: row.family,
  };
  if (row.kind === 'alloc') op.gfp = gfpOf(row, call);
  else if (row.kind === 'shrinker') {
    op.role = row.role ?? null;
    op.lock = call.args[0] ?? null;
  } else if (row.family !== 'rcu') op.lock = call.args[0] ?? null;
  if (row.sleeping) op.sleeping = true;
  return op;
}

/** Guard classes (linux/cleanup.h) by prefix: `guard(mutex)`, `scoped_guard(spinlock_irqsave, ...)`. */
// guard(mutex)(&sdev->lru_lock);
const GUARD_FAMILIES: [string, string, boolean][] = [
  ['mutex', 'mutex', true],
  ['rwsem', 'rwsem', true],
  ['raw_spinlock', 'spinlock', false],
  ['spinlock', 'spinlock', false],
  ['rcu', 'rcu', false],
];

function guardOp(
  guard: { type: string; lock: string | null },
  call: CallSite,
  file: string,
  l: CodeLine,
  fn: string | null,
  confidence: 'file' | 'hunk',
): LockOpFacts {
  const family = GUARD_FAMILIES.find(([prefix]) => guard.type.startsWith(prefix));
  const rcu = family?.[1] === 'rcu';
  return {
    ...base(file, l, fn, confidence),
    kind: rcu ? 'rcu-read-lock' : 'lock',
    primitive: `${call.name}(${guard.type})`,
    family: family?.[1] ?? guard.type,
    lock: rcu ? null : guard.lock,
    sleeping: family?.[2] ?? false,
    scoped: true,
  };
}

function gfpOf(row: PrimitiveRow, call: CallSite): string | null {
  const named = call.args.find((a) => /\bGFP_|__GFP_|\bgfp/i.test(a));
  if (named) return named;
  if (typeof row.gfp === 'number') return call.args[row.gfp] ?? null;
  return row.gfp?.implied ?? null;
}

function roleOf(member: string): string {
  if (member.startsWith('evict')) return 'evict';
  if (member.startsWith('purge')) return 'purge';
  return member;
}

/** `&shmem->pages_lock` → `shmem->pages_lock`, spaces dropped: the key an unlock must match. */
export function lockKey(op: { family: string | null; lock: string | null }): string {
  const family = op.family === 'ww_mutex' ? 'dma_resv' : (op.family ?? '');
  const lock = (op.lock ?? '')
    .replace(/\s+/g, '')
    .replace(/^&/, '')
    .replace(/->lock$|\.lock$/, (m) => (family === 'dma_resv' ? '' : m));
  return `${family}:${lock}`;
}

/** An assertion (`dma_resv_assert_held(&obj->resv)`) means the lock is held from there on. */
const ACQUIRE = new Set(['lock', 'trylock', 'rcu-read-lock', 'assert']);
const RELEASE = new Set(['unlock', 'rcu-read-unlock']);

/**
 * Locks held at each post-image op: walk its function from the first line
 * seen; a held-lock assertion counts as holding the lock. An unlock in a deeper block than its lock (an early-exit branch)
 * releases it only until that block closes.
 */
interface HeldWalkItem {
  kind: string;
  family: string | null;
  lock: string | null;
  line: number | null;
  held?: HeldLockRef[];
}

function annotateHeld(scan: ScannedSource, ops: HeldWalkItem[]): void {
  const byFunction = new Map<number, HeldWalkItem[]>();
  const lineInfo = new Map<number, CodeLine>(scan.lines.map((l) => [l.line, l]));
  for (const op of ops) {
    const fn = op.line === null ? -1 : (lineInfo.get(op.line)?.fn ?? -1);
    if (fn < 0) continue;
    const list = byFunction.get(fn) ?? [];
    list.push(op);
    byFunction.set(fn, list);
  }
  for (const list of byFunction.values()) {
    const held: { op: HeldWalkItem; depth: number; suspendedUntil: number }[] = [];
    for (const op of list) {
      const depth = lineInfo.get(op.line!)?.depth ?? 0;
      for (const h of held) if (depth < h.suspendedUntil) h.suspendedUntil = Number.POSITIVE_INFINITY;
      op.held = held
        .filter((h) => h.suspendedUntil === Number.POSITIVE_INFINITY)
        .map((h) => ({ family: h.op.family ?? '', lock: h.op.lock }));
      if (ACQUIRE.has(op.kind)) held.push({ op, depth, suspendedUntil: Number.POSITIVE_INFINITY });
      else if (RELEASE.has(op.kind)) {
        const key = releaseKey(op);
        const at = findLastIndex(
          held,
          (h) => releaseKey(h.op) === key && h.suspendedUntil === Number.POSITIVE_INFINITY,
        );
        if (at < 0) continue;
        if (depth > held[at]!.depth) held[at]!.suspendedUntil = depth;
        else held.splice(at, 1);
      }
    }
  }
}

function releaseKey(op: { family: string | null; lock: string | null }): string {
  return op.family === 'rcu' ? 'rcu:' : lockKey(op);
}

function findLastIndex<T>(list: T[], pred: (t: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i]!)) return i;
  return -1;
}

// 	return ret;       goto out_unlock;
const RETURN = /\breturn\b/;
const GOTO = /\bgoto\s+([A-Za-z_]\w*)/;
// __acquires(&obj->lock)  /  drm_gem_lock_reservations(  (functions that return with the lock held by design)
const ACQUIRES_BY_DESIGN = /__acquires\s*\(|__must_hold\s*\(/;
const LOCKING_HELPER_NAME = /(?:^|_)(?:lock|trylock|acquire|begin|reserve)(?:_\w+)?$/;

/** For each added lock: does every path the view shows release it? */
function annotateBalance(scan: ScannedSource, ops: LockOpFacts[]): void {
  const index = new Map<number, number>(scan.lines.map((l, i) => [l.line, i]));
  const opsByLine = new Map<number, LockOpFacts[]>();
  for (const op of ops) if (op.line !== null) opsByLine.set(op.line, [...(opsByLine.get(op.line) ?? []), op]);
  for (const op of ops) {
    if (op.change !== 'added' || (op.kind !== 'lock' && op.kind !== 'rcu-read-lock') || op.line === null)
      continue;
    if (op.scoped) {
      op.balanced = true;
      continue;
    }
    const at = index.get(op.line);
    if (at === undefined) continue;
    const start = scan.lines[at]!;
    if (start.fn < 0) continue;
    const fn = scan.functions[start.fn]!;
    if (ACQUIRES_BY_DESIGN.test(fn.header) || LOCKING_HELPER_NAME.test(fn.name)) {
      op.balanced = null;
      continue;
    }
    const result = walkPaths(scan, at, op, opsByLine, fn);
    op.balanced = result.balanced;
    op.unbalancedAt = result.at;
  }
}

function walkPaths(
  scan: ScannedSource,
  at: number,
  op: LockOpFacts,
  opsByLine: Map<number, LockOpFacts[]>,
  fn: FunctionSpan,
): { balanced: boolean | null; at: number | null } {
  const key = releaseKey(op);
  const lines = scan.lines;
  const first = lines[at]!;
  const lockDepth = first.depth;
  const releases = (l: CodeLine) =>
    (opsByLine.get(l.line) ?? []).some((o) => RELEASE.has(o.kind) && releaseKey(o) === key);
  // `ret = dma_resv_lock_interruptible(...); if (ret) return ret;` : the failure branch does not hold the lock.
  let skipUntil = -1;
  if (/=\s*[A-Za-z_]\w*\s*\(|\bif\s*\(/.test(first.code)) {
    const next = lines[at + 1];
    if (next && /^\s*if\b/.test(next.code)) {
      if (next.code.includes('{')) {
        let k = at + 2;
        while (k < lines.length && lines[k]!.depth > next.depth) k++;
        skipUntil = k;
      } else skipUntil = at + 2;
    } else if (/\bif\s*\(/.test(first.code)) skipUntil = at + 1;
  }
  let unknown = false;
  let releasedDepth = Number.POSITIVE_INFINITY;
  for (let k = at + 1; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.fn !== first.fn || l.hunk !== first.hunk) {
      // Left the function (or the visible part of it).
      break;
    }
    if (l.depth < releasedDepth) releasedDepth = Number.POSITIVE_INFINITY;
    if (releases(l)) {
      if (l.depth <= lockDepth) return { balanced: !unknown ? true : null, at: null };
      releasedDepth = Math.min(releasedDepth, l.depth);
      continue;
    }
    if (k <= skipUntil || l.depth >= releasedDepth) continue;
    const gotoLabel = GOTO.exec(l.code);
    if (gotoLabel) {
      const verdict = labelReleases(scan, first.fn, gotoLabel[1]!, releases);
      if (verdict === false) return { balanced: false, at: l.line };
      if (verdict === null) unknown = true;
      continue;
    }
    if (RETURN.test(l.code)) return { balanced: false, at: l.line };
  }
  if (fn.complete) return { balanced: false, at: fn.end };
  return { balanced: null, at: null };
}

/** Does the code after `label:` release the lock before returning? null when the label is not in view. */
function labelReleases(
  scan: ScannedSource,
  fn: number,
  label: string,
  releases: (l: CodeLine) => boolean,
): boolean | null {
  const labelRe = new RegExp(`^\\s*${label}\\s*:`);
  const start = scan.lines.findIndex((l) => l.fn === fn && labelRe.test(l.code));
  if (start < 0) return null;
  for (let k = start; k < scan.lines.length && scan.lines[k]!.fn === fn; k++) {
    const l = scan.lines[k]!;
    if (releases(l)) return true;
    if (RETURN.test(l.code)) return false;
  }
  return scan.functions[fn]!.complete ? false : null;
}

// if (...)  while (...)  sizeof(...)  return (...)
const KEYWORDS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'return',
  'sizeof',
  'typeof',
  'defined',
  '__builtin_expect',
]);

/** Functions the patch adds or changes, with whether a held-lock assertion is in their body. */
function functionFacts(
  scan: ScannedSource,
  file: string,
  confidence: 'file' | 'hunk',
  touched: Set<string>,
  ops: LockOpFacts[],
): FunctionFacts[] {
  const facts: FunctionFacts[] = [];
  scan.functions.forEach((f, i) => {
    if (!touched.has(f.name)) return;
    const body = scan.lines.filter((l) => l.fn === i);
    const startLine = f.start === null ? undefined : scan.lines.find((l) => l.line === f.start);
    const hasAssert = ops.some(
      (o) =>
        o.kind === 'assert' &&
        o.function === f.name &&
        o.line !== null &&
        body.some((l) => l.line === o.line),
    );
    const calls = new Set<string>();
    for (const l of body) {
      for (const c of findCalls(l.code))
        if (!PRIMITIVE_BY_NAME.has(c.name) && !KEYWORDS.has(c.name)) calls.add(c.name);
    }
    facts.push({
      name: f.name,
      file,
      line: f.start ?? body[0]?.line ?? null,
      complete: f.complete,
      added: startLine?.change === 'added',
      hasAssert,
      calls: [...calls],
      confidence,
    });
  });
  return facts;
}

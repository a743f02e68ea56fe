import type { Frame } from '../model/frame.js';
import type { Lock } from '../model/lock.js';
import type { Report } from '../model/report.js';
import type { LockOp, Patch, PatchSeries } from '../model/series.js';
import { normalizeLock } from './series/interdiff.js';
import type { LockedPatch } from './series/lock-ops.js';

/**
 * Ranks the patches of a series by how much evidence a log's splats give
 * against each: functions in the splat's stacks and acquisition sites that
 * the patch adds or changes (a frame near the top of its stack weighs more
 * than one deep in it), lock classes of the cycle that the patch starts
 * taking, and, strongest, a lock the patch starts taking in the very
 * function where lockdep saw that class acquired.
 */
export interface BlameCandidate {
  index: number;
  subject: string;
  score: number;
  reasons: string[];
}

/** Where a function was seen in a report; `weight` already includes its depth. */
interface FrameEvidence {
  function: string;
  weight: number;
  where: string;
}

interface SiteEvidence {
  function: string;
  lockClass: string;
  where: string;
}

interface ReportEvidence {
  title: string;
  frames: FrameEvidence[];
  sites: SiteEvidence[];
  classes: Set<string>;
}

/** Points per kind of evidence (before the depth factor for frames). */
const WEIGHT = {
  site: 3,
  chain: 2,
  stack: 1,
  startsTaking: 2,
  trylockTaken: 0.5,
  lockAtSite: 6,
  allocUnder: 2,
} as const;
/** How much a function counts by how the patch touches it. */
const TOUCH = { locking: 1, defines: 1, changes: 0.8, hunk: 0.6 } as const;

export function blameSeries(series: PatchSeries, reports: Report[]): BlameCandidate[] {
  const evidence = uniqueBySignature(reports).map(reportEvidence);
  const candidates: BlameCandidate[] = [];
  for (const patch of series.patches) {
    const { score, reasons } = scorePatch(patch, evidence);
    if (score > 0)
      candidates.push({ index: patch.index, subject: patch.subject, score: round(score), reasons });
  }
  return candidates.sort((a, b) => b.score - a.score || a.index - b.index);
}

function scorePatch(patch: Patch, evidence: ReportEvidence[]): { score: number; reasons: string[] } {
  const touched = touchedFunctions(patch);
  const taken = patch.lockOps.filter(
    (op) =>
      op.change === 'added' && (op.kind === 'lock' || op.kind === 'trylock' || op.kind === 'might-lock'),
  );
  const allocs = patch.lockOps.filter(
    (op) => op.change === 'added' && op.kind === 'alloc' && reclaims(op.gfp),
  );
  let score = 0;
  const reasons: string[] = [];
  const note = (points: number, reason: string) => {
    score += points;
    reasons.push(`${reason} (+${round(points)})`);
  };
  for (const ev of evidence) {
    const seen = new Set<string>();
    for (const frame of ev.frames) {
      const how = touched.get(frame.function);
      if (how === undefined || seen.has(frame.function)) continue;
      seen.add(frame.function);
      note(frame.weight * TOUCH[how], `${verb(how)} ${frame.function}, ${frame.where} of "${ev.title}"`);
    }
    const classesTaken = new Set<string>();
    for (const op of taken) {
      for (const cls of ev.classes) {
        if (!opTakesClass(op, cls)) continue;
        const site = ev.sites.find((s) => s.lockClass === cls && s.function === bare(op.function ?? ''));
        if (site) {
          note(
            WEIGHT.lockAtSite,
            `takes \`${call(op)}\` in ${site.function}, where lockdep saw ${cls} acquired (${site.where})`,
          );
        } else if (!classesTaken.has(cls)) {
          const points = op.kind === 'trylock' ? WEIGHT.trylockTaken : WEIGHT.startsTaking;
          note(
            points,
            `starts taking ${cls} (\`${call(op)}\`${op.function ? ` in ${op.function}` : ''}), a class in the cycle`,
          );
        }
        classesTaken.add(cls);
      }
    }
    if (ev.classes.has('fs_reclaim')) {
      const under = allocs
        .map((op) => ({ op, held: heldClass(op, ev.classes) }))
        .find((a) => a.held !== null);
      const alloc = under?.op ?? allocs[0];
      if (under) {
        note(
          WEIGHT.allocUnder,
          `allocates with \`${under.op.gfp}\` (\`${under.op.primitive}\`${where(under.op)}) while holding ${under.held}: fs_reclaim and ${under.held} are in the cycle`,
        );
      } else if (alloc) {
        note(
          WEIGHT.allocUnder / 4,
          `adds a reclaiming allocation \`${alloc.primitive}(${alloc.gfp})\`${where(alloc)} (fs_reclaim is in the cycle)`,
        );
      }
    }
  }
  return { score, reasons };
}

function where(op: LockOp): string {
  return op.function ? ` in ${op.function}` : '';
}

/** A cycle class among the locks held at an allocation (from the lock-op extraction's `held` facts), or null. */
function heldClass(op: LockOp, classes: Set<string>): string | null {
  const held = (op as LockOp & { held?: { family: string; lock: string | null }[] }).held ?? [];
  for (const h of held) {
    const asOp = { ...op, kind: 'lock' as const, family: h.family, lock: h.lock, primitive: h.family };
    for (const cls of classes) if (cls !== 'fs_reclaim' && opTakesClass(asOp, cls)) return cls;
  }
  return null;
}

function verb(how: keyof typeof TOUCH): string {
  return how === 'locking' ? 'changes locking in' : how === 'defines' ? 'adds' : 'changes';
}

function call(op: LockOp): string {
  return op.lock ? `${op.primitive}(${op.lock})` : op.primitive;
}

/** Functions the patch adds or changes, with the strongest way it touches each. */
export function touchedFunctions(patch: Patch): Map<string, keyof typeof TOUCH> {
  const out = new Map<string, keyof typeof TOUCH>();
  const put = (fn: string, how: keyof typeof TOUCH) => {
    const name = bare(fn);
    const prev = out.get(name);
    if (prev === undefined || TOUCH[how] > TOUCH[prev]) out.set(name, how);
  };
  // what the series ingest tells about the functions a patch adds or changes (from whole files or hunks)
  const facts = (patch as LockedPatch).lockFunctions;
  if (facts) {
    // the ingest's C scanner knows which function each changed line is in
    for (const f of facts) put(f.name, f.added ? 'defines' : 'changes');
  } else {
    // hunk headers name the function before the hunk, not always the one changed
    for (const f of patch.files) for (const fn of f.functions) put(fn, 'hunk');
    for (const fn of definedFunctions(patch.diff)) put(fn, 'defines');
  }
  for (const op of patch.lockOps) if (op.function && op.change !== 'context') put(op.function, 'locking');
  return out;
}

// `+static unsigned long lab_scan(struct shrinker *s, struct shrink_control *sc)` or
// `+int lab_evict(struct lab_obj *obj)`: an added line that opens a function definition.
const FUNCTION_DEFINITION = /^\+(?:[A-Za-z_][\w]*[\s*]+){1,6}?([A-Za-z_]\w*)\s*\((?![^)]*;\s*$)/;

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof']);

function definedFunctions(diff: string): string[] {
  const out: string[] = [];
  for (const line of diff.split('\n')) {
    if (!line.startsWith('+') || line.startsWith('+++') || line[1] === ' ' || line[1] === '\t') continue;
    const m = FUNCTION_DEFINITION.exec(line);
    if (m && !KEYWORDS.has(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/**
 * lockdep internals, lock primitives and allocator entry points: skipped
 * when finding the frame that took a lock (`__lock_acquire`, `__mutex_lock`,
 * `ww_mutex_lock`, `kmalloc_trace`, `fs_reclaim_acquire` ...). Names, and
 * prefixes that end in `_` or name a family (`_raw_spin_lock_irqsave`).
 */
const INTERNAL_NAMES = new Set([
  'lock_acquire',
  '_lock_acquire',
  '__lock_acquire',
  'lock_acquired',
  'lock_contended',
  'validate_chain',
  'fs_reclaim_acquire',
  '__fs_reclaim_acquire',
  'might_alloc',
  'show_stack',
]);
const INTERNAL_PREFIXES = [
  '__kmem_cache_alloc',
  'kmem_cache_alloc',
  'kmalloc',
  '__kmalloc',
  'kzalloc',
  'kcalloc',
  'kvmalloc',
  '__alloc_pages',
  'alloc_pages',
  'slab_pre_alloc_hook',
  'check_',
  '__mutex_lock',
  'mutex_lock',
  '__ww_mutex_lock',
  'ww_mutex_lock',
  'down_',
  '__down_',
  '_raw_',
  '__raw_',
  'rt_mutex',
  'rt_spin_lock',
  'rt_read_lock',
  'rt_write_lock',
  'dma_resv_lock',
  '__might_',
  'might_sleep',
  'lockdep_',
  'print_',
  'dump_stack',
  'debug_check_',
];

function isLockingInternal(fn: string): boolean {
  return INTERNAL_NAMES.has(fn) || INTERNAL_PREFIXES.some((p) => fn.startsWith(p));
}

function reportEvidence(report: Report): ReportEvidence {
  const frames: FrameEvidence[] = [];
  const sites: SiteEvidence[] = [];
  const classes = new Set<string>();
  const addLock = (lock: Lock | null, where: string) => {
    if (!lock) return;
    classes.add(lock.class);
    const fn = lock.site?.function;
    if (fn) {
      sites.push({ function: bare(fn), lockClass: lock.class, where });
      frames.push({ function: bare(fn), weight: WEIGHT.site, where });
    }
  };
  addLock(report.acquiring, 'the acquisition site');
  for (const lock of report.held) addLock(lock, 'a held lock site');
  for (const link of report.chain) {
    classes.add(link.lock.class);
    const stack = meaningful(link.stack);
    const top = stack[0]?.function;
    if (top) sites.push({ function: top, lockClass: link.lock.class, where: `chain link #${link.index}` });
    stack.forEach((f, depth) => {
      frames.push({
        function: f.function!,
        weight: WEIGHT.chain / (1 + depth),
        where: `chain link #${link.index}`,
      });
    });
  }
  for (const held of report.heldLocks) for (const lock of held.locks) addLock(lock, 'a held lock site');
  meaningful(report.stack).forEach((f, depth) => {
    frames.push({ function: f.function!, weight: WEIGHT.stack / (1 + depth), where: 'the call trace' });
  });
  frames.sort((a, b) => b.weight - a.weight);
  return { title: report.title, frames, sites, classes };
}

/** Reliable frames with a function, lockdep internals and lock primitives left out, suffixes like `.constprop.0` dropped. */
function meaningful(stack: Frame[]): (Frame & { function: string })[] {
  return stack
    .filter((f) => !f.unreliable && f.function)
    .map((f) => ({ ...f, function: bare(f.function!) }))
    .filter((f) => !isLockingInternal(f.function));
}

function bare(fn: string): string {
  const dot = fn.indexOf('.');
  return dot > 0 ? fn.slice(0, dot) : fn;
}

function uniqueBySignature(reports: Report[]): Report[] {
  const seen = new Set<string>();
  return reports.filter((r) => {
    const key = r.signature || r.title;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// `GFP_NOWAIT | __GFP_NOWARN`, `GFP_NOFS`: no __GFP_FS, so no fs_reclaim
const NO_FS_RECLAIM = /GFP_(?:NOWAIT|ATOMIC|NOIO|NOFS)\b/;
// `GFP_KERNEL`, `GFP_KERNEL_ACCOUNT | __GFP_ZERO`, `GFP_HIGHUSER_MOVABLE`
const FS_RECLAIM = /\b(?:GFP_KERNEL\w*|GFP_USER|GFP_HIGHUSER\w*|__GFP_FS)\b/;

/** Every regex of this file, for the ReDoS test. */
export const BLAME_REGEXES = [FUNCTION_DEFINITION, NO_FS_RECLAIM, FS_RECLAIM];

/** GFP flags that may enter filesystem reclaim (lockdep's `fs_reclaim`): they include __GFP_FS. */
export function reclaims(gfp: string | null): boolean {
  if (!gfp) return false;
  if (NO_FS_RECLAIM.test(gfp) && !gfp.includes('__GFP_FS')) return false;
  return FS_RECLAIM.test(gfp);
}

/** Whether a lock operation takes a lockdep class: dma_resv/ww locks take `reservation_ww_class_mutex`; otherwise the lock's last member names it. */
export function opTakesClass(op: LockOp, lockClass: string): boolean {
  if (op.family === 'dma_resv' || op.primitive.startsWith('dma_resv_')) {
    return lockClass === 'reservation_ww_class_mutex';
  }
  if (op.family === 'ww_mutex' && (op.lock ?? '').includes('resv'))
    return lockClass === 'reservation_ww_class_mutex';
  const member = normalizeLock(op.lock);
  return member !== '' && member === normalizeLock(lockClass);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

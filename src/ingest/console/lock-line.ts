import type { Frame } from '../../model/frame.js';
import type { Lock } from '../../model/lock.js';
import { parseFrame } from './frame.js';

/**
 * One lock as lockdep prints it (`print_lock()` / `print_lock_name()`), in every layout seen in
 * real logs:
 *   `ffff888100e0a8b0 (&shmem->pages_lock#2/1){+.+.}-{3:3}, at: drm_gem_shmem_evict+0x1d/0x80 [drm_shmem_helper]`
 *   ` #0: ffff888022485298 (&mm->mmap_lock){++++}-{3:3}, at: mmap_read_lock include/linux/mmap_lock.h:117 [inline]`
 *   `(____ptrval____) (&rq->lock){-.-.}, at: online_fair_sched_group+0x70/0x140`
 *   ` #0:  (&pipe->mutex/1){+.+.+.}, at: [<ffffffff81844c6b>] pipe_lock+0x5b/0x70`   (4.x: no address)
 *   `-> #1 (fs_reclaim){+.+.}-{0:0}:`                                                 (chain entry)
 *   `-> (console_owner){-.-.}-{0:0} ops: 1191 {`                                     (irq dependency)
 * The name may itself hold parentheses (`(wq_completion)events`, `(work_completion)(&(&wb->dwork)->work)`),
 * so it is found by counting parentheses, not by a regex. Lines broken by pr_cont or by a mail client
 * are joined before they get here (details/join.ts).
 */

/** Lines longer than this are not lock lines (and are never scanned). */
const MAX_LOCK_LINE = 2048;

// `{+.+.}-{3:3}` (5.8+), `{+.+.}` (4 states), `{+.+.+.}` (4.x with RECLAIM_FS), `{....}-{1:2}`
const USAGE_RE = /^\{[-.+?]{4,8}\}(?:-\{\d{1,2}:\d{1,2}\})?/;

// What may stand before the opening parenthesis: `#3:`, `-> #1`, `->`, an address or `(____ptrval____)`.
// ` #0: ffff888022485298 `, `-> #2 `, `ffffffffa0002250 `, `dc43a6a0 `, `(____ptrval____) `
const PREFIX_RE =
  /^(?:#\d{1,4}:\s*|->\s*(?:#\d{1,4}\s+)?)?(?:(?:0x)?([0-9a-f]{8,16})\s+|\(_*ptrval_*\)\s+)?\(/;

// `&pipe->mutex/1`, `&shmem->pages_lock#2/1`: the subclass
const SUBCLASS_RE = /\/(\d{1,3})$/;
// `&xa->xa_lock#9`, `sb_writers#3`: the instance (lockdep's name_version)
const INSTANCE_RE = /#(\d{1,6})$/;

// `, at: lab_scan+0x17/0x47 [lab_lockdep]` right after the name when the usage is missing
const AT_RE = /^,? at:/;

/** Class, instance and subclass of a lock name as printed (`name#instance/subclass`). */
export function splitLockName(name: string): Pick<Lock, 'name' | 'class' | 'instance' | 'subclass'> {
  let cls = name;
  let subclass: number | null = null;
  let instance: number | null = null;
  const sub = SUBCLASS_RE.exec(cls);
  if (sub && sub.index > 0) {
    subclass = Number(sub[1]);
    cls = cls.slice(0, sub.index);
  }
  const inst = INSTANCE_RE.exec(cls);
  if (inst && inst.index > 0) {
    instance = Number(inst[1]);
    cls = cls.slice(0, inst.index);
  }
  return { name, class: cls, instance, subclass };
}

/** A Lock from its printed name alone (scenario lines, `is trying to release lock (X) at:`). */
export function lockFromName(name: string, site: Frame | null = null): Lock {
  return { ...splitLockName(name), usage: null, address: null, site };
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) depth++;
    else if (c === 41 /* ) */) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The frame after `at:` (`at: func+0x1/0x2 [mod]`, `at: [<ffffffff81844c6b>] pipe_lock+0x5b/0x70`). */
function siteOf(rest: string): Frame | null {
  const at = rest.indexOf('at:');
  if (at < 0) return null;
  const text = rest.slice(at + 3).trim();
  return text === '' ? null : parseFrame(text);
}

/**
 * Parse one lock line (see the module comment). Returns null when the line holds no
 * `(name){usage}` lock; never throws.
 */
export function parseLock(text: string): Lock | null {
  if (text.length > MAX_LOCK_LINE) return null;
  const t = text.trim();
  const m = PREFIX_RE.exec(t);
  if (!m) return null;
  const open = m[0].length - 1;
  const close = closingParen(t, open);
  if (close < 0) return null;
  const name = t.slice(open + 1, close);
  if (name.trim() === '' || name.length > 512) return null;
  const after = t.slice(close + 1);
  const usage = USAGE_RE.exec(after);
  // Without a usage the parenthesis is prose (`lock(&o->lock);`), unless `at:` follows.
  if (!usage && !AT_RE.test(after)) return null;
  const rest = usage ? after.slice(usage[0].length) : after;
  const parts = splitLockName(name);
  return {
    name: parts.name,
    class: parts.class,
    instance: parts.instance,
    subclass: parts.subclass,
    usage: usage ? usage[0] : null,
    address: m[1] ?? null,
    site: siteOf(rest),
  };
}

/** Every regex of this module, for the ReDoS test. */
export const LOCK_LINE_REGEXES: readonly RegExp[] = [USAGE_RE, PREFIX_RE, SUBCLASS_RE, INSTANCE_RE, AT_RE];

import type { Lock } from '../model/lock.js';
import type { Report, ReportKind } from '../model/report.js';

/**
 * The dedupe key of a report: `<kind>:<classes>`, the sorted, de-duplicated lock classes involved,
 * each without its `#N` instance and `/N` subclass, joined with `|`; a report with no lock class
 * uses its guilty function instead (`sleeping-in-atomic:lab_sleep`). Example, the lab's shrinker
 * splat: `circular-dependency:fs_reclaim|lab_shrinker_lock`.
 *
 * It must not change across kernels, boots, addresses, timestamps or the entry point that led to
 * the bug (syzkaller issue #5558: one cycle, many titles), so it never uses addresses, offsets,
 * pids, comms, stack order or locks that only describe how the task got there.
 */
export type SignatureInput = Pick<
  Report,
  'kind' | 'acquiring' | 'held' | 'chain' | 'guiltyFrame' | 'title' | 'heldLocks'
>;

/** Which locks name the bug, per kind. */
type ClassRule =
  /** every class of the dependency chain, plus the acquiring and held locks */
  | 'cycle'
  /** the acquiring lock and the held locks of the report header */
  | 'header'
  /** the lock being taken plus the innermost lock the task holds (the context it violates) */
  | 'context'
  /** every lock of the task's own held-lock list (the report is about those locks) */
  | 'held-list'
  /** no lock names the bug: the guilty function does */
  | 'function'
  /** the title names it: which lockdep table ran out, whoever hit it */
  | 'title';

const CLASS_RULES: Readonly<Record<ReportKind, ClassRule>> = {
  // A cycle is the same bug whichever edge closed it and wherever the walk started.
  'circular-dependency': 'cycle',
  // The locks of the inversion: `just changed the state of lock` / `but this lock took another`,
  // or the acquiring/held pair and the irq-safe and irq-unsafe ends (`Chain exists of:`).
  'irq-lock-inversion': 'cycle',
  'irq-safe-unsafe-order': 'cycle',
  // The lock taken twice (twice the same class after normalization: one class).
  'recursive-locking': 'header',
  // The lock whose irq usage became inconsistent (`takes:`); the usage pair is in the headline.
  'inconsistent-lock-state': 'header',
  // The lock released once too often / freed while held / taken nested without its outer lock.
  'bad-unlock-balance': 'header',
  'held-lock-freed': 'header',
  'nested-lock-not-taken': 'header',
  // `is trying to lock:` X in a context that forbids it: X and the innermost held lock. Outer
  // locks depend on the syscall that led there, so they are left out.
  'invalid-wait-context': 'context',
  // These reports are about the locks still held, all of them.
  'lock-held-returning-to-user': 'held-list',
  'locks-held-at-exit': 'held-list',
  'workqueue-leaked-lock': 'held-list',
  // might_sleep / schedule in atomic context: the held-lock list is printed only with lockdep on,
  // and its innermost lock is often rcu_read_lock for unrelated bugs; the function that slept is
  // what tells two of these apart (syzkaller's title does the same).
  'sleeping-in-atomic': 'function',
  'scheduling-while-atomic': 'function',
  // A hung task's held locks are the context it blocked in (they change with the entry point and
  // with whether "Showing all locks held in the system" made it into the log): the function it
  // waits in names the hang.
  'hung-task': 'function',
  // No lock class describes these: RCU splats name a file:line, KCSAN two functions, the rest a site.
  'suspicious-rcu-usage': 'function',
  // `BUG: MAX_LOCKDEP_ENTRIES too low!`: a table size, hit by whatever took a lock next.
  'lockdep-capacity': 'title',
  'lockdep-internal': 'function',
  'kcsan-data-race': 'function',
  'spinlock-bug': 'function',
  'preemptible-context': 'function',
  warning: 'function',
  kasan: 'function',
  bug: 'function',
  panic: 'function',
  other: 'function',
};

// `&pipe->mutex/1`: the subclass
const SUBCLASS_SUFFIX_RE = /\/\d{1,3}$/;
// `&xa->xa_lock#9`: the instance
const INSTANCE_SUFFIX_RE = /#\d{1,6}$/;
// numbers and addresses in a title: `MAX_LOCKDEP_ENTRIES too low` keeps its words, `0xffff...`/`123` fold
const NUMBER_RE = /0x[0-9a-f]+|\d+/gi;
// `find_next_bit / rcu_report_exp_cpu_mult` is not one function
const BLANK_RE = /\s/;

/** A class without the `#N` instance and `/N` subclass (`&shmem->pages_lock#2/1` → `&shmem->pages_lock`). */
export function normalizeLockClass(name: string): string {
  let s = name;
  const sub = SUBCLASS_SUFFIX_RE.exec(s);
  if (sub && sub.index > 0) s = s.slice(0, sub.index);
  const inst = INSTANCE_SUFFIX_RE.exec(s);
  if (inst && inst.index > 0) s = s.slice(0, inst.index);
  return s;
}

// `__x64_sys_ioctl`, `__se_sys_mbind`, `__do_sys_finit_module`, `__arm64_sys_write`: one syscall, many wrappers.
const SYSCALL_WRAPPER_RE = /^__(?:x64|ia32|x32|arm64|riscv|s390x?|se|do)_sys_/;

/** A function name without compiler suffixes (`.isra.0`, `.constprop.0`, `.cold`) or syscall wrappers. */
export function normalizeFunction(fn: string): string {
  const dot = fn.indexOf('.');
  const base = dot > 0 ? fn.slice(0, dot) : fn;
  return base.replace(SYSCALL_WRAPPER_RE, 'sys_');
}

function innermost(report: SignatureInput): Lock[] {
  const last = report.heldLocks[0]?.locks.at(-1);
  return last ? [last] : [];
}

function involvedLocks(report: SignatureInput): Lock[] {
  // (pushed into one array literal: reportSignature then reads one kind of array, see `captured`
  // in title/describe.ts)
  const out: Lock[] = [];
  const rule = CLASS_RULES[report.kind] ?? 'function';
  if (rule === 'cycle') for (const c of report.chain) out.push(c.lock);
  if (rule === 'cycle' || rule === 'header' || rule === 'context') {
    if (report.acquiring) out.push(report.acquiring);
    for (const l of report.held) out.push(l);
  }
  if (rule === 'context') out.push(...innermost(report));
  if (rule === 'held-list') for (const l of report.heldLocks[0]?.locks ?? []) out.push(l);
  return out;
}

// `WARNING: `, `BUG: `, `INFO: ` banners: redundant with the kind in a signature
const BANNER_PREFIX_RE = /^(?:WARNING|BUG|INFO|KCSAN|KASAN): /;

/**
 * The guilty function: the guilty frame, else the `... in FUNC` of the title (syzkaller writes
 * `in corrupted` when it found none: not a function), else the title itself without its banner
 * and with numbers folded, so two boots still compare equal.
 */
function guilty(report: SignatureInput): string {
  const fn = report.guiltyFrame?.function;
  if (fn && CLASS_RULES[report.kind] !== 'title') return normalizeFunction(fn);
  let title = (report.title ?? '').trim();
  const at = title.lastIndexOf(' in ');
  if (at >= 0) {
    const word = title.slice(at + 4).trim();
    if (word === 'corrupted' || CLASS_RULES[report.kind] === 'title') title = title.slice(0, at);
    else if (word !== '' && !BLANK_RE.test(word)) return normalizeFunction(word);
  }
  return title.replace(BANNER_PREFIX_RE, '').replace(NUMBER_RE, 'N').trim() || '?';
}

export function reportSignature(report: SignatureInput): string {
  const found = new Set<string>();
  for (const l of involvedLocks(report)) {
    const c = normalizeLockClass(l.class || l.name);
    if (c !== '') found.add(c);
  }
  const classes = [...found].sort();
  return `${report.kind}:${classes.length > 0 ? classes.join('|') : guilty(report)}`;
}

/** Every regex of this module, for the ReDoS test. */
export const SIGNATURE_REGEXES: readonly RegExp[] = [
  SUBCLASS_SUFFIX_RE,
  INSTANCE_SUFFIX_RE,
  NUMBER_RE,
  BLANK_RE,
  SYSCALL_WRAPPER_RE,
  BANNER_PREFIX_RE,
];

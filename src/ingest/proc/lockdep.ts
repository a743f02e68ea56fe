import type { Diagnostic } from '../../model/diagnostic.js';
import { forEachProcLine } from './proc-lines.js';

/** One lock class of `/proc/lockdep` (`l_show` in kernel/locking/lockdep_proc.c). */
export interface LockdepClass {
  /** The class key as printed (`%p`: hashed on 4.15+ unless no_hash_pointers). */
  key: string;
  /** Name as printed, with `#N` / `/N` suffixes. */
  name: string;
  /** Usage characters (`+.+.`, `-.-.`; 6 chars on ≤4.14), null when absent (!PROVE_LOCKING). */
  usage: string | null;
  forwardDeps: number | null;
  backwardDeps: number | null;
  /** `OPS:` count (CONFIG_DEBUG_LOCKDEP), null when absent. */
  ops?: number | null;
  /** Direct dependencies: names of the ` -> [key] name` lines, as printed. */
  deps: string[];
  /** Keys of those dependencies, in the same order. */
  depKeys?: string[];
  /** 1-based line of the class line. */
  line: number;
}

/** Line shapes of /proc/lockdep, one row per kind with a real example line. */
export const LOCKDEP_LINES = {
  // `all lock classes:`
  header: /^all lock classes:\s*$/,
  // `ffffffffa02b73c8 OPS:      17 FD:   34 BD:    1 +.+.: loop_ctl_mutex`
  // `ffffffff81aa6958 FD:    1 BD:   46 ....: (console_sem).lock`
  // `ffffffff9af63350 ....: cgroup_mutex` (old !PROVE_LOCKING) and `ffffffff85163290: cgroup_mutex`
  class: /^([0-9a-f]{8,16})(?: OPS: *(\d+))?(?: FD: *(\d+) BD: *(\d+))?(?: ([-+.?]{4,8}))?:(?: (.*))?$/,
  // ` -> [ffffffff81a2e718] resource_lock`
  dep: /^ -> \[([0-9a-f]{8,16})\] (.*)$/,
} as const;

/** Parses a /proc/lockdep dump; every line is a class, a dependency, the header, blank, or counted as skipped. */
export function parseProcLockdep(text: string): { classes: LockdepClass[]; diagnostics: Diagnostic[] } {
  const classes: LockdepClass[] = [];
  const diagnostics: Diagnostic[] = [];
  let current: LockdepClass | null = null;
  forEachProcLine(text, diagnostics, { code: 'lockdep-skipped-lines', file: '/proc/lockdep' }, (line, n) => {
    if (line.trim() === '' || LOCKDEP_LINES.header.test(line)) return true;
    const dep = LOCKDEP_LINES.dep.exec(line);
    if (dep) {
      if (current) {
        current.deps.push(dep[2]!);
        current.depKeys!.push(dep[1]!);
      } else {
        diagnostics.push({
          code: 'lockdep-orphan-dep',
          message: 'a dependency line outside any class',
          line: n,
        });
      }
      return true;
    }
    const cls = LOCKDEP_LINES.class.exec(line);
    if (!cls) return false;
    const name = (cls[6] ?? '').trim();
    if (name === '') {
      diagnostics.push({
        code: 'lockdep-no-name',
        message: 'a lock class without a name (wrapped line?)',
        line: n,
      });
    }
    current = {
      key: cls[1]!,
      name,
      usage: cls[5] ?? null,
      forwardDeps: cls[3] === undefined ? null : Number(cls[3]),
      backwardDeps: cls[4] === undefined ? null : Number(cls[4]),
      ops: cls[2] === undefined ? null : Number(cls[2]),
      deps: [],
      depKeys: [],
      line: n,
    };
    classes.push(current);
    return true;
  });
  return { classes, diagnostics };
}

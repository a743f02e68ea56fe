import type { Frame } from './frame.js';

/**
 * A lock as lockdep prints it, e.g.
 *   `ffff888100e0a8b0 (&shmem->pages_lock#2/1){+.+.}-{3:3}, at: drm_gem_shmem_evict+0x1d/0x80`
 * `name` is exactly what stands inside the parentheses; `class` drops the
 * trailing `#N` instance and `/N` subclass.
 */
export interface Lock {
  name: string;
  class: string;
  instance: number | null;
  subclass: number | null;
  /** `{+.+.}-{3:3}` or null. */
  usage: string | null;
  address: string | null;
  site: Frame | null;
}

/** One `-> #N (lock){usage}:` entry of "the existing dependency chain" with its stack. */
export interface DependencyLink {
  index: number;
  lock: Lock;
  stack: Frame[];
}

export interface TaskRef {
  comm: string;
  pid: number;
}

/** One "N locks held by comm/pid:" block. */
export interface HeldLocks {
  task: TaskRef | null;
  count: number;
  locks: Lock[];
  /**
   * False when the kernel announced the count and printed no lock: lockdep_print_held_locks()
   * prints only the count for a task running on another CPU (its locks could change under it).
   */
  printed: boolean;
}

import type { Frame } from '../model/frame.js';
import type { Lock } from '../model/lock.js';

/** `lab_scan+0x17/0x47 [lab_lockdep]`, `f (mm/x.c:12)`, `f mm/x.c:12 [inline]`, or the bare address. */
export function formatFrame(f: Frame | null): string {
  if (f === null) return '?';
  let s = f.function ?? f.address ?? '?';
  if (f.function !== null && f.offset !== null) {
    s += `+0x${f.offset.toString(16)}`;
    if (f.size !== null) s += `/0x${f.size.toString(16)}`;
  }
  if (f.file !== null) s += ` (${f.file}${f.line !== null ? `:${f.line}` : ''})`;
  if (f.inline) s += ' [inline]';
  if (f.module !== null) s += ` [${f.module}]`;
  return s;
}

/** `&shmem->pages_lock at drm_gem_shmem_evict+0x1d/0x80` */
export function formatLock(lock: Lock): string {
  return lock.site === null ? lock.name : `${lock.name} at ${formatFrame(lock.site)}`;
}

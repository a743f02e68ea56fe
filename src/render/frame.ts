import type { Frame } from '../model/frame.js';
import type { Lock } from '../model/lock.js';

/** `lab_scan+0x17/0x47 [lab_lockdep]`, `f (mm/x.c:12)`, `f mm/x.c:12 [inline]`, or the bare address. */
export function formatFrame(f: Frame | null): string {
  return frameParts(f).join(' ');
}

/**
 * A frame as the parts a line may break between: `func+0x1d/0x80`, `(file.c:12)`,
 * `[inline]`, `[module]` (each part whole: they are searched for).
 */
export function frameParts(f: Frame | null): string[] {
  if (f === null) return ['?'];
  let s = f.function ?? f.address ?? '?';
  if (f.function !== null && f.offset !== null) {
    s += `+0x${f.offset.toString(16)}`;
    if (f.size !== null) s += `/0x${f.size.toString(16)}`;
  }
  const parts = [s];
  if (f.file !== null) parts.push(`(${f.file}${f.line !== null ? `:${f.line}` : ''})`);
  if (f.inline) parts.push('[inline]');
  if (f.module !== null) parts.push(`[${f.module}]`);
  return parts;
}

/** `&shmem->pages_lock at drm_gem_shmem_evict+0x1d/0x80` */
export function formatLock(lock: Lock): string {
  return lock.site === null ? lock.name : `${lock.name} at ${formatFrame(lock.site)}`;
}

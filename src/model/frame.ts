/**
 * One call-trace frame as printed by the kernel, in any of the real formats:
 *   x86:      ` drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]`
 *   decoded:  ` drm_gem_shmem_evict (drivers/gpu/drm/drm_gem_shmem_helper.c:123) drm_shmem_helper`
 *   syzbot:   ` __mutex_lock_common kernel/locking/mutex.c:603 [inline]`
 *   ARM32:    `[<c010f0c0>] (unwind_backtrace) from [<c010b4a8>] (show_stack+0x10/0x14)`
 * Absent parts are null/false.
 */
export interface Frame {
  function: string | null;
  offset: number | null;
  size: number | null;
  module: string | null;
  file: string | null;
  line: number | null;
  inline: boolean;
  /** `? ` prefixed frames: the unwinder is not sure. */
  unreliable: boolean;
  address: string | null;
}

/** A Frame with every part absent except those given. */
export function makeFrame(parts: Partial<Frame>): Frame {
  return {
    function: null,
    offset: null,
    size: null,
    module: null,
    file: null,
    line: null,
    inline: false,
    unreliable: false,
    address: null,
    ...parts,
  };
}

/**
 * Custom guilty-frame pickers for reports whose top frames are random victims.
 *
 * Stalls and lockups (RCU stall, soft lockup, corrupted stack end): the CPU
 * loops somewhere inside a call; the representative frame is the one just
 * above the first "anchor" (syscall entry, workqueue dispatch, VFS or socket
 * dispatch, softirq/timer entry, page fault entry ...).
 */
export const STALL_ANCHORS: readonly RegExp[] = [
  'process_one_work',
  'do_syscall_',
  'do_fast_syscall_',
  'sysenter_dispatch',
  'tracesys_phase2',
  'el0_svc_handler',
  'invoke_syscall',
  'ret_fast_syscall',
  'netif_receive_skb',
  'do_softirq',
  'call_timer_fn',
  '_run_timers',
  'run_timer_softirq',
  'hrtimer_run',
  'run_ksoftirqd',
  'smpboot_thread_fn',
  '^kthread$',
  'start_secondary',
  'cpu_startup_entry',
  'ret_from_fork',
  'vfs_write',
  'vfs_read',
  'vfs_iter_read',
  'vfs_iter_write',
  'do_iter_read',
  'do_iter_write',
  'call_read_iter',
  'call_write_iter',
  'new_sync_read',
  'new_sync_write',
  'vfs_ioctl',
  'ksys_ioctl',
  'compat_ioctl',
  'compat_sys_ioctl',
  'blkdev_driver_ioctl',
  'blkdev_ioctl',
  'do_iter_readv_writev',
  '^call_mmap',
  'mmap_region',
  'do_mmap',
  'do_dentry_open',
  'vfs_open',
  '^sock_sendmsg',
  '^sock_recvmsg',
  '^sock_release',
  '^__sock_release',
  '^setsockopt$',
  'kernel_setsockopt',
  'sock_common_setsockopt',
  '^listen$',
  'kernel_listen',
  'sk_common_release',
  '^sock_mmap',
  '^accept$',
  'kernel_accept',
  '^sock_do_ioctl',
  '^sock_ioctl',
  '^compat_sock_ioctl',
  '^nfnetlink_rcv_msg',
  '^rtnetlink_rcv_msg',
  '^netlink_dump',
  '^(?:sys_)?(?:socketpair|connect|ioctl)',
  '__do_fault',
  'do_page_fault',
  '^page_fault$',
  '__fput',
  'task_work_run',
  'exit_to_usermode',
  'smp_call_function',
  'tasklet_action',
  'tasklet_hi_action',
].map((s) => new RegExp(s));

// The anchors as one alternation: one test of a frame instead of one per anchor.
const ANY_STALL_ANCHOR = new RegExp(STALL_ANCHORS.map((re) => `(?:${re.source})`).join('|'));

export function stallFrame(frames: string[]): { frame: string; index: number } | null {
  let prev = frames[0];
  let prevIndex = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as string;
    if (ANY_STALL_ANCHOR.test(f)) {
      if (f.includes('smp_call_function')) return { frame: 'smp_call_function', index: i };
      return prev === undefined ? null : { frame: prev, index: prevIndex };
    }
    prev = f;
    prevIndex = i;
  }
  return null;
}

/**
 * Hung tasks: group hangs on the usual suspects (rtnl_lock, synchronize_rcu
 * and friends) together, otherwise take the first frame that is not
 * scheduler/locking/waiting plumbing.
 */
const HANG_ANCHORS: ReadonlyArray<[string, string]> = [
  ['rtnl_lock', ''],
  ['synchronize_rcu', 'synchronize_rcu'],
  ['synchronize_srcu', 'synchronize_rcu'],
  ['synchronize_net', 'synchronize_rcu'],
  ['synchronize_sched', 'synchronize_rcu'],
];
const HANG_SKIP = [
  'sched',
  '_lock',
  '_slowlock',
  'down',
  'rwsem',
  'completion',
  'kthread',
  'wait',
  'synchronize',
  'context_switch',
  '__switch_to',
  'cancel_delayed_work',
  'rcu_barrier',
];

export function hungTaskFrame(frames: string[]): { frame: string; index: number } | null {
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as string;
    for (const [anchor, replacement] of HANG_ANCHORS) {
      if (f.includes(anchor)) return { frame: replacement || f, index: i };
    }
  }
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as string;
    if (!HANG_SKIP.some((s) => f.includes(s))) return { frame: f, index: i };
  }
  return null;
}

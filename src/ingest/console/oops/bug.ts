import { stallFrame } from '../../../analyzers/title/extractors.js';
import { CALL_TRACE, RIP_FRAME, rx } from '../../../analyzers/title/macros.js';
import { type Oops, PARSE_STACK } from '../../../analyzers/title/types.js';
import { callTrace, ripThenTrace } from './stack-specs.js';

// KMSAN's origin stack header: `Uninit was created at:`, `Local variable buf created at:`
const KMSAN_ORIGIN = /(Local variable \S+ created at:|Uninit was created at:)/;
// `BUG: KFENCE: use-after-free read in test_use_after_free_read+0xb3/0x143`
const KFENCE_LINE = rx(
  'BUG: KFENCE: (?:use-after-free|out-of-bounds|invalid|memory corruption)(?: read| write| free)? in {{FUNC}}',
);
// `[<ffffffff8124a1e4>] lock_release+0x1e4/0x9f0`
const PC_FUNC = rx('{{PC}} +{{FUNC}}');
// `ffffffff81a1b2c3 (&pipe->mutex/1){+.+.}, at: pipe_lock+0x56/0x70`
const AT_FUNC = rx('at: (?:{{PC}} +)?{{FUNC}}');

/** `BUG:` banners: sanitizers, faults, lock-debugging BUGs, sleeping in atomic, leaks. */
export const BUG_OOPS: Oops = {
  header: 'BUG:',
  fallbackKind: 'bug',
  formats: [
    {
      kind: 'kasan',
      // `BUG: KASAN: slab-use-after-free in drm_gem_shmem_evict+0x1d5/0x580`
      title: /BUG: KASAN:/,
      report: {
        steps: [rx('BUG: KASAN: ([a-z\\-]+) in {{FUNC}}'), /(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)/],
      },
      format: (g, f) => `KASAN: ${g[0]} ${g[2]} in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: {
        parts: [rx('BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}'), CALL_TRACE, PARSE_STACK],
        skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
      },
    },
    {
      kind: 'kasan',
      // `BUG: KASAN: double-free or invalid-free in kfree+0xa2/0x230`
      title: /BUG: KASAN:/,
      report: {
        steps: [rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}')],
      },
      format: (_g, f) => `KASAN: invalid-free in ${f[0]}`,
      alt: [(_g, f) => `invalid-free in ${f[0]}`],
      stack: {
        parts: [
          rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}'),
          CALL_TRACE,
          PARSE_STACK,
        ],
        skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
      },
    },
    {
      kind: 'kasan',
      // `BUG: KASAN: use-after-free on address ffff8801ca40a8a8` (old format), then `Write of size 8 by task ...`
      title: /BUG: KASAN: ([a-z-]+) on address/,
      report: { steps: [/BUG: KASAN: ([a-z-]+) on address/, /(Read|Write) of size ([0-9]+)/] },
      format: (g) => `KASAN: ${g[0]} ${g[1]}`,
    },
    {
      kind: 'kasan',
      // `BUG: KASAN: slab-out-of-bounds` (the rest of the report is missing)
      title: /BUG: KASAN: (.*)/,
      format: (g) => `KASAN: ${g[0]}`,
      corrupted: true,
    },
    {
      kind: 'kasan',
      // `BUG: KMSAN: kernel-usb-infoleak in usb_submit_urb+0x7ef/0x1f50`
      title: /BUG: KMSAN: kernel-usb-infoleak/,
      report: { steps: [rx('BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}')] },
      format: (_g, f) => `KMSAN: kernel-usb-infoleak in ${f[0]}`,
      alt: [(_g, f) => `KMSAN origin in ${f[1]}`],
      stack: {
        parts: [PARSE_STACK, KMSAN_ORIGIN, PARSE_STACK],
        skip: [
          'alloc_skb',
          'usb_submit_urb',
          'usb_start_wait_urb',
          'usb_bulk_msg',
          'usb_interrupt_msg',
          'usb_control_msg',
        ],
      },
      noStackTrace: true,
    },
    {
      kind: 'kasan',
      // `BUG: KMSAN: uninit-value in tipc_nl_compat_link_set+0x4a1/0x1030`
      title: /BUG: KMSAN:/,
      report: { steps: [rx('BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}')] },
      format: (g, f) => `KMSAN: ${g[0]} in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: {
        parts: [PARSE_STACK, KMSAN_ORIGIN, PARSE_STACK],
        skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'],
      },
      noStackTrace: true,
    },
    {
      kind: 'kcsan-data-race',
      // `BUG: KCSAN: data-race in do_page_fault / spectre_v4_enable_task_mitigation`
      title: /BUG: KCSAN: data-race/,
      report: { steps: [/BUG: KCSAN: (.*)/] },
      format: (g) => `KCSAN: ${g[0]}`,
      noStackTrace: true,
    },
    {
      kind: 'kcsan-data-race',
      // `BUG: KCSAN: assert: race in dequeue_entity / ...`
      title: /BUG: KCSAN:/,
      report: { steps: [/BUG: KCSAN: (.*)/] },
      format: (g) => `KCSAN: ${g[0]}`,
      noStackTrace: true,
    },
    {
      kind: 'kasan',
      // `BUG: KFENCE: use-after-free read in test_use_after_free_read+0xb3/0x143`
      title: rx('BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}'),
      format: (g, f) => `KFENCE: ${g[0]} ${g[1]} in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: { parts: [KFENCE_LINE, PARSE_STACK] },
    },
    {
      kind: 'kasan',
      // `BUG: KFENCE: invalid free in test_double_free+0xdc/0x171`
      title: rx('BUG: KFENCE: invalid free in {{FUNC}}'),
      format: (_g, f) => `KFENCE: invalid free in ${f[0]}`,
      alt: [(_g, f) => `invalid-free in ${f[0]}`],
      noStackTrace: true,
      stack: { parts: [KFENCE_LINE, PARSE_STACK] },
    },
    {
      kind: 'kasan',
      // `BUG: KFENCE: invalid read in test_invalid_access+0x26/0xe0`
      title: rx('BUG: KFENCE: invalid (read|write) in {{FUNC}}'),
      format: (g, f) => `KFENCE: invalid ${g[0]} in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: { parts: [KFENCE_LINE, PARSE_STACK] },
    },
    {
      kind: 'kasan',
      // `BUG: KFENCE: memory corruption in test_kmalloc_aligned_oob_write+0xef/0x184`
      title: rx('BUG: KFENCE: memory corruption in {{FUNC}}'),
      format: (_g, f) => `KFENCE: memory corruption in ${f[0]}`,
      noStackTrace: true,
      stack: { parts: [KFENCE_LINE, PARSE_STACK] },
    },
    {
      kind: 'bug',
      // `BUG: unable to handle page fault for address: ffffc90000a8e000`
      title:
        /BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)/,
      format: (_g, f) => `BUG: unable to handle kernel paging request in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: ripThenTrace(),
    },
    {
      kind: 'bug',
      // `BUG: kernel NULL pointer dereference, address: 0000000000000008`
      title:
        /BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)/,
      format: (_g, f) => `BUG: unable to handle kernel NULL pointer dereference in ${f[0]}`,
      alt: [(_g, f) => `bad-access in ${f[0]}`],
      stack: ripThenTrace(),
    },
    {
      kind: 'bug',
      // `BUG: unable to handle kernel ` (the second half of the banner was lost)
      title: /BUG: (?:unable to handle kernel|Unable to handle kernel)/,
      format: () => 'BUG: unable to handle kernel',
      corrupted: true,
    },
    {
      kind: 'spinlock-bug',
      // `BUG: spinlock lockup suspected on CPU#0, syz-executor.0/1234`
      title:
        /BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/,
      format: (g, f) => `BUG: ${g[0]} ${g[1]} in ${f[0]}`,
      stack: callTrace(['spin_', '_lock', '_unlock']),
    },
    {
      kind: 'other',
      // `BUG: soft lockup - CPU#0 stuck for 22s! [syz-executor.2:11409]`
      title: /BUG: soft lockup/,
      format: (_g, f) => `BUG: soft lockup in ${f[0]}`,
      alt: [(_g, f) => `stall in ${f[0]}`],
      stack: ripThenTrace([], stallFrame),
    },
    {
      kind: 'locks-held-at-exit',
      // `BUG: syz-executor/31761 still has locks held!`
      title: /BUG: /,
      also: [/still has locks held!/],
      report: { steps: [/still has locks held!/, PC_FUNC] },
      format: (g) => `BUG: still has locks held in ${g[0]}`,
    },
    {
      kind: 'scheduling-while-atomic',
      // `BUG: scheduling while atomic: kworker/0:1/12/0x00000002`
      title: /BUG: scheduling while atomic/,
      format: (_g, f) => `BUG: scheduling while atomic in ${f[0]}`,
      stack: callTrace(['schedule']),
    },
    {
      kind: 'lock-held-returning-to-user',
      // `BUG: lock held when returning to user space!`
      title: /BUG: lock held when returning to user space/,
      report: {
        steps: [
          /BUG: lock held when returning to user space/,
          /leaving the kernel with locks still held/,
          AT_FUNC,
        ],
      },
      format: (g) => `BUG: lock held when returning to user space in ${g[0]}`,
      noStackTrace: true,
    },
    {
      kind: 'bad-unlock-balance',
      // `BUG: bad unlock balance detected!`
      title: /BUG: bad unlock balance detected!/,
      format: (_g, f) => `BUG: bad unlock balance in ${f[0]}`,
      stack: { parts: [PC_FUNC, CALL_TRACE, PARSE_STACK] },
    },
    {
      kind: 'held-lock-freed',
      // `BUG: held lock freed!`
      title: /BUG: held lock freed!/,
      report: { steps: [/BUG: held lock freed!/, PC_FUNC] },
      format: (g) => `BUG: held lock freed in ${g[0]}`,
    },
    {
      kind: 'bug',
      // `BUG: Bad rss-counter state mm:00000000b2d9c6f0 type:MM_FILEPAGES val:-1`
      title: /BUG: Bad rss-counter state/,
      format: () => 'BUG: Bad rss-counter state',
      noStackTrace: true,
    },
    {
      kind: 'bug',
      // `BUG: non-zero nr_ptes on freeing mm: 2`
      title: /BUG: non-zero nr_ptes on freeing mm/,
      format: () => 'BUG: non-zero nr_ptes on freeing mm',
      noStackTrace: true,
    },
    {
      kind: 'bug',
      // `BUG: non-zero nr_pmds on freeing mm: 1`
      title: /BUG: non-zero nr_pmds on freeing mm/,
      format: () => 'BUG: non-zero nr_pmds on freeing mm',
      noStackTrace: true,
    },
    {
      kind: 'bug',
      // `BUG: Dentry ffff88006d6c6f00{i=0,n=/}  still in use (1) [unmount of tmpfs tmpfs]`
      title: /BUG: Dentry /,
      also: [/ still in use/],
      report: { steps: [/ still in use \([0-9]+\) \[(unmount) of ([^\]]{1,256})\]/] },
      format: (g) => `BUG: Dentry still in use in ${g[0]}`,
      alt: [(g) => `BUG: Dentry still in use [${g[0]} of ${g[1]}]`],
    },
    {
      kind: 'bug',
      // `BUG: Bad page state in process syz-executor.0  pfn:2b4b0`
      title: /BUG: Bad page (state|cache)/,
      format: (g, f) => `BUG: Bad page ${g[0]} in ${f[0]}`,
      stack: {
        parts: [/page last allocated/, PARSE_STACK],
        skip: [
          '(?:free|put|get|update|release)_page',
          'free_unref',
          '^_*folio',
          'truncate_inode_pages',
          'page_frag_free',
          'alloc',
          'vmap',
          'page_owner',
        ],
      },
    },
    {
      kind: 'bug',
      // `BUG: Bad page map in process syz-executor  pte:...`
      title: /BUG: Bad page map/,
      format: () => 'BUG: Bad page map',
    },
    {
      kind: 'bug',
      // `BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 40s!`
      title: /BUG: workqueue lockup/,
      format: () => 'BUG: workqueue lockup',
      noStackTrace: true,
    },
    {
      kind: 'sleeping-in-atomic',
      // `BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580`
      title: /BUG: sleeping function called from invalid context at (.*)/,
      format: (_g, f) => `BUG: sleeping function called from invalid context in ${f[0]}`,
      stack: callTrace(),
    },
    {
      kind: 'preemptible-context',
      // `BUG: using smp_processor_id() in preemptible [00000000] code: syz-executor.0/1234`
      title: /BUG: using ([a-z_]+)\(\) in preemptible/,
      format: (g, f) => `BUG: using ${g[0]}() in preemptible code in ${f[0]}`,
      stack: callTrace(['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu']),
    },
    {
      kind: 'workqueue-leaked-lock',
      // `BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000000/12` ... `    last function: vmstat_update`
      title: /BUG: workqueue leaked lock or atomic/,
      report: { steps: [/BUG: workqueue leaked lock or atomic/, /last function: ([a-zA-Z0-9_]+)$/] },
      format: (g) => `BUG: workqueue leaked lock or atomic in ${g[0]}`,
      noStackTrace: true,
    },
    {
      kind: 'other',
      // `BUG: memory leak` ... `  backtrace (crc 8c1a5a0e):`
      title: /BUG: memory leak/,
      format: (_g, f) => `memory leak in ${f[0]}`,
      stack: {
        parts: [/backtrace(?: \(crc [0-9a-fA-F]*\))?:/, PARSE_STACK],
        skip: [
          'kmemleak',
          'mmap',
          'kmem',
          'slab',
          'alloc',
          'create_object',
          'idr_get',
          'list_lru_init',
          'kasprintf',
          'kvasprintf',
          'pcpu_create',
          'strdup',
          'strndup',
          'memdup',
        ],
      },
    },
    {
      kind: 'bug',
      // `BUG: TASK stack guard page was hit at ffffc90000b6ff78 (stack is ffffc90000b70000..ffffc90000b78000)`
      title: /BUG: /,
      also: [/stack guard page was hit at/],
      format: (_g, f) => `BUG: stack guard page was hit in ${f[0]}`,
      alt: [(_g, f) => `stack-overflow in ${f[0]}`],
      stack: { parts: [RIP_FRAME, CALL_TRACE, PARSE_STACK], extractor: stallFrame },
    },
    {
      kind: 'invalid-wait-context',
      // `BUG: Invalid wait context` (arm/arm64 wording of `[ BUG: Invalid wait context ]`)
      title: /BUG: Invalid wait context/,
      format: (_g, f) => `WARNING: locking bug in ${f[0]}`,
      stack: callTrace(['lock_sock', 'release_sock']),
    },
    {
      kind: 'bug',
      // `BUG: ` with nothing after it (the line was cut)
      title: /BUG:\s*$/,
      format: () => 'BUG: corrupted',
      corrupted: true,
    },
  ],
  suppress: [/ODEBUG:/, /Boot_DEBUG:/, /xlog_status:/, /DEBUG:/, /BUG: no syscalls can create resource/],
};

import { CALL_TRACE, rx, SRC_ALONE } from '../../../analyzers/title/macros.js';
import { type Oops, PARSE_STACK } from '../../../analyzers/title/types.js';
import { callTrace, warningStack } from './stack-specs.js';

// `ffffffff81a1b2c3 (&pipe->mutex/1){+.+.}, at: pipe_lock+0x56/0x70`
const AT_FUNC = rx('at: (?:{{PC}} +)?{{FUNC}}');
// `[<ffffffff8124a1e4>] lock_release+0x1e4/0x9f0`
const PC_FUNC = rx('{{PC}} +{{FUNC}}');
const WORKQUEUE_LOCKS = ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'];

/** `WARNING:` banners: WARN_ON()s and the lockdep splats. */
export const WARNING_OOPS: Oops = {
  header: 'WARNING:',
  fallbackKind: 'warning',
  formats: [
    {
      kind: 'warning',
      // `WARNING: CPU: 1 PID: 8347 at lib/debugobjects.c:481 debug_print_object+0x168/0x250`
      title: /WARNING: /,
      also: [/lib\/debugobjects\.c/, / (?:debug_print|debug_check|at)/],
      format: (_g, f) => `WARNING: ODEBUG bug in ${f[0]}`,
      stack: warningStack(
        'debug_',
        'rcu',
        'hrtimer_',
        'timer_',
        'work_',
        'percpu_',
        'vunmap',
        'vfree',
        '__free_',
        'debug_check',
        'kobject_',
      ),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 3020 at mm/usercopy.c:78 usercopy_warn+0xf5/0x120`
      title: /WARNING: /,
      also: [/mm\/usercopy\.c/, / (?:usercopy_warn|at)/],
      format: (_g, f) => `WARNING: bad usercopy in ${f[0]}`,
      stack: warningStack('usercopy', '__check'),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 1 at lib/kobject.c:597 kobject_get+0x8c/0xa0`
      title: /WARNING: /,
      also: [/lib\/kobject\.c/, / (?:kobject_|at)/],
      format: (_g, f) => `WARNING: kobject bug in ${f[0]}`,
      stack: warningStack('kobject_'),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 1 PID: 5 at fs/proc/generic.c:330 proc_register+0x2a4/0x370`
      title: /WARNING: /,
      also: [/fs\/proc\/generic\.c/, / (?:proc_register|at)/],
      format: (_g, f) => `WARNING: proc registration bug in ${f[0]}`,
      stack: warningStack('proc_'),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 3602 at lib/refcount.c:28 refcount_warn_saturate+0x1a/0x120`
      title: /WARNING: /,
      also: [/lib\/refcount\.c/, / (?:refcount_|at)/],
      format: (_g, f) => `WARNING: refcount bug in ${f[0]}`,
      stack: warningStack('refcount', 'kobject_'),
    },
    {
      kind: 'lockdep-internal',
      // `WARNING: CPU: 1 PID: 12 at kernel/locking/lockdep.c:167 hlock_class+0x101/0x130`
      title: /WARNING: /,
      also: [/kernel\/locking\/lockdep\.c/, /lock_/],
      format: (_g, f) => `WARNING: locking bug in ${f[0]}`,
      stack: warningStack('lock_sock', 'release_sock'),
    },
    {
      kind: 'locks-held-at-exit',
      // `WARNING: syz-executor/1234 still has locks held!`
      title: /WARNING: /,
      also: [/still has locks held!/],
      report: { steps: [/still has locks held!/, rx('at: {{FUNC}}')] },
      format: (g) => `WARNING: still has locks held in ${g[0]}`,
    },
    {
      kind: 'nested-lock-not-taken',
      // `WARNING: Nested lock was not taken`
      title: /WARNING: Nested lock was not taken/,
      format: (_g, f) => `WARNING: nested lock was not taken in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'lock-held-returning-to-user',
      // `WARNING: lock held when returning to user space!`
      title: /WARNING: lock held when returning to user space/,
      report: {
        steps: [
          /WARNING: lock held when returning to user space/,
          /leaving the kernel with locks still held/,
          AT_FUNC,
        ],
      },
      format: (g) => `WARNING: lock held when returning to user space in ${g[0]}`,
      noStackTrace: true,
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 1 PID: 4418 at mm/slab_common.c:996 kmalloc_slab+0x5d/0x70`
      title: /WARNING: /,
      also: [/mm\//, /\.c/, / k?.?malloc/],
      format: (_g, f) => `WARNING: kmalloc bug in ${f[0]}`,
      stack: warningStack('kmalloc', 'krealloc', 'slab', 'kmem'),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 5071 at mm/vmalloc.c:3267 __vmalloc_node_range+0x10a/0x1220`
      title: /WARNING: /,
      also: [/mm\/vmalloc.c/, /__vmalloc_node/],
      format: (_g, f) => `WARNING: zero-size vmalloc in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 12 at drivers/usb/core/urb.c:504 usb_submit_urb+0xed2/0x18a0`
      title: /WARNING: /,
      also: [/ usb_submit_urb/],
      format: (_g, f) => `WARNING in ${f[0]}/usb_submit_urb`,
      stack: warningStack(
        'usb_submit_urb',
        'usb_start_wait_urb',
        'usb_bulk_msg',
        'usb_interrupt_msg',
        'usb_control_msg',
      ),
    },
    {
      kind: 'warning',
      // `WARNING: drivers/dma-buf/dma-buf.c:1536 at 0x0, CPU#0: syz.0.17/5488` (format since 6.19)
      title: rx('WARNING: {{SRC}} at 0x\\d+, CPU#\\d+'),
      format: (_g, f) => `WARNING in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'warning',
      // `WARNING: CPU: 0 PID: 5488 at drivers/dma-buf/dma-buf.c:1536 dma_buf_vmap+0x1d0/0x2b0`
      title: /WARNING: /,
      also: [rx(' at {{SRC}} {{FUNC}}')],
      format: (_g, f) => `WARNING in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'warning',
      // `WARNING: kernel/sched/core.c:1234 at update_rq_clock+0x10/0x20`
      title: rx('WARNING: {{SRC}} at {{FUNC}}'),
      format: (_g, f) => `WARNING in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'warning',
      // `WARNING: [   T1] kernel/foo.c:12 at foo+0x1/0x2`
      title: /WARNING: \[/,
      also: [rx('\\] {{SRC}} at {{FUNC}}')],
      format: (_g, f) => `WARNING in ${f[0]}`,
      stack: warningStack(),
    },
    {
      kind: 'circular-dependency',
      // `WARNING: possible circular locking dependency detected`
      title: /WARNING: possible circular locking dependency detected/,
      report: {
        steps: [/WARNING: possible circular locking dependency detected/, /is trying to acquire lock/],
      },
      format: (_g, f) => `possible deadlock in ${f[0]}`,
      stack: { parts: [AT_FUNC, AT_FUNC, PARSE_STACK], skip: WORKQUEUE_LOCKS },
    },
    {
      kind: 'irq-lock-inversion',
      // `WARNING: possible irq lock inversion dependency detected`
      title: /WARNING: possible irq lock inversion dependency detected/,
      report: {
        steps: [
          /WARNING: possible irq lock inversion dependency detected/,
          /just changed the state of lock/,
          AT_FUNC,
        ],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'irq-safe-unsafe-order',
      // `WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected`
      title: /WARNING: /,
      also: [/-safe -> /, /-unsafe lock order detected/],
      format: (_g, f) => `possible deadlock in ${f[0]}`,
      // `which became HARDIRQ-irq-unsafe at:`
      stack: { parts: [/which became \S+ at:/, PARSE_STACK] },
    },
    {
      kind: 'recursive-locking',
      // `WARNING: possible recursive locking detected`
      title: /WARNING: possible recursive locking detected/,
      report: {
        steps: [/WARNING: possible recursive locking detected/, /is trying to acquire lock/, AT_FUNC],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'inconsistent-lock-state',
      // `WARNING: inconsistent lock state` ... `syz-executor/1 [HC0[0]:SC1[1]:HE1:SE0] takes:`
      title: /WARNING: inconsistent lock state/,
      report: { steps: [/WARNING: inconsistent lock state/, /takes/, AT_FUNC] },
      format: (_g, f) => `inconsistent lock state in ${f[0]}`,
      stack: callTrace(),
    },
    {
      kind: 'suspicious-rcu-usage',
      // `WARNING: suspicious RCU usage` ... `include/linux/cgroup.h:494 suspicious rcu_dereference_check() usage!`
      title: /WARNING: suspicious RCU usage/,
      report: { steps: [/WARNING: suspicious RCU usage/, SRC_ALONE] },
      format: (_g, f) => `WARNING: suspicious RCU usage in ${f[0]}`,
      stack: callTrace(['rcu', 'kmem', 'slab']),
    },
    {
      kind: 'warning',
      // `WARNING: kernel stack regs at 00000000b2f85e3f in syz-executor:5112 has bad 'bp' value 0000000000000000`
      title: /WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value/,
      format: (g) => `WARNING: kernel stack regs has bad '${g[0]}' value`,
      noStackTrace: true,
    },
    {
      kind: 'warning',
      // `WARNING: kernel stack frame pointer at 00000000e38da0ec in syz-executor:5157 has bad value 0000000000000000`
      title: /WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value/,
      format: () => 'WARNING: kernel stack frame pointer has bad value',
      noStackTrace: true,
    },
    {
      kind: 'bad-unlock-balance',
      // `WARNING: bad unlock balance detected!`
      title: /WARNING: bad unlock balance detected!/,
      format: (_g, f) => `WARNING: bad unlock balance in ${f[0]}`,
      stack: { parts: [PC_FUNC, CALL_TRACE, PARSE_STACK] },
    },
    {
      kind: 'held-lock-freed',
      // `WARNING: held lock freed!` ... ` #0: ffff8880a5bd8d70 (sk_lock-AF_INET){+.+.}, at: lock_sock include/net/sock.h:1516 [inline]`
      title: /WARNING: held lock freed!/,
      report: { steps: [/WARNING: held lock freed!/, rx('at:(?: {{PC}})? +{{FUNC}}')] },
      format: (g) => `WARNING: held lock freed in ${g[0]}`,
    },
    {
      kind: 'warning',
      // `WARNING: kernel stack regs at ... has bad 'bp' value`
      title: /WARNING: kernel stack regs /,
      also: [/ has bad 'bp' value/],
      format: () => 'WARNING: kernel stack regs has bad value',
      noStackTrace: true,
    },
    {
      kind: 'warning',
      // `WARNING: kernel stack frame pointer ... has bad value`
      title: /WARNING: kernel stack frame pointer /,
      also: [/ has bad value/],
      format: () => 'WARNING: kernel stack regs has bad value',
      noStackTrace: true,
    },
    {
      kind: 'warning',
      // `WARNING:` with nothing after it
      title: /WARNING:\s*$/,
      format: () => 'WARNING: corrupted',
      corrupted: true,
    },
  ],
  suppress: [
    /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
    /WARNING: workqueue cpumask: online intersect > possible intersect/,
    /WARNING: [Tt]he mand mount option/,
    /WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1/,
    /WARNING: Unprivileged eBPF is enabled with eIBRS/,
    /WARNING: fbcon: Driver '[^']*' missed to adjust virtual screen size/,
    /WARNING: See https\S* for mitigation options/,
    /WARNING: kernel not compiled with CPU_SRSO/,
    /EXT4-[Ff][Ss](?: \([^)]{0,64}\))?:/,
    (line) => {
      const l = line.toLowerCase();
      return (
        l.includes('warning: ') &&
        (l.includes(' uses deprecated v2 capabilities') || l.includes(' uses wireless extensions'))
      );
    },
    /XFS \(\w+\): WARNING/,
  ],
};

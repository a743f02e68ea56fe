import { stallFrame } from '../../../analyzers/title/extractors.js';
import { rx } from '../../../analyzers/title/macros.js';
import type { Oops } from '../../../analyzers/title/types.js';
import { callTrace, RIP_ONLY, ripThenTrace } from './stack-specs.js';

const badAccess = (_g: string[], f: string[]) => `bad-access in ${f[0]}`;

/** One-format banners keyed by their own keyword. */
function simple(
  header: string,
  rest: Omit<Oops, 'header' | 'suppress'> & { suppress?: Oops['suppress'] },
): Oops {
  return { header, suppress: [], ...rest };
}

export const FAULT_OOPSES: Oops[] = [
  simple('Unable to handle kernel', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008`
        title: /Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/,
        format: (g, f) => `BUG: unable to handle kernel ${g[0]} in ${f[0]}`,
        alt: [(_g, f) => `bad-access in ${f[0]}`],
        stack: ripThenTrace(),
      },
    ],
  }),
  simple('general protection fault', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN`
        title: /general protection fault/,
        also: [/:/],
        format: (_g, f) => `general protection fault in ${f[0]}`,
        alt: [badAccess],
        stack: ripThenTrace(),
      },
    ],
    // `traps: syz-executor[1234] general protection fault ip:4a1b2c sp:7ffd error:0 in syz-executor[400000+1000]`
    suppress: [(line) => /general protection fault /.test(line) && / error:\d+ in /.test(line)],
  }),
  simple('stack segment: ', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `stack segment: 0000 [#1] PREEMPT SMP KASAN`
        title: /stack segment: /,
        format: (_g, f) => `stack segment fault in ${f[0]}`,
        stack: ripThenTrace(),
      },
    ],
  }),
  simple('Kernel panic', {
    fallbackKind: 'panic',
    formats: [
      {
        kind: 'panic',
        // `Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: __schedule+0x1a2b/0x1a40`
        title: /Kernel panic - not syncing: stack-protector:/,
        report: {
          steps: [rx('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}')],
        },
        format: (g) => `kernel panic: stack is corrupted in ${g[0]}`,
        noStackTrace: true,
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: ffffffff81a1b2c3`
        title: /Kernel panic - not syncing: stack-protector:/,
        report: {
          steps: [/Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+/],
        },
        format: (_g, f) => `kernel panic: stack is corrupted in ${f[0]}`,
        stack: callTrace(['stack_chk']),
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: corrupted stack end detected inside scheduler`
        title: /Kernel panic - not syncing: corrupted stack end/,
        report: { steps: [/Kernel panic - not syncing: corrupted stack end detected inside scheduler/] },
        format: (_g, f) => `kernel panic: corrupted stack end in ${f[0]}`,
        alt: [(_g, f) => `stack-overflow in ${f[0]}`],
        stack: callTrace(['schedule', 'retint_kernel'], stallFrame),
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: kernel stack overflow`
        title: /Kernel panic - not syncing: kernel stack overflow/,
        format: (_g, f) => `kernel stack overflow in ${f[0]}`,
        alt: [(_g, f) => `stack-overflow in ${f[0]}`],
        stack: callTrace(['bad_stack'], stallFrame),
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b`
        title: /Kernel panic - not syncing: Attempted to kill init!/,
        format: () => 'kernel panic: Attempted to kill init!',
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: Couldn't open N_TTY ldisc for ptm2 --- error -12.`
        title: /Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+/,
        format: () => "kernel panic: Couldn't open N_TTY ldisc",
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: Fatal exception` (the oops before it is missing)
        title: /Kernel panic - not syncing: Fatal exception/,
        format: () => 'kernel panic: Fatal exception',
        corrupted: true,
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: panic_on_warn set ...` (the WARNING before it is missing)
        title: /Kernel panic - not syncing: panic_on_warn set/,
        format: () => 'kernel panic: panic_on_warn set',
        corrupted: true,
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: hung_task: blocked tasks` (the hung task report is missing)
        title: /Kernel panic - not syncing: hung_task: blocked tasks/,
        format: () => 'kernel panic: hung_task: blocked tasks',
        corrupted: true,
      },
      {
        kind: 'panic',
        // `Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)`
        title: /Kernel panic - not syncing: (.*)/,
        format: (g) => `kernel panic: ${g[0]}`,
      },
    ],
  }),
  simple('int3:', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `Oops: int3: 0000 [#1] SMP KASAN NOPTI` (a breakpoint trap in kernel code)
        title: /int3: /,
        format: (_g, f) => `int3 in ${f[0]}`,
        stack: ripThenTrace(),
      },
    ],
  }),
  simple('PANIC: double fault', {
    fallbackKind: 'panic',
    formats: [
      {
        kind: 'panic',
        // `PANIC: double fault, error_code: 0x0`
        title: /PANIC: double fault/,
        format: (_g, f) => `PANIC: double fault in ${f[0]}`,
        stack: RIP_ONLY,
      },
    ],
  }),
  simple('rust_kernel: panicked', {
    fallbackKind: 'panic',
    formats: [
      {
        kind: 'panic',
        // `rust_kernel: panicked at rust/kernel/foo.rs:12:5:` then the message on the next line
        title: /rust_kernel: panicked/,
        report: { steps: [/rust_kernel: panicked at /, /^(.+)$/] },
        format: (g, f) => `${g[0]} in ${f[0]}`,
        stack: callTrace(['__rustc::rust_begin_unwind']),
      },
    ],
  }),
  simple('kernel BUG', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `kernel BUG at mm/usercopy.c:99!`
        title: /kernel BUG at mm\/usercopy.c/,
        format: (_g, f) => `BUG: bad usercopy in ${f[0]}`,
        stack: callTrace(['usercopy', '__check']),
      },
      {
        kind: 'bug',
        // `kernel BUG at lib/list_debug.c:53!`
        title: /kernel BUG at lib\/list_debug.c/,
        format: (_g, f) => `BUG: corrupted list in ${f[0]}`,
        alt: [badAccess],
        stack: callTrace(),
      },
      {
        kind: 'bug',
        // `kernel BUG at fs/buffer.c:1234!`
        title: /kernel BUG at (.*)/,
        format: (_g, f) => `kernel BUG in ${f[0]}`,
        stack: ripThenTrace(['^skb_']),
      },
    ],
  }),
  simple('Kernel BUG', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `Kernel BUG at 00000000abcd1234 [verbose debug info unavailable]`
        title: /Kernel BUG (.*)/,
        format: (g) => `kernel BUG ${g[0]}`,
      },
    ],
  }),
  simple('BUG kmalloc-', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `BUG kmalloc-64 (Not tainted): Object already free`
        title: /BUG kmalloc-/,
        also: [/: Object already free/],
        format: () => 'BUG: Object already free',
      },
    ],
  }),
  ...['divide error:', 'divide_error:'].map((header) =>
    simple(header, {
      fallbackKind: 'bug',
      formats: [
        {
          kind: 'bug',
          // `divide error: 0000 [#1] PREEMPT SMP KASAN`
          title: new RegExp(`${header} `),
          format: (_g, f) => `divide error in ${f[0]}`,
          stack: RIP_ONLY,
        },
      ],
    }),
  ),
  simple('invalid opcode:', {
    fallbackKind: 'bug',
    formats: [
      {
        kind: 'bug',
        // `invalid opcode: 0000 [#1] PREEMPT SMP KASAN`
        title: /invalid opcode: /,
        format: (_g, f) => `invalid opcode in ${f[0]}`,
        stack: RIP_ONLY,
      },
    ],
  }),
  simple('UBSAN:', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `UBSAN: Undefined behaviour in net/ipv4/tcp_input.c:1234:5`
        title: /UBSAN:/,
        report: { steps: [/UBSAN: Undefined behaviour in/] },
        format: (_g, f) => `UBSAN: undefined-behaviour in ${f[0]}`,
        stack: callTrace(['ubsan', 'overflow']),
      },
      {
        kind: 'other',
        // `UBSAN: array-index-out-of-bounds in fs/jfs/jfs_dmap.c:1234:3`
        title: /UBSAN: array-index-out-of-bounds in/,
        format: (_g, f) => `UBSAN: array-index-out-of-bounds in ${f[0]}`,
        alt: [badAccess],
        stack: callTrace(['ubsan', 'overflow']),
      },
      {
        kind: 'other',
        // `UBSAN: shift-out-of-bounds in net/sched/sch_api.c:1234:5`
        title: /UBSAN:/,
        report: { steps: [/UBSAN: (\S+(?: \S+)?) in/] },
        format: (g, f) => `UBSAN: ${g[0]} in ${f[0]}`,
        stack: callTrace(['ubsan', 'overflow']),
      },
    ],
  }),
  simple('Booting the kernel.', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `Booting the kernel.`
        title: /^Booting the kernel/,
        format: () => 'unexpected kernel reboot',
        noStackTrace: true,
      },
    ],
    suppress: [/Parsing ELF|Decompressing Linux|Unknown parameter '/],
  }),
  simple('unregister_netdevice: waiting for', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `unregister_netdevice: waiting for lo to become free. Usage count = 1`
        title: /unregister_netdevice: waiting for /,
        also: [/ to become free/],
        format: () => 'unregister_netdevice: waiting for DEV to become free',
        noStackTrace: true,
      },
    ],
  }),
  simple('VFS: Close: file count is 0', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `VFS: Close: file count is 0`
        title: /VFS: Close: file count is 0/,
        format: () => 'VFS: Close: file count is zero (use-after-free)',
        noStackTrace: true,
      },
    ],
  }),
  simple('VFS: Busy inodes after unmount', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `VFS: Busy inodes after unmount of sda1. Self-destruct in 5 seconds.  Have a nice day...`
        title: /VFS: Busy inodes after unmount/,
        format: () => 'VFS: Busy inodes after unmount (use-after-free)',
        noStackTrace: true,
      },
    ],
  }),
  ...(
    [
      // `Internal error: Oops: 96000006 [#1] PREEMPT SMP`
      ['Internal error:', /Internal error:/, 'Internal error in', true],
      // `Unhandled fault: page domain fault (0x01b) at 0x00000000`
      ['Unhandled fault:', /Unhandled fault:/, 'Unhandled fault in', true],
      // `Alignment trap: not handling instruction e1953f9f at [<c0a8b1c4>]`
      ['Alignment trap:', /Alignment trap:/, 'Alignment trap in', false],
    ] as const
  ).map(([header, title, prefix, alt]) =>
    simple(header, {
      fallbackKind: 'bug',
      formats: [
        {
          kind: 'bug',
          title,
          format: (_g: string[], f: string[]) => `${prefix} ${f[0]}`,
          ...(alt ? { alt: [badAccess] } : {}),
          stack: ripThenTrace(),
        },
      ],
    }),
  ),
  simple('trusty: panic', {
    fallbackKind: 'panic',
    formats: [
      {
        kind: 'panic',
        // `trusty: panic (ffffff8000f2d7f0): ASSERT FAILED at (lib/foo.c:12): x == y`
        title: /trusty: panic/,
        also: [/ ASSERT FAILED/],
        report: { steps: [/trusty: panic \([^()]*\):(?: DEBUG)? ASSERT FAILED at \([^()]*\): (.+)/] },
        format: (g) => `trusty: ASSERT FAILED: ${g[0]}`,
        noStackTrace: true,
      },
      {
        kind: 'panic',
        // `trusty: panic ... ASSERT FAILED: x == y` (cut)
        title: /trusty: panic/,
        also: [/ ASSERT FAILED/, /:([^:]*)$/],
        format: (g) => `trusty: ASSERT FAILED: ${(g[0] ?? '').trimStart()}`,
        corrupted: true,
      },
      {
        kind: 'panic',
        // `trusty: panic (ffffff8000f2d7f0): out of memory`
        title: /trusty: panic/,
        report: { steps: [/trusty: panic \([^()]*\): (.+)/] },
        format: (g) => `trusty: panic: ${g[0]}`,
        noStackTrace: true,
      },
    ],
  }),
  simple('fatal error:', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `fatal error: runtime: out of memory` (Go runtime of the fuzzer)
        title: /fatal error:/,
        format: () => 'go runtime error',
        noStackTrace: true,
      },
    ],
    suppress: [/ALSA/, /fatal error: cannot create timer/],
  }),
  simple('SYZFAIL:', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `SYZFAIL: failed to recv rpc`
        title: /SYZFAIL:(.*)/,
        format: (g) => `SYZFAIL:${g[0]}`,
        noStackTrace: true,
      },
    ],
  }),
  simple('SYZFATAL:', {
    fallbackKind: 'other',
    formats: [
      {
        kind: 'other',
        // `SYZFATAL: executor failed 11 times: executor 0: exit status 67`
        title: /SYZFATAL:(.*)/,
        format: (g) => `SYZFATAL:${g[0]}`,
        alt: [() => 'SYZFATAL'],
        noStackTrace: true,
      },
    ],
  }),
  simple('panic:', {
    fallbackKind: 'panic',
    formats: [
      {
        kind: 'panic',
        // `panic: Sentry detected 1 stuck task(s):`
        title: /panic: Sentry detected /,
        also: [/ stuck task/],
        format: () => 'panic: Sentry detected stuck tasks',
        noStackTrace: true,
      },
      {
        kind: 'panic',
        // `panic: runtime error: index out of range`
        title: /panic:(.*)/,
        format: (g) => `panic:${g[0]}`,
        noStackTrace: true,
      },
    ],
    suppress: [/_panic:/, /xlog_status:/, /ddb\.onpanic:/, /evtlog_status:/],
  }),
];

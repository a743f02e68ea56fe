import { hungTaskFrame, stallFrame } from '../../../analyzers/title/extractors.js';
import { RIP_FRAME, rx, SRC_ALONE } from '../../../analyzers/title/macros.js';
import { type Oops, PARSE_STACK } from '../../../analyzers/title/types.js';
import { callTrace } from './stack-specs.js';

// `ffffffff81a1b2c3 (&pipe->mutex/1){+.+.}, at: [<ffffffff81a1b2c3>] pipe_lock+0x56/0x70` (old lockdep)
const AT_PC_FUNC = rx('at: {{PC}} +{{FUNC}}');

/** `INFO:` banners: old-style lockdep splats, RCU stalls, hung tasks. */
export const INFO_OOPS: Oops = {
  header: 'INFO:',
  fallbackKind: 'other',
  formats: [
    {
      kind: 'circular-dependency',
      // `[ INFO: possible circular locking dependency detected ]`
      title: /INFO: possible circular locking dependency detected/,
      report: {
        steps: [
          /INFO: possible circular locking dependency detected \]/,
          /is trying to acquire lock/,
          AT_PC_FUNC,
        ],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'irq-lock-inversion',
      // `[ INFO: possible irq lock inversion dependency detected ]`
      title: /INFO: possible irq lock inversion dependency detected/,
      report: {
        steps: [
          /INFO: possible irq lock inversion dependency detected \]/,
          /just changed the state of lock/,
          AT_PC_FUNC,
        ],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'irq-safe-unsafe-order',
      // `[ INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected ]`
      title: /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected/,
      report: {
        steps: [
          /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \]/,
          /is trying to acquire/,
          AT_PC_FUNC,
        ],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'recursive-locking',
      // `[ INFO: possible recursive locking detected ]`
      title: /INFO: possible recursive locking detected/,
      report: {
        steps: [/INFO: possible recursive locking detected \]/, /is trying to acquire lock/, AT_PC_FUNC],
      },
      format: (g) => `possible deadlock in ${g[0]}`,
    },
    {
      kind: 'inconsistent-lock-state',
      // `[ INFO: inconsistent lock state ]`
      title: /INFO: inconsistent lock state/,
      report: { steps: [/INFO: inconsistent lock state \]/, /takes/, AT_PC_FUNC] },
      format: (g) => `inconsistent lock state in ${g[0]}`,
    },
    {
      kind: 'other',
      // `INFO: rcu_preempt detected stalls on CPUs/tasks:`, `INFO: rcu_sched self-detected stall on CPU`
      title: /INFO: rcu_(?:preempt|sched|bh|tasks(?:_trace|_rude)?) (?:self-)?detected(?: expedited)? stall/,
      format: (_g, f) => `INFO: rcu detected stall in ${f[0]}`,
      alt: [(_g, f) => `stall in ${f[0]}`],
      stack: {
        parts: [/apic_timer_interrupt/, RIP_FRAME, PARSE_STACK],
        parts2: [/(?:apic_timer_interrupt|Exception stack|el1h_64_irq)/, PARSE_STACK],
        skip: ['apic_timer_interrupt', 'rcu'],
        extractor: stallFrame,
      },
    },
    {
      kind: 'lockdep-internal',
      // `INFO: trying to register non-static key.`
      title: /INFO: trying to register non-static key/,
      format: (_g, f) => `INFO: trying to register non-static key in ${f[0]}`,
      stack: callTrace(['stack', 'lock', 'IRQ']),
    },
    {
      kind: 'suspicious-rcu-usage',
      // `[ INFO: suspicious RCU usage. ]` ... `net/core/dev.c:123 suspicious rcu_dereference_check() usage!`
      title: /INFO: suspicious RCU usage/,
      report: { steps: [/INFO: suspicious RCU usage/, SRC_ALONE] },
      format: (_g, f) => `INFO: suspicious RCU usage in ${f[0]}`,
      stack: callTrace(['rcu', 'kmem', 'slab']),
    },
    {
      kind: 'hung-task',
      // `INFO: task Xorg:879 blocked for more than 120 seconds.`, `... blocked in I/O wait for more than 143 seconds.`
      title: /INFO: task /,
      also: [/ blocked (?:in I\/O wait )?for more than [0-9]+ seconds/],
      format: (_g, f) => `INFO: task hung in ${f[0]}`,
      alt: [(_g, f) => `hang in ${f[0]}`],
      stack: callTrace([], hungTaskFrame),
    },
    {
      kind: 'hung-task',
      // A task name with a newline in it splits the banner: `INFO: task \x8f\x9e` / `\x8f:18088 blocked for more than 143 seconds.`
      title: /INFO: task /,
      report: {
        steps: [/INFO: task /, / blocked (?:in I\/O wait )?for more than [0-9]+ seconds/],
        within: 1,
      },
      format: (_g, f) => `INFO: task hung in ${f[0]}`,
      alt: [(_g, f) => `hang in ${f[0]}`],
      stack: callTrace([], hungTaskFrame),
    },
    {
      kind: 'hung-task',
      // `INFO: task syz-executor.0:1234 can't die for more than 143 seconds.`
      title: /INFO: task /,
      also: [/ can't die for more than /, / seconds/],
      format: (_g, f) => `INFO: task can't die in ${f[0]}`,
      alt: [(_g, f) => `hang in ${f[0]}`],
      stack: callTrace(['schedule']),
    },
    {
      kind: 'kasan',
      // `INFO: Freed in kfree+0x4b/0x60 age=0 cpu=0 pid=1234` (old KASAN report, header lost)
      title: /INFO: (Freed|Allocated) in (.*)/,
      format: (g) => `INFO: ${g[0]} in ${g[1]}`,
      corrupted: true,
    },
    {
      kind: 'other',
      // `INFO:` with nothing after it
      title: /INFO:\s*$/,
      format: () => 'INFO: corrupted',
      corrupted: true,
    },
  ],
  suppress: [
    /INFO: lockdep is turned off/,
    /INFO: Stall ended before state dump start/,
    /INFO: NMI handler/,
    /INFO: recovery required on readonly filesystem/,
    // `perf: interrupt took too long (2500 > 2495)`
    (line) =>
      line.includes('took too long') &&
      /(?:handler|interrupt)/.test(line.slice(0, line.lastIndexOf('took too long'))),
    /INFO: sys_\S* is not present in \/proc\/kallsyms/,
    /INFO: no syscalls can create resource/,
    /rmt_storage:INFO:/,
    /_INFO:/,
  ],
};

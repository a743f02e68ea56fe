import { describe, expect, it } from 'vitest';
import { KernelLogSniffer } from '../../src/ingest/kernel-log.js';

const sniff = (text: string): boolean => {
  const s = new KernelLogSniffer();
  s.push(Buffer.from(text));
  return s.isKernelLog;
};

describe('KernelLogSniffer', () => {
  it.each([
    ['a printk timestamp', '[   24.246331] virtio_gpu virtio0: features: +virgl\n'],
    ['a caller id', 'x\n[T123] swapper/0\n'],
    [
      'a boot excerpt without timestamps, a banner after its subsystem',
      'Speculative Return Stack Overflow: WARNING: kernel not compiled with CPU_SRSO.\n',
    ],
    [
      'a banner at the start of a line',
      'INFO: NMI handler (perf_event_nmi_handler) took too long to run: 2.277 msecs\n',
    ],
    ['a quoted banner in a mail', 'Hi,\n\n> WARNING: possible circular locking dependency detected\n'],
    ["syzkaller's clock before a banner", '2018/01/09 14:28:48 BUG: memory leak\n'],
    ['an oops line', 'Oops: 0000 [#1] PREEMPT SMP\n'],
    ['the CPU line of a report', 'CPU: 1 UID: 0 PID: 5488 Comm: syz.0.17 Not tainted syzkaller #0\n'],
  ])('takes %s for kernel output', (_what, text) => {
    expect(sniff(text)).toBe(true);
  });

  it.each([
    [
      'a kernel .config',
      '#\n# Debug Oops, Lockups and Hangs\n#\nCONFIG_PROVE_LOCKING=y\n# CONFIG_DEBUG_LOCKDEP is not set\n',
    ],
    [
      'a /proc/lock_stat dump',
      'lock_stat version 0.4\n*WARNING* lock debugging disabled!! - possibly due to a lockdep warning\n',
    ],
    [
      'an ftrace capture',
      '# tracer: nop\n    kworker/0:1-12    [000] .....   12.345678: lock_acquire: 00000000f1e2d3c4 &lockdep_map\n',
    ],
    ['C source', '#include <linux/lockdep.h>\n/* see the WARNING: below */\nstatic int x;\n'],
    [
      'mail prose naming a banner mid-sentence',
      'On boot I get this WARNING: possible circular locking dependency\n',
    ],
    [
      'a mail whose subject is a banner',
      'Subject: WARNING: possible circular locking dependency detected\n\nHi,\n',
    ],
  ])('does not take %s for kernel output', (_what, text) => {
    expect(sniff(text)).toBe(false);
  });
});

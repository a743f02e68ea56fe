/**
 * Does an input look like kernel console output at all? A log with no
 * printk timestamp, caller id, level, journald `kernel:` prefix and no
 * kernel banner in its first 64 KiB is not a console log (a binary, a build
 * log, the wrong file): triage says so instead of calling it clean.
 */
// `[   24.246331] `, `[  +0.006347]`, `[T123]`/`[  C4]`, `<4>`, `Jul 10 16:12:52 host kernel: `,
// and what the kernel prints in logs without timestamps (syzbot mails, pasted excerpts):
// `Linux version 6.1.0 ...`, `Call Trace:`, `Hardware name: `, `RIP: `, `Kernel panic - not syncing`,
// `Oops: 0000 [#1]`, `CPU: 0 PID: 28 Comm: ...`, and banners at the start of a line, maybe quoted,
// after a subsystem's prefix or syzkaller's clock: `BUG: ...`, `> WARNING: ...`,
// `Speculative Return Stack Overflow: WARNING: ...`, `2018/01/09 14:28:48 BUG: memory leak`.
// (Not a bare `lockdep`, `Oops` or `WARNING: ` anywhere: a kernel .config, /proc/lock_stat, an ftrace
// capture or a patch holds those too, and is no console log.)
/**
 * A mail's header before a banner (`Subject: WARNING: ...`, `Re: BUG: ...`): no kernel message
 * prefix, though it looks like one (the report parser drops such a banner too: bannerInProse).
 */
export const MAIL_HEADER = String.raw`(?:[Ss]ubject|R[Ee]|F[Ww][Dd]?): `;

const KERNEL_LINE = new RegExp(
  [
    String.raw`\[\s*\+?\d+\.\d{3,9}\]`,
    String.raw`\[\s*[TC]\d+\]`,
    String.raw`^(?:> ?)*<\d>`,
    String.raw`\bkernel: `,
    String.raw`Linux version \d`,
    'Call Trace:',
    'Hardware name: ',
    String.raw`\bRIP: `,
    'Kernel panic - ',
    String.raw`\bOops: `,
    String.raw`CPU: \d+ (?:UID: \d+ )?PID: \d+`,
    String.raw`^(?:> ?)*[ \t]*(?!${MAIL_HEADER})(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d |[\w/.-][\w/ .-]{0,39}: )?(?:BUG|WARNING|INFO): `,
  ].join('|'),
  'm',
);

/** The regex of this file (the ReDoS test checks it). */
export const KERNEL_LOG_REGEXES: readonly RegExp[] = [KERNEL_LINE];

const SAMPLE_BYTES = 64 * 1024;

export class KernelLogSniffer {
  private sample = '';
  private bytes = 0;
  private found = false;

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.found || this.sample.length >= SAMPLE_BYTES) return;
    this.sample += Buffer.from(chunk.subarray(0, SAMPLE_BYTES - this.sample.length)).toString('latin1');
    this.found = KERNEL_LINE.test(this.sample);
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.bytes;
  }

  /** True when the sample holds a line of kernel output. */
  get isKernelLog(): boolean {
    return this.found;
  }
}

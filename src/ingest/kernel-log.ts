/**
 * Does an input look like kernel console output at all? A log with no
 * printk timestamp, caller id, level, journald `kernel:` prefix and no
 * kernel banner in its first 64 KiB is not a console log (a binary, a build
 * log, the wrong file): triage says so instead of calling it clean.
 */
// `[   24.246331] `, `[  +0.006347]`, `[T123]`/`[  C4]`, `<4>`, `Jul 10 16:12:52 host kernel: `,
// and banners that also appear in logs without timestamps (syzbot mails, pasted excerpts).
const KERNEL_LINE =
  /\[\s*\+?\d+\.\d{3,9}\]|\[\s*[TC]\d+\]|^(?:> ?)*<\d>|\bkernel: |Linux version |Call Trace:|Hardware name:|\bRIP: |\bBUG: |WARNING: |INFO: |Kernel panic|lockdep|\bOops\b|CPU: \d+ PID: \d+/m;

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

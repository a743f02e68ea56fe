import type { EventLine } from './event-line.js';
import { nameAndPayload, newEventLine } from './event-line.js';
import { isBlank, isDigit, parseUint } from './scan.js';
import { parseTimestampNs } from './timestamp.js';

/**
 * Latency-format lines, where the CPU is glued to the flags and there is no
 * `[cpu]` column. Read as whitespace tokens (at most the first 10), so each
 * regex below sees one short token:
 *   trace-cmd -l:       `      <idle>-0       0d.h1. 106467.859747: function:             ktime_get <-- tick_check_idle`
 *   kernel latency fmt: `      ps-6143    2d..1  259us+: trace_hardirqs_on <-_raw_spin_unlock_irqrestore`
 *                       `      ps-6143    2d..1  306us : <stack trace>`
 *   ftrace_dump_on_oops:`[ 1295.168496]    <...>-67423  10dNh1 382171111us : lock_acquire: ffffffff81c5c940 read rcu_read_lock`
 * Kernel latency timestamps are µs relative to the trace start.
 */
export const LATENCY_TOKENS = {
  // `106467.859747:`
  absTs: /^(\d+(?:\.\d+)?):$/,
  // `0us!:` / `259us+:` / `382171111us`
  relTs: /^(\d+)us[!#@*+$]?(:?)$/,
  // `2d..1` / `0d.h1.` / `10dNh1`
  cpuFlags: /^(\d+)(\D\S*)?$/,
  // `[ 1295.168496]` console prefix
  dmesg: /^\[\s*\d+\.\d+\]/,
} as const;

export function parseLatencyLine(s: string): EventLine | null {
  let base = 0;
  if (s.charCodeAt(0) === 0x5b /* [ */) {
    const m = LATENCY_TOKENS.dmesg.exec(s.slice(0, 24));
    if (!m) return null;
    base = m[0].length;
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let i = base;
  const limit = Math.min(s.length, base + 200);
  while (i < limit && starts.length < 10) {
    while (i < limit && isBlank(s.charCodeAt(i))) i++;
    if (i >= limit) break;
    const st = i;
    while (i < s.length && !isBlank(s.charCodeAt(i))) i++;
    starts.push(st);
    ends.push(i);
  }
  for (let k = 2; k < starts.length; k++) {
    const tok = s.slice(starts[k]!, ends[k]!);
    let ts = -1;
    let payloadFrom = -1;
    const abs = LATENCY_TOKENS.absTs.exec(tok);
    if (abs) {
      ts = parseTimestampNs(abs[1]!, 0, abs[1]!.length);
      payloadFrom = ends[k]!;
    } else {
      const rel = LATENCY_TOKENS.relTs.exec(tok);
      if (rel) {
        if (rel[2] === ':') payloadFrom = ends[k]!;
        else if (
          k + 1 < starts.length &&
          ends[k + 1]! - starts[k + 1]! === 1 &&
          s.charCodeAt(starts[k + 1]!) === 0x3a
        )
          payloadFrom = ends[k + 1]!;
        if (payloadFrom >= 0) ts = parseUint(rel[1]!, 0, rel[1]!.length) * 1000;
      }
    }
    if (ts < 0 || payloadFrom < 0) continue;
    const cf = LATENCY_TOKENS.cpuFlags.exec(s.slice(starts[k - 1]!, ends[k - 1]!));
    if (!cf) return null;
    const commPid = s.slice(starts[0]!, ends[k - 2]!);
    const dash = commPid.lastIndexOf('-');
    if (dash <= 0 || !isDigit(commPid.charCodeAt(dash + 1))) return null;
    const pid = parseUint(commPid, dash + 1, commPid.length);
    if (pid < 0) return null;
    let p = payloadFrom;
    while (p < s.length && isBlank(s.charCodeAt(p))) p++;
    const ev = newEventLine();
    ev.commStart = starts[0]!;
    ev.commEnd = starts[0]! + dash;
    ev.pid = pid;
    ev.cpu = parseUint(cf[1]!, 0, cf[1]!.length);
    ev.flags = cf[2] ?? null;
    ev.ts = ts;
    return nameAndPayload(s, p, ev) ? ev : null;
  }
  return null;
}

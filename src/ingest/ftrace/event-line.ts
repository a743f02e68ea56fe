import {
  hashRegion,
  isBlank,
  isDigit,
  isIdentChar,
  parseUint,
  RegionCache,
  regionEquals,
  skipBlanks,
} from './scan.js';
import { parseTimestampNs } from './timestamp.js';

/**
 * The common part of an event line, read by hand (no regex) because every
 * line of a trace goes through here:
 *
 *   tracefs ≥5.10:  `     kworker/1:1-29      [001] d..1.     8.519758: drm_vblank_event_delivered: file=…`
 *   TGID column:    `           <...>-19161 (-----) [001] ...1 683201.354908: tracing_mark_write: …`
 *   no flags:       `          atrace-14662 [000] 50260.647576: sched_switch: prev_comm=…`
 *   trace-cmd:      `           sleep-89142 [001] ..... 162573.215755: lock_release:         0xffffffff855e7448 trace_types_lock`
 *   --ts-diff:      `           sleep-89142 [001] ...1. 162573.215754: (+2)     function: …`
 *   function:       `           drmfb-397     [000] .....    60.838503: drm_gem_shmem_fault <-__do_fault`
 *
 * The comm may hold spaces and dashes: it is everything before the LAST
 * `-<pid>` that precedes the `[cpu]` column.
 */
export interface EventLine {
  /** The comm is s[commStart, commEnd) (offsets, so a known comm costs no allocation). */
  commStart: number;
  commEnd: number;
  pid: number;
  tgid: number | null;
  cpu: number;
  flags: string | null;
  ts: number;
  /**
   * Event name as printed (`lock_acquire`, `tracing_mark_write`, `function`
   * for function-tracer lines), or '' when it is s[nameStart, nameEnd) with
   * the hash `nameHash` (resolved by the caller's cache without a slice).
   */
  name: string;
  nameStart: number;
  nameEnd: number;
  nameHash: number;
  /** Index in the line where the payload starts. */
  payloadStart: number;
}

export function newEventLine(): EventLine {
  return {
    commStart: 0,
    commEnd: 0,
    pid: 0,
    tgid: null,
    cpu: 0,
    flags: null,
    ts: 0,
    name: '',
    nameStart: 0,
    nameEnd: 0,
    nameHash: 0,
    payloadStart: 0,
  };
}

/** The `[cpu]` column is searched only this far into a line (comm ≤ 16 + prefixes such as a full Android comm). */
export const MAX_HEAD = 256;

/** The few distinct latency-flag columns of a trace (`d..1.`), shared rather than sliced per line. */
export const FLAGS = new RegionCache<null>(1024);

/** The flags column last read (consecutive lines mostly share it: one compare, no hash). */
let lastFlags = '';

function flagsAt(s: string, start: number, end: number): string {
  if (lastFlags.length === end - start && regionEquals(s, start, lastFlags)) return lastFlags;
  const h = hashRegion(s, start, end);
  lastFlags = (FLAGS.find(s, start, end, h) ?? FLAGS.add(s, start, end, h, null)).key;
  return lastFlags;
}

/**
 * Fills `ev` (reused between lines) from the line s[start, end) (offsets in
 * `ev` are into s, so a whole decoded chunk can be read without slicing each
 * line); false when it is not an event line of these dialects.
 */
export function parseEventLine(s: string, ev: EventLine, start = 0, end = s.length): boolean {
  let from = start;
  const limit = Math.min(end, start + MAX_HEAD);
  for (;;) {
    const b = s.indexOf('[', from);
    if (b < 0 || b >= limit) return false;
    if (parseAtBracket(s, b, ev, start, end)) return true;
    from = b + 1;
  }
}

function parseAtBracket(s: string, b: number, ev: EventLine, start: number, n: number): boolean {
  if (b === start || !isBlank(s.charCodeAt(b - 1))) return false;
  let i = b + 1;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === b + 1 || s.charCodeAt(i) !== 0x5d /* ] */ || i - b > 6) return false;
  const cpu = parseUint(s, b + 1, i);
  const afterCpu = i + 1;

  // Backwards: optional `(tgid)`, then `comm-pid`.
  let e = b - 1;
  while (e > start && isBlank(s.charCodeAt(e))) e--;
  let tgid: number | null = null;
  if (s.charCodeAt(e) === 0x29 /* ) */) {
    const open = s.lastIndexOf('(', e);
    if (open < start || e - open > 12) return false;
    const inner = s.slice(open + 1, e).trim();
    if (inner !== '' && !/^-+$/.test(inner)) {
      tgid = parseUint(inner, 0, inner.length);
      if (tgid < 0) return false;
    }
    e = open - 1;
    while (e > start && isBlank(s.charCodeAt(e))) e--;
  }
  const pidEnd = e + 1;
  while (e >= start && isDigit(s.charCodeAt(e))) e--;
  if (e + 1 === pidEnd || e < start || s.charCodeAt(e) !== 0x2d /* - */) return false;
  const pid = parseUint(s, e + 1, pidEnd);
  const commStart = skipBlanks(s, start, e);

  // Forwards: optional flags, then the timestamp and `: `.
  i = skipBlanks(s, afterCpu, n);
  if (i === afterCpu) return false;
  let t = i;
  while (t < n && !isBlank(s.charCodeAt(t))) t++;
  let flags: string | null = null;
  let ts = s.charCodeAt(t - 1) === 0x3a /* : */ ? parseTimestampNs(s, i, t - 1) : -1;
  if (ts < 0) {
    if (t - i > 8) return false;
    flags = flagsAt(s, i, t);
    i = skipBlanks(s, t, n);
    t = i;
    while (t < n && !isBlank(s.charCodeAt(t))) t++;
    if (s.charCodeAt(t - 1) !== 0x3a) return false;
    ts = parseTimestampNs(s, i, t - 1);
    if (ts < 0) return false;
  }
  let p = skipBlanks(s, t, n);
  // trace-cmd --ts-diff: `(+2)` between the timestamp and the event name.
  if (s.charCodeAt(p) === 0x28 && s.charCodeAt(p + 1) === 0x2b) {
    const close = s.indexOf(')', p);
    if (close > 0 && close < n && close - p < 32) p = skipBlanks(s, close + 1, n);
  }
  ev.commStart = commStart;
  ev.commEnd = e;
  ev.pid = pid;
  ev.tgid = tgid;
  ev.cpu = cpu;
  ev.flags = flags;
  ev.ts = ts;
  return nameAndPayload(s, p, ev, n);
}

/**
 * After `ts: `: `name: payload` (trace-cmd pads the name to 20 columns),
 * `func <-parent` (function tracer), `<stack trace>`, `sys_x(args)` /
 * `sys_x -> 0x0` (syscalls), or an empty payload. Sets `ev.name` and
 * `ev.payloadStart`; false when the text after the timestamp is none of these.
 */
export function nameAndPayload(s: string, p: number, ev: EventLine, n = s.length): boolean {
  if (p >= n) {
    ev.name = '';
    ev.nameStart = n;
    ev.nameEnd = n;
    ev.payloadStart = n;
    return true;
  }
  const c0 = s.charCodeAt(p);
  if (c0 === 0x3c /* < */) {
    if (s.startsWith('<stack trace>', p)) return set(ev, 'kernel_stack', p);
    if (s.startsWith('<user stack trace>', p)) return set(ev, 'user_stack', p);
  }
  // hwlat tracer: `#1     inner/outer(us):   11/12    ts:1581527483.343962693 count:6`
  if (c0 === 0x23 /* # */ && isDigit(s.charCodeAt(p + 1))) return set(ev, 'hwlat', p);
  let q = p;
  let h = 0;
  for (; q < n; q++) {
    const c = s.charCodeAt(q);
    if (!isIdentChar(c)) break;
    h = (Math.imul(h, 31) + c) | 0;
  }
  if (q > p) {
    const c = s.charCodeAt(q);
    let payloadStart = -1;
    if (c === 0x3a /* : */ && (q + 1 === n || isBlank(s.charCodeAt(q + 1))))
      payloadStart = skipBlanks(s, q + 1, n);
    else if (c === 0x28 /* ( */) payloadStart = q;
    else if (c === 0x20 && s.startsWith(' -> ', q)) payloadStart = q + 4;
    if (payloadStart >= 0) {
      ev.name = '';
      ev.nameStart = p;
      ev.nameEnd = q;
      ev.nameHash = h;
      ev.payloadStart = payloadStart;
      return true;
    }
  }
  // function tracer: `sym <-parent` or `sym+0x10/0x9c <-parent+0x18/0x2c`
  let r = q;
  while (r < n && !isBlank(s.charCodeAt(r))) r++;
  if (r > p && s.startsWith(' <-', r)) return set(ev, 'function', p);
  return false;
}

function set(ev: EventLine, name: string, payloadStart: number): true {
  ev.name = name;
  ev.nameStart = payloadStart;
  ev.nameEnd = payloadStart;
  ev.nameHash = 0;
  ev.payloadStart = payloadStart;
  return true;
}

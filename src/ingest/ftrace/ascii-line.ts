import { type EventLine, FLAGS, MAX_HEAD } from './event-line.js';
import { LineHeads } from './line-heads.js';
import { hashBytes, IDENT, isBlank, viewOf } from './scan.js';

/** The line prefixes read so far (a function of the bytes alone: shared by every reader on this thread). */
const heads = new LineHeads();

/**
 * The fast path of the event-line reader: nearly every line of a large trace
 * is `comm-pid [cpu] flags ts: name: payload` (tracefs ≥ 4.x, trace-cmd
 * report with or without the flags column), or a function tracer line:
 *
 *   `           drmfb-76      [001] ...1.     3.810376: lock_release: ffffffff81ac7f00 fs_reclaim`
 *   `           drmfb-330   [001]    34.665471: virtio_gpu_cmd_queue: vdev=0 vq=0 name=ffffffffc05dfe7a …`
 *   `           drmfb-397     [000] .....    60.838503: drm_gem_shmem_fault <-__do_fault`
 *
 * It reads the bytes of an all-ASCII chunk (u[i] is the decoded text's
 * charCodeAt(i), so offsets are shared), which is cheaper than reading the
 * string, and fills `ev` exactly as parseEventLine does; false on anything
 * else (TGID column, counter clock, `--ts-diff`, syscalls, stacks, a
 * `[` inside the comm…), which parseEventLine then reads.
 * test/ingest/ftrace/event-line.test.ts checks both agree on every fixture line.
 */
export function readAsciiEventLine(u: Uint8Array, ev: EventLine, start: number, n: number): boolean {
  const tsEnd = readAsciiHead(u, ev, start, n);
  return tsEnd >= 0 && readAsciiName(u, ev, tsEnd, n);
}

/**
 * The first half of readAsciiEventLine: `comm-pid [cpu] flags ts:` into ev (comm, pid, tgid,
 * CPU, flags, ts); returns where the timestamp's `:` is, or −1 when the line is not one it reads
 * (readAsciiName then reads the rest).
 */
export function readAsciiHead(u: Uint8Array, ev: EventLine, start: number, n: number): number {
  // A line whose `comm-pid [cpu] flags ` prefix is one read before: one compare of its bytes.
  const dv = viewOf(u);
  const known = heads.match(dv, ev, start, n);
  if (known >= 0) {
    const tsEnd = secFrac(u, known, n, ev);
    if (tsEnd >= 0) return tsEnd;
  }
  // the first `[` (a plain loop: cheaper than the builtin indexOf this close to the start),
  // after the comm's padding (read once: it is also where the comm starts)
  const limit = Math.min(n, start + MAX_HEAD);
  const commStart = skipBlanks(u, start, limit);
  let b = commStart;
  while (b < limit && u[b] !== 0x5b /* [ */) b++;
  if (b <= start || b >= limit || !isBlank(u[b - 1]!)) return -1;
  // `[cpu]`: 1 to 5 digits.
  let i = b + 1;
  let cpu = 0;
  while (i < n) {
    const c = u[i]!;
    if (c < 0x30 || c > 0x39) break;
    cpu = cpu * 10 + (c - 0x30);
    i++;
  }
  if (i === b + 1 || i - b > 6 || i >= n || u[i] !== 0x5d /* ] */) return -1;
  // Backwards: blanks, pid (at most 9 digits), `-`, the comm.
  let e = b - 1;
  while (e > start && isBlank(u[e]!)) e--;
  const pidEnd = e + 1;
  let pid = 0;
  let scale = 1;
  while (e >= start) {
    const c = u[e]!;
    if (c < 0x30 || c > 0x39) break;
    pid += (c - 0x30) * scale;
    scale *= 10;
    e--;
  }
  if (e + 1 === pidEnd || pidEnd - e > 10 || e < start || u[e] !== 0x2d /* - */) return -1;
  // Forwards: blanks, then `ts: `, or flags (1 to 8 characters, not ending in `:`), blanks and `ts: `.
  i++;
  const f = skipBlanks(u, i, n);
  if (f === i) return -1;
  let flags: string | null = null;
  let ts = f;
  let tsEnd = secFrac(u, f, n, ev);
  if (tsEnd < 0) {
    let t = f;
    while (t < n && !isBlank(u[t]!)) t++;
    if (t - f > 8 || u[t - 1] === 0x3a /* : */) return -1;
    ts = skipBlanks(u, t, n);
    tsEnd = secFrac(u, ts, n, ev);
    if (tsEnd < 0) return -1;
    flags = flagsAt(u, f, t);
  }
  ev.commStart = Math.min(commStart, e);
  ev.commEnd = e;
  ev.pid = pid;
  ev.tgid = null;
  ev.cpu = cpu;
  ev.flags = flags;
  heads.keep(dv, ev, start, ts);
  return tsEnd;
}

/**
 * After the timestamp's `:` at u[tsEnd]: `name: ` (the event name is `[A-Za-z0-9_.]+`) and where
 * the payload starts, or a function tracer's `func <-parent`.
 */
export function readAsciiName(u: Uint8Array, ev: EventLine, tsEnd: number, n: number): boolean {
  const p = skipBlanks(u, tsEnd + 1, n);
  if (p >= n) return false;
  let q = p;
  let h = 0;
  for (; q < n; q++) {
    const c = u[q]!;
    if (IDENT[c] === 0) break;
    h = (Math.imul(h, 31) + c) | 0;
  }
  if (q === p || q >= n) return false;
  if (u[q] !== 0x3a /* : */ || (q + 1 < n && !isBlank(u[q + 1]!))) {
    // function tracer: `drm_gem_shmem_fault+0x10/0x9c <-__do_fault+0x3c/0x1a0` (as nameAndPayload reads it)
    if (
      u[q] === 0x28 /* ( */ ||
      (u[q] === 0x20 && u[q + 1] === 0x2d && u[q + 2] === 0x3e && u[q + 3] === 0x20)
    )
      return false; // a syscall, `sys_x(args)` or `sys_x -> 0x0`: the general reader's
    let r = q;
    while (r < n && !isBlank(u[r]!)) r++;
    if (r + 2 >= n || u[r] !== 0x20 || u[r + 1] !== 0x3c /* < */ || u[r + 2] !== 0x2d /* - */) return false;
    ev.name = 'function';
    ev.nameStart = p;
    ev.nameEnd = p;
    ev.nameHash = 0;
    ev.payloadStart = p;
    return true;
  }
  ev.name = '';
  ev.nameStart = p;
  ev.nameEnd = q;
  ev.nameHash = h;
  ev.payloadStart = skipBlanks(u, q + 1, n);
  return true;
}

function skipBlanks(u: Uint8Array, i: number, end: number): number {
  while (i < end && isBlank(u[i]!)) i++;
  return i;
}

/**
 * The flags columns seen, direct-mapped by their bytes packed into two words (a column has 1 to 8
 * characters): the few distinct columns of a trace alternate from line to line (`.....`, `d..1.`),
 * and a hit costs a few loads and compares, no hash of the bytes and no Map lookup.
 */
const FLAG_SLOTS = 64;
const flagLo = new Int32Array(FLAG_SLOTS);
const flagHi = new Int32Array(FLAG_SLOTS);
const flagText = new Array<string>(FLAG_SLOTS).fill('');

function flagsAt(u: Uint8Array, start: number, end: number): string {
  let lo = 0;
  let hi = 0;
  for (let i = start; i < end && i < start + 4; i++) lo = (lo << 8) | u[i]!;
  for (let i = start + 4; i < end; i++) hi = (hi << 8) | u[i]!;
  // with the length, the two words are the bytes: a hit is exact
  const slot = (lo ^ (lo >>> 11) ^ Math.imul(hi, 31) ^ (end - start)) & (FLAG_SLOTS - 1);
  const known = flagText[slot]!;
  if (flagLo[slot] === lo && flagHi[slot] === hi && known.length === end - start) return known;
  const h = hashBytes(u, start, end);
  const hit = FLAGS.findBytes(u, start, end, h);
  const text = hit !== undefined ? hit.key : FLAGS.add(latin1(u, start, end), 0, end - start, h, null).key;
  flagLo[slot] = lo;
  flagHi[slot] = hi;
  flagText[slot] = text;
  return text;
}

function latin1(u: Uint8Array, start: number, end: number): string {
  return Buffer.from(u.buffer, u.byteOffset + start, end - start).toString('latin1');
}

/**
 * A `sec.frac:` timestamp token at u[d] (up to 15 and 1 to 9 digits, then a
 * blank or the end of the line) in nanoseconds, as parseTimestampNs reads it,
 * into `ev.ts` (a double field: no number allocated per line, as returning it
 * would); returns where its `:` is, or -1 when the token is anything else.
 */
function secFrac(u: Uint8Array, d: number, n: number, ev: EventLine): number {
  const secStart = d;
  let secs = 0;
  while (d < n) {
    const c = u[d]!;
    if (c < 0x30 || c > 0x39) break;
    secs = secs * 10 + (c - 0x30);
    d++;
  }
  if (d === secStart || d - secStart > 15 || d >= n || u[d] !== 0x2e /* . */) return -1;
  const fracStart = ++d;
  let frac = 0;
  while (d < n) {
    const c = u[d]!;
    if (c < 0x30 || c > 0x39) break;
    frac = frac * 10 + (c - 0x30);
    d++;
  }
  const digits = d - fracStart;
  if (digits === 0 || digits > 9 || d >= n || u[d] !== 0x3a /* : */) return -1;
  if (d + 1 < n && !isBlank(u[d + 1]!)) return -1;
  ev.ts = secs * 1e9 + frac * SCALE[digits]!;
  return d;
}

/** 10^(9 − digits): a timestamp's decimals → nanoseconds (as in parseTimestampNs). */
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 10, 1];

import type { TraceEvent } from '../../model/trace-event.js';

type Fields = TraceEvent['fields'];

/**
 * The generic `key=value` reader for events without a table row, and for
 * rows whose TP_printk is a plain key=value list. Tokens are split on
 * blanks; a token's key is what precedes its first `=` (so `my_field=foo=bar`
 * keeps `foo=bar`), a trailing `,` is dropped (`crtc=0, seq=4233`), words
 * without `=` right after a value extend it (comms with spaces), tokens with
 * an invalid key (`==>`, `[timeout=10]`) are ignored. Linear in the payload.
 */
export function parseKeyValues(payload: string, out: Fields = {}): Fields {
  const n = payload.length;
  let i = 0;
  let last: string | null = null;
  while (i < n) {
    while (i < n && isSep(payload.charCodeAt(i))) i++;
    const start = i;
    let eq = -1;
    while (i < n && !isSep(payload.charCodeAt(i))) {
      if (eq < 0 && payload.charCodeAt(i) === 0x3d) eq = i;
      i++;
    }
    if (eq < 0) {
      // A word without `=` right after a value continues it: `prev_comm=Surface Flinger prev_pid=…`.
      if (last !== null && i > start) out[last] = `${out[last]} ${payload.slice(start, i)}`;
      continue;
    }
    last = null;
    if (eq === start) continue;
    const key = payload.slice(start, eq);
    if (!isKey(key)) continue;
    let end = i;
    if (end > eq + 1 && payload.charCodeAt(end - 1) === 0x2c) end--;
    out[key] = payload.slice(eq + 1, end);
    last = key;
  }
  return out;
}

function isSep(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isKey(k: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x2d ||
      c === 0x2e;
    if (!ok) return false;
  }
  return true;
}

import { isDigit } from './scan.js';

/**
 * Parses an ftrace timestamp in s[start, end) into integer nanoseconds:
 * `%5lu.%06lu` (µs, kernel and trace-cmd), `%5llu.%09llu` (trace-cmd `-t`),
 * or `%12llu` (counter clocks: the raw value is returned). The decimal digits
 * are read as integers, never through a float; -1 when s[start, end) is not
 * a timestamp.
 */
export function parseTimestampNs(s: string, start: number, end: number): number {
  let secs = 0;
  let i = start;
  while (i < end && isDigit(s.charCodeAt(i))) {
    secs = secs * 10 + (s.charCodeAt(i) - 0x30);
    i++;
  }
  if (i === start || i - start > 15) return -1;
  if (i === end) return secs;
  if (s.charCodeAt(i) !== 0x2e) return -1;
  i++;
  const fracStart = i;
  let frac = 0;
  while (i < end && isDigit(s.charCodeAt(i))) {
    frac = frac * 10 + (s.charCodeAt(i) - 0x30);
    i++;
  }
  const digits = i - fracStart;
  if (i !== end || digits === 0 || digits > 9) return -1;
  return secs * 1e9 + frac * SCALE[digits]!;
}

const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 10, 1];

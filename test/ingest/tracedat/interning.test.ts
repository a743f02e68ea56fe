import { describe, expect, it } from 'vitest';
import { copyRange, equalsRange, HexCache, StringInterner } from '../../../src/ingest/tracedat/interning.js';

describe('StringInterner', () => {
  it('returns the same string object for the same bytes, and never confuses near-equal ones', () => {
    const s = new StringInterner();
    const buf = Buffer.from('lab_shrinker_lock\0lab_shrinker_lock\0lab_shrimker_lock\0ab\0cdefgh\0');
    const a = s.cstring(buf, 0, 18);
    expect(a).toBe('lab_shrinker_lock');
    expect(s.cstring(buf, 18, 36)).toBe(a);
    // same length, same first and last words: only the middle differs
    expect(s.cstring(buf, 36, 54)).toBe('lab_shrimker_lock');
    expect(s.cstring(buf, 0, 18)).toBe('lab_shrinker_lock');
    // a NUL inside the range ends the string
    expect(s.cstring(buf, 54, 63)).toBe('ab');
    expect(s.get(buf, 0, 17)).toBe('lab_shrinker_lock');
  });

  it('handles short, long and unterminated ranges', () => {
    const s = new StringInterner();
    const long = 'x'.repeat(100);
    const buf = Buffer.from(`ab${long}`);
    expect(s.cstring(buf, 0, 2)).toBe('ab');
    expect(s.cstring(buf, 2, 102)).toBe(long);
    expect(s.cstring(buf, 0, 0)).toBe('');
  });
});

describe('HexCache', () => {
  it('prints pointers as tracefs does: lower-case hex, no 0x, no leading zeros', () => {
    const h = new HexCache();
    expect(h.hex(0xffffffff, 0xa0002250)).toBe('ffffffffa0002250');
    expect(h.hex(0xff43ba17, 0x0c18f2c30 >>> 0)).toBe('ff43ba17c18f2c30');
    expect(h.hex(0, 0x20)).toBe('20');
    expect(h.hex(1, 0x20)).toBe('100000020');
    expect(h.hex(0, 0)).toBe('0');
  });
});

describe('equalsRange', () => {
  it('compares a copy with a byte range, down to a difference in the last byte', () => {
    const buf = Buffer.from('lab_shrinker_lock\0\0\0lab_shrinker_lock\0\0\0lab_shrinker_loce\0\0\0rcu\0');
    const copy = copyRange(buf, 0, 18);
    const cases = [
      [20, 38, true], // the same 18 bytes (4 words and 2 bytes)
      [40, 58, false], // one byte differs in the tail
      [20, 37, false], // another length
      [60, 64, false],
    ] as const;
    for (const [start, end, same] of cases)
      expect([start, equalsRange(copy, buf, start, end)]).toEqual([start, same]);
    expect(equalsRange(copyRange(buf, 60, 64), buf, 60, 64)).toBe(true);
  });
});

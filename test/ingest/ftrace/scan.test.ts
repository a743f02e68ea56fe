import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiKey, hashBytes, hashRegion, RegionCache, sameKey } from '../../../src/ingest/ftrace/scan.js';

const ascii = fc.string({ unit: fc.constantFrom(...'ab :-_.&>0123456789\t'.split('')), maxLength: 40 });

/** s's bytes inside a larger chunk, at `pad` (as a reader of a decoded chunk sees them). */
function inChunk(s: string, pad: number): Buffer {
  return Buffer.from(`${'#'.repeat(pad)}${s}~~~`, 'latin1');
}

describe('word-wise hashes and keys over ASCII bytes', () => {
  it('hashBytes on the bytes of a text equals hashRegion on the text, at any offset and length', () => {
    fc.assert(
      fc.property(ascii, fc.nat(7), (s, pad) => {
        const u = inChunk(s, pad);
        expect(hashBytes(u, pad, pad + s.length)).toBe(hashRegion(s, 0, s.length));
        expect(hashRegion(`xy${s}`, 2, 2 + s.length)).toBe(hashRegion(s, 0, s.length));
      }),
      { numRuns: 2000 },
    );
  });

  it('sameKey is true exactly when the bytes at pos are the key text', () => {
    fc.assert(
      fc.property(ascii, ascii, fc.nat(7), (s, t, pad) => {
        const u = inChunk(s, pad);
        const key = asciiKey(t)!;
        expect(key[0]).toBe(t.length);
        const expected = `${s}~~~`.startsWith(t);
        expect(sameKey(u, pad, key)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    // one byte changed anywhere in a text of each length 0..12 is found
    for (let n = 0; n <= 12; n++) {
      const t = 'abcdefghijkl'.slice(0, n);
      const key = asciiKey(t)!;
      expect(sameKey(Buffer.from(t, 'latin1'), 0, key)).toBe(true);
      for (let i = 0; i < n; i++)
        expect(sameKey(Buffer.from(`${t.slice(0, i)}Z${t.slice(i + 1)}`, 'latin1'), 0, key)).toBe(false);
      expect(sameKey(Buffer.from(t.slice(0, Math.max(0, n - 1)), 'latin1'), 0, key)).toBe(n === 0);
    }
  });

  it('asciiKey is null for text that is not all ASCII', () => {
    expect(asciiKey('lock→name')).toBeNull();
    expect(asciiKey('é')).toBeNull();
    expect(Array.from(asciiKey('')!)).toEqual([0, 0]);
  });

  it('a RegionCache finds by bytes what it was given as text, and the other way round', () => {
    fc.assert(
      fc.property(fc.uniqueArray(ascii, { maxLength: 30 }), fc.nat(5), (texts, pad) => {
        const cache = new RegionCache<number>();
        texts.forEach((t, i) => {
          if (i % 2 === 0) cache.add(`..${t}`, 2, 2 + t.length, hashRegion(t, 0, t.length), i);
          else {
            const u = inChunk(t, pad);
            expect(cache.lookup('', u, pad, pad + t.length)).toBeUndefined();
            cache.add(u.toString('latin1'), pad, pad + t.length, cache.missHash, i);
          }
        });
        texts.forEach((t, i) => {
          const u = inChunk(t, pad);
          expect(cache.lookup(u.toString('latin1'), u, pad, pad + t.length)?.value).toBe(i);
          expect(cache.lookup(`!${t}`, null, 1, 1 + t.length)?.value).toBe(i);
        });
      }),
      { numRuns: 300 },
    );
  });
});

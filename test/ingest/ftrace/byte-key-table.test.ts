import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteKeyTable } from '../../../src/ingest/ftrace/byte-key-table.js';

const key = fc.string({ unit: fc.constantFrom(...'ab :-_&>0123456789'.split('')), maxLength: 24 });

/** The key's bytes inside a larger chunk at `pad`, as the text reader looks them up. */
function lookup<V>(t: ByteKeyTable<V>, k: string, pad: number): { u: Buffer; hit: V | undefined } {
  const u = Buffer.from(`${'#'.repeat(pad)}${k}~~`, 'latin1');
  return { u, hit: t.lookup(u, pad, pad + k.length) };
}

describe('ByteKeyTable', () => {
  it('finds exactly what was added, as a Map of the texts would, at any offset', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.nat(6)), { maxLength: 200 }), (ops) => {
        const table = new ByteKeyTable<number>();
        const model = new Map<string, number>();
        ops.forEach(([k, pad], i) => {
          const { u, hit } = lookup(table, k, pad);
          expect(hit).toBe(model.get(k));
          if (hit === undefined) {
            table.add(u, pad, pad + k.length, table.missHash, i);
            model.set(k, i);
          }
        });
        for (const [k, v] of model) expect(lookup(table, k, 3).hit).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart keys of one length that differ only in their last bytes (the word that ends them)', () => {
    for (const [a, b] of [
      ['abcde', 'abcdf'],
      ['abcdefg', 'abcdefh'],
      ['ab', 'ac'],
      ['abcd', 'abce'],
    ] as const) {
      const table = new ByteKeyTable<string>();
      const { u } = lookup(table, a, 1);
      table.add(u, 1, 1 + a.length, table.missHash, a);
      expect(lookup(table, a, 2).hit).toBe(a); // now the last one found
      expect(lookup(table, b, 2).hit).toBeUndefined();
    }
  });

  it('grows past its first buckets and arena, and starts over once `limit` entries are in', () => {
    const table = new ByteKeyTable<number>(5000);
    const text = (i: number) => ` lock_acquire: ffff8880${String(i).padStart(8, '0')} &lock_${i % 97}`;
    for (let i = 0; i < 5000; i++) {
      const { u, hit } = lookup(table, text(i), i % 5);
      expect(hit).toBeUndefined();
      table.add(u, i % 5, (i % 5) + text(i).length, table.missHash, i);
    }
    for (let i = 0; i < 5000; i += 7) expect(lookup(table, text(i), 1).hit).toBe(i);
    // the 5001st entry clears the table first
    const { u } = lookup(table, 'new', 0);
    table.add(u, 0, 3, table.missHash, -1);
    expect(lookup(table, text(0), 0).hit).toBeUndefined();
    expect(lookup(table, 'new', 2).hit).toBe(-1);
  });
});

import { describe, expect, it } from 'vitest';
import { NameSlots } from '../../../src/ingest/tracedat/name-slots.js';

/** `text` NUL-terminated at byte `at` of a buffer of `size` bytes (`words` its word view). */
function placed(text: string, at: number, size = 64) {
  const buf = Buffer.alloc(size, 0x5a); // not zero: bytes past a name must not count
  buf.write(`${text}\0`, at, 'latin1');
  return {
    buf,
    words: new Int32Array(buf.buffer, buf.byteOffset, size >> 2),
    start: at,
    end: at + text.length + 1,
  };
}

describe('NameSlots', () => {
  it('finds a name by its pointer slot and by its bytes, aligned or not, whatever follows it', () => {
    const slots = new NameSlots();
    const a = placed('lab_shrinker_lock', 8); // 18 bytes: 4 words and 2 bytes
    expect(slots.find(7, a.buf, a.words, a.start, a.end)).toBe(-1);
    slots.store(7, a.buf, a.start, a.end, 42);
    expect(slots.find(7, a.buf, a.words, a.start, a.end)).toBe(42);
    // another pointer slot: found by the bytes' hash (then remembered in that pointer slot)
    const b = placed('lab_shrinker_lock', 20);
    expect(slots.find(9, b.buf, b.words, b.start, b.end)).toBe(42);
    expect(slots.find(-1, b.buf, b.words, b.start, b.end)).toBe(42);
    // unaligned, and without a word view
    const c = placed('lab_shrinker_lock', 21);
    expect(slots.find(9, c.buf, c.words, c.start, c.end)).toBe(42);
    expect(slots.find(9, a.buf, new Int32Array(0), a.start, a.end)).toBe(42);
    // an aligned name ending on the last byte of a buffer of 62 bytes: its partial last word is
    // not a whole word of the buffer (the byte loop)
    const d = placed('lab_shrinker_lock', 44, 62);
    expect([d.end, d.words.length]).toEqual([62, 15]);
    expect(slots.find(3, d.buf, d.words, d.start, d.end)).toBe(42);
  });

  it('never confuses names that differ in one byte of the last word, or in length', () => {
    const slots = new NameSlots();
    const a = placed('lab_shrinker_lock', 0);
    slots.store(1, a.buf, a.start, a.end, 1);
    for (const other of [
      'lab_shrinker_locc',
      'lab_shrinker_loc',
      'lab_shrinker_lockk',
      'mab_shrinker_lock',
    ]) {
      const o = placed(other, 0);
      expect([other, slots.find(1, o.buf, o.words, o.start, o.end)]).toEqual([other, -1]);
    }
    const rcu = placed('rcu', 4); // under a word
    slots.store(1, rcu.buf, rcu.start, rcu.end, 2);
    expect(slots.find(1, rcu.buf, rcu.words, rcu.start, rcu.end)).toBe(2);
    const rcv = placed('rcv', 4);
    expect(slots.find(1, rcv.buf, rcv.words, rcv.start, rcv.end)).toBe(-1);
  });

  it('starts over when its arena is full, with every slot empty', () => {
    const slots = new NameSlots();
    const first = placed('first_lock', 0);
    slots.store(0, first.buf, first.start, first.end, 0);
    const long = Buffer.alloc(1 << 16, 0x61);
    // 65 entries of 64 KiB fill the 4 MiB arena
    for (let i = 1; i <= 65; i++) {
      long.writeUInt32LE(i, 0);
      slots.store(i % 4096, long, 0, long.length, i);
    }
    expect(slots.find(0, first.buf, first.words, first.start, first.end)).toBe(-1);
    long.writeUInt32LE(65, 0);
    expect(
      slots.find(65, long, new Int32Array(long.buffer, long.byteOffset, long.length >> 2), 0, long.length),
    ).toBe(65);
  });
});

import { describe, expect, it } from 'vitest';
import * as calls from '../../src/util/string-calls.js';

// Strings of the kinds a console line comes as: a slice of a longer piece, a short copy, a joined
// (cons) string, a literal, two-byte text, empty.
const piece =
  `[    3.663795]  #0: ffffffffa0002110 (lab_lock_b){+.+.}-{3:3}, at: lab_abba+0x47/0x6d  \n`.repeat(4);
const sliced = piece.slice(15, piece.indexOf('\n'));
const joined = `${sliced} at: lab_init+0x70/0x1000 [lab_lockdep]`;
const KINDS = [
  '',
  '  ',
  'Call Trace:',
  sliced,
  joined,
  ' lock(&o->lock);\u00a0',
  ' éçà <IRQ> ',
  sliced.slice(2),
  sliced.slice(1, 6),
];

describe('string calls through String.prototype', () => {
  it('give what the methods give, on every kind of string', () => {
    for (const s of KINDS) {
      for (const i of [0, 1, s.length - 1, s.length, -1])
        expect(calls.charCodeAt(s, i)).toEqual(s.charCodeAt(i));
      for (const p of ['', ' ', '#0:', 'at:', 'lock', 'Call', 'zz']) {
        expect(calls.startsWith(s, p)).toBe(s.startsWith(p));
        expect(calls.startsWith(s, p, 2)).toBe(s.startsWith(p, 2));
        expect(calls.endsWith(s, p)).toBe(s.endsWith(p));
        expect(calls.includes(s, p)).toBe(s.includes(p));
        expect(calls.indexOf(s, p)).toBe(s.indexOf(p));
        expect(calls.indexOf(s, p, 3)).toBe(s.indexOf(p, 3));
      }
      expect(calls.trim(s)).toBe(s.trim());
      expect(calls.trimStart(s)).toBe(s.trimStart());
      expect(calls.trimEnd(s)).toBe(s.trimEnd());
    }
  });

  it('read the line of the example exactly', () => {
    expect(calls.trim(sliced)).toBe('#0: ffffffffa0002110 (lab_lock_b){+.+.}-{3:3}, at: lab_abba+0x47/0x6d');
    expect(calls.indexOf(joined, 'at: lab_init')).toBe(joined.length - 38);
    expect(calls.charCodeAt('', 0)).toBeNaN();
  });
});

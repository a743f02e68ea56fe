import { describe, expect, it } from 'vitest';
import { readAsciiEventLine } from '../../../src/ingest/ftrace/ascii-line.js';
import { newEventLine, parseEventLine } from '../../../src/ingest/ftrace/event-line.js';
import { LineHeads } from '../../../src/ingest/ftrace/line-heads.js';

const LINE =
  '            init-1       [000] ...2.     3.381879: contention_begin: ffffffff81ab1160 (flags=SPIN|MUTEX)';
/** Where the timestamp starts in LINE: its prefix is 42 bytes. */
const TS = LINE.indexOf('3.381879');

function view(s: string): { u: Buffer; dv: DataView } {
  const u = Buffer.from(s, 'latin1');
  return { u, dv: new DataView(u.buffer, u.byteOffset, u.byteLength) };
}

/** A LineHeads that has kept LINE's prefix (after the byte reader read it in full). */
function keptLine(): LineHeads {
  const heads = new LineHeads();
  const { u, dv } = view(LINE);
  const ev = newEventLine();
  expect(parseEventLine(LINE, ev)).toBe(true);
  expect(u.length).toBe(LINE.length);
  heads.keep(dv, ev, 0, TS);
  return heads;
}

describe('LineHeads', () => {
  it('gives a kept prefix back for a line that starts with its bytes, wherever the line sits', () => {
    const heads = keptLine();
    const other =
      '            init-1       [000] ...2.     4.000001: lock_release: ffffffff81ab1160 fs_reclaim';
    const { dv } = view(`xyz\n${other}\n`);
    const ev = newEventLine();
    expect(heads.match(dv, ev, 4, 4 + other.length)).toBe(4 + TS);
    expect([ev.commStart, ev.commEnd, ev.pid, ev.tgid, ev.cpu, ev.flags]).toEqual([
      16,
      20,
      1,
      null,
      0,
      '...2.',
    ]);
  });

  it('declines a line that differs from the prefix in any one byte, or ends inside it', () => {
    const heads = keptLine();
    for (let at = 0; at < TS; at++) {
      const changed = `${LINE.slice(0, at)}${LINE[at] === ' ' ? 'x' : ' '}${LINE.slice(at + 1)}`;
      const { dv } = view(changed);
      expect(heads.match(dv, newEventLine(), 0, changed.length), `byte ${at}`).toBe(-1);
    }
    const { dv } = view(LINE);
    expect(heads.match(dv, newEventLine(), 0, TS)).toBe(-1);
    expect(heads.match(dv, newEventLine(), 0, TS + 1)).toBe(TS);
  });

  it('keeps no prefix shorter than its slot words or longer than 64 bytes', () => {
    const heads = new LineHeads();
    const short = '  drmfb-76 [001] ...1. 3.810376: lock_release: ffffffff81ac7f00 fs_reclaim';
    const { u, dv } = view(short);
    const ev = newEventLine();
    expect(readAsciiEventLine(u, ev, 0, u.length)).toBe(true);
    heads.keep(dv, ev, 0, short.indexOf('3.8'));
    expect(heads.match(dv, newEventLine(), 0, u.length)).toBe(-1);
  });

  it('leaves the byte reader exact when a line shares a kept prefix but not what follows', () => {
    // read LINE first (its prefix kept), then lines that match the prefix and differ after it
    const variants = [
      LINE,
      LINE.replace('     3.381879', '      3.381879'), // one more blank: the timestamp moves
      LINE.replace('3.381879:', '3.381879 :'),
      LINE.replace('3.381879: contention_begin:', '3.381879: contention_begin'),
      LINE.replace('3.381879: contention_begin: ffffffff81ab1160 (flags=SPIN|MUTEX)', '3.381879: foo <-bar'),
      LINE.replace('3.381879', '3x381879'),
      LINE.slice(0, TS + 9),
    ];
    const taken = variants.map((line) => {
      const { u } = view(line);
      const a = newEventLine();
      const b = newEventLine();
      const fast = readAsciiEventLine(u, a, 0, u.length);
      if (fast) {
        expect(parseEventLine(line, b), line).toBe(true);
        expect(a, line).toEqual(b);
      }
      return fast;
    });
    // as the reader without kept prefixes takes them (the last, `ts:` and nothing after, is the general reader's)
    expect(taken).toEqual([true, true, false, false, true, false, false]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LineSkipper, LineSplitter } from '../../src/ingest/line-splitter.js';

function splitAll(chunks: Uint8Array[]): string[] {
  const s = new LineSplitter();
  const out = chunks.flatMap((c) => s.push(c));
  out.push(...s.end());
  return out.map((l) => `${l.line}:${l.text}`);
}

describe('LineSplitter', () => {
  it('numbers lines, drops CRLF and keeps a last line without newline', () => {
    expect(splitAll([Buffer.from('a\r\nb\n\nc')])).toEqual(['1:a', '2:b', '3:', '4:c']);
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    expect(splitAll([Buffer.from([0x61, 0xff, 0x0a])])).toEqual(['1:a\ufffd']);
  });

  it('gives the same lines wherever the chunks split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 6 }),
        (bytes, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let prev = 0;
          for (const p of points) {
            chunks.push(bytes.subarray(prev, p));
            prev = p;
          }
          chunks.push(bytes.subarray(prev));
          expect(splitAll(chunks)).toEqual(splitAll([bytes]));
        },
      ),
    );
  });

  it('marks clean only the lines without a control character, wherever the chunk splits', () => {
    const text = 'a\r\nb\x1b[0m c\nd\n\x00e\nf\r\ng';
    const expected = [
      { text: 'a', line: 1, clean: true },
      { text: 'b\x1b[0m c', line: 2, clean: false },
      { text: 'd', line: 3, clean: true },
      { text: '\x00e', line: 4, clean: false },
      { text: 'f', line: 5, clean: true },
      { text: 'g', line: 6, clean: false },
    ];
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new LineSplitter();
      const lines = [
        ...s.push(Buffer.from(text.slice(0, cut), 'latin1')),
        ...s.push(Buffer.from(text.slice(cut), 'latin1')),
        ...s.end(),
      ];
      expect(lines.map((l) => l.text)).toEqual(expected.map((l) => l.text));
      // A cut inside a line may only make it unclean (the normalizer then scans it): never the reverse.
      lines.forEach((l, i) => {
        if ((expected[i] as { clean: boolean }).clean === false) expect(l.clean).toBe(false);
      });
      if (cut === 0) expect(lines).toEqual(expected);
    }
  });

  it('marks a line clean exactly when it holds no control character (pieces with and without one)', () => {
    // Bytes drawn mostly from text, newlines and CRs, with a few controls: many inputs hold none.
    const byte = fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 4, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x09) },
      { weight: 1, arbitrary: fc.constantFrom(0x00, 0x1b, 0x7f, 0x0b, 0xc3, 0xa9, 0xff) },
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 400 }), (arr) => {
        const lines = new LineSplitter().push(Uint8Array.from(arr));
        for (const l of lines) expect(l.clean).toBe(!/[\x00-\x08\x0b-\x1f\x7f]/.test(l.text));
      }),
    );
  });

  it('hands a line its bytes only when they are its characters, one for one, wherever the chunks split', () => {
    const byte = fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 3, arbitrary: fc.constantFrom(0x0a, 0x0d) },
      { weight: 1, arbitrary: fc.constantFrom(0x00, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xff) },
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 300 }), fc.nat(300), (arr, cut) => {
        const all = Uint8Array.from(arr);
        const at = cut % (all.length + 1);
        const s = new LineSplitter();
        const check = (
          text: string,
          _line: number,
          _clean: boolean,
          bytes: Uint8Array | null,
          from: number,
        ) => {
          if (bytes === null) return;
          for (let k = 0; k < text.length; k++) expect(bytes[from + k]).toBe(text.charCodeAt(k));
          // What follows the line in its bytes is its line end.
          expect([0x0a, 0x0d]).toContain(bytes[from + text.length]);
        };
        s.each(all.subarray(0, at), check);
        s.each(all.subarray(at), check);
      }),
    );
    // An ASCII chunk's lines (but the first, joined with the piece before) come with their bytes.
    const s = new LineSplitter();
    const seen: Array<[string, number]> = [];
    s.each(Buffer.from('ab'), () => {});
    s.each(Buffer.from('c\r\nd\ne\n'), (text, _l, _c, bytes, at) => seen.push([text, bytes ? at : -1]));
    expect(seen).toEqual([
      ['abc', -1],
      ['d', 3],
      ['e', 5],
    ]);
  });

  it('hands the ASCII lines of a piece that is not all ASCII their bytes, at their place in its text', () => {
    const chunk = Buffer.concat([
      Buffer.from('first\n40\u00b0C\nlab: ok\r\n'),
      Buffer.from([0x66, 0xff, 0x0a]),
      Buffer.from('end\n'),
    ]);
    const s = new LineSplitter();
    let piece = '';
    const seen: Array<[string, number]> = [];
    s.each(
      chunk,
      (text, _l, _c, bytes, at) => {
        seen.push([text, bytes ? at : -1]);
        expect(piece.slice(at, at + text.length)).toBe(text);
        if (bytes) for (let k = 0; k < text.length; k++) expect(bytes[at + k]).toBe(text.charCodeAt(k));
      },
      (text) => {
        piece = text;
      },
    );
    // The first line of such a piece, and the lines past ASCII (an invalid byte included), come without.
    expect(seen).toEqual([
      ['first', -1],
      ['40\u00b0C', -1],
      ['lab: ok', 11],
      ['f\ufffd', -1],
      ['end', 23],
    ]);
  });

  it('offers a skipper the lines of an ASCII piece: the lines it takes keep their numbers and are not handed over', () => {
    // Takes lines that start with `-`, up to the next control character.
    const offered: number[] = [];
    const skip: LineSkipper = {
      taken: 0,
      take(text, bytes, from, control) {
        offered.push(from);
        expect(bytes[from]).toBe(text.charCodeAt(from));
        let at = from;
        let n = 0;
        for (
          let nl = text.indexOf('\n', at);
          nl !== -1 && nl < control && text[at] === '-';
          nl = text.indexOf('\n', at)
        ) {
          n++;
          at = nl + 1;
        }
        this.taken = n;
        return at;
      },
    };
    const got: string[] = [];
    const s = new LineSplitter();
    const chunks = ['a\n-b\n-c\nd\n-e\x07\n-f\n', 'g', 'h\n-i\n°\n-j\n-k\n'];
    for (const c of chunks)
      s.each(Buffer.from(c), (text, line) => got.push(`${line}:${text}`), undefined, skip);
    // The second piece is the tail of a line; the third is not ASCII: offered nothing.
    expect(got).toEqual(['1:a', '4:d', '5:-e\x07', '7:gh', '8:-i', '9:°', '10:-j', '11:-k']);
    // (a line a take declined is not offered again: `d` at 8)
    expect(offered).toEqual([2, 10, 14]);
  });

  it('hands each line to a callback with each(), as push() returns them', () => {
    const s = new LineSplitter();
    const seen: string[] = [];
    s.each(Buffer.from('x\ny\nz'), (text, line) => seen.push(`${line}:${text}`));
    expect(seen).toEqual(['1:x', '2:y']);
    expect(s.end().map((l) => `${l.line}:${l.text}`)).toEqual(['3:z']);
  });

  it('reads a chunk bigger than its decoding pieces as it reads small chunks (multi-byte text, long lines)', () => {
    // Pieces of 64 KiB are cut after a newline; a line longer than a piece spans several.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++)
      lines.push(i % 7 === 0 ? `caf\u00e9 \u20ac${i}` : `[ ${i}.000000] lock #${i}`);
    lines.splice(1500, 0, 'x'.repeat(200_000), `\u20ac${'y'.repeat(70_000)}\u00e9`);
    const text = `${lines.join('\r\n')}\r\n`;
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBeGreaterThan(4 * 65536);
    const expected = lines.map((l, i) => `${i + 1}:${l}`);
    expect(splitAll([bytes])).toEqual(expected);
    const small: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 4099) small.push(bytes.subarray(i, i + 4099));
    expect(splitAll(small)).toEqual(expected);
  });
});

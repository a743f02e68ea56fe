import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/ingest/line-splitter.js';

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
});

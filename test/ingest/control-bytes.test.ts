import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_SCAN, hasControlByte, hasControlByteInWords } from '../../src/ingest/control-bytes.js';
import { CONTROL_SCAN_WASM } from '../../src/ingest/control-bytes.wasm.js';
import { ROOT } from '../helpers/shared.js';

// What the splitter's CONTROL_RE finds in the decoded text: the reference of both implementations.
const reading = (b: Uint8Array) =>
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)/.test(Buffer.from(b).toString('latin1'));

const implementations = [
  ['the vector scan', hasControlByte],
  ['the word loop', hasControlByteInWords],
] as const;

describe('hasControlByte', () => {
  it('runs the vector scan on this Node', () => {
    expect(CONTROL_SCAN).toBe('wasm');
  });

  describe.each(implementations)('%s', (_name, has) => {
    it('finds a control byte as the regex finds it in the decoded text, at any alignment', () => {
      // Any byte, with CR, LF and the other edges of the control range often (CRLF pairs included).
      const byte = fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x0d, 0x0a, 0x09, 0x08, 0x0b, 0x1f, 0x20, 0x7e, 0x7f, 0x80),
      );
      fc.assert(
        fc.property(fc.array(byte, { maxLength: 80 }), fc.nat(7), (arr, skip) => {
          const b = Uint8Array.from(arr).subarray(Math.min(skip, arr.length));
          expect(has(b)).toBe(reading(b));
        }),
        { numRuns: 3000 },
      );
      // One control byte at each place of a clean buffer (head, words or blocks, tail; a CR before an LF is none).
      const clean = Buffer.from('a'.repeat(37));
      for (let at = 0; at < clean.length; at++) {
        for (const c of [0x00, 0x1b, 0x7f, 0x0d]) {
          const b = Buffer.from(clean);
          b[at] = c;
          expect(has(b.subarray(1))).toBe(at >= 1);
        }
      }
      expect(has(Buffer.from('line\r\nnext\r\n'))).toBe(false);
      // CRLF lines (a CR in every block: each block looked at and passed) with one control byte anywhere.
      const crlf = Buffer.from('abcdefg\r\n'.repeat(12));
      expect(has(crlf)).toBe(false);
      for (let at = 0; at < crlf.length; at++) {
        if (crlf[at] === 0x0d || crlf[at] === 0x0a) continue;
        const b = Buffer.from(crlf);
        b[at] = 0x1b;
        expect(has(b)).toBe(true);
      }
    });

    it('reads a buffer longer than a window of the scan to its end, and its edges right', () => {
      const size = 3 * 65536 + 21;
      const clean = Buffer.alloc(size, 'x');
      expect(has(clean)).toBe(false);
      for (const at of [0, 15, 16, 65535, 65536, 65537, 131071, 131072, size - 16, size - 1]) {
        for (const c of [0x00, 0x1b, 0x7f]) {
          const b = Buffer.from(clean);
          b[at] = c;
          expect(has(b)).toBe(true);
        }
        const cr = Buffer.from(clean);
        cr[at] = 0x0d;
        expect(has(cr)).toBe(true);
        // A CR whose LF starts the next window (or block) is a CRLF: none.
        if (at + 1 < size) {
          cr[at + 1] = 0x0a;
          expect(has(cr)).toBe(false);
        }
      }
    });
  });

  it('does not read what an earlier, longer buffer left past the end of this one', () => {
    const before = Buffer.alloc(64, 'x');
    before[55] = 0x1b;
    expect(hasControlByte(before)).toBe(true);
    // The last block of a 50-byte buffer reads bytes 48..63 of the scan's memory.
    expect(hasControlByte(Buffer.alloc(50, 'x'))).toBe(false);
  });

  it('falls back to the word loop where WebAssembly is off (node --jitless)', () => {
    const module = join(ROOT, 'dist/ingest/control-bytes.js');
    const script = `const m = await import(${JSON.stringify(module)}); console.log(m.CONTROL_SCAN, m.hasControlByte(Buffer.from('a\\x1bb')), m.hasControlByte(Buffer.from('a\\r\\nb')));`;
    const r = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('js true false\n');
  });

  it('ships the bytes control-bytes.wat compiles to (npm run build:wasm)', () => {
    // (the compile of bin/build-wasm.js itself, printed instead of written)
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/build-wasm.js'), '--print'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(Buffer.from(JSON.parse(r.stdout) as number[])).toEqual(Buffer.from(CONTROL_SCAN_WASM));
  });
});

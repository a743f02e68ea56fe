import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_LINE_CHARS } from '../../../src/ingest/console/line-normalizer.js';
import { PIECE_SCAN } from '../../../src/ingest/console/oops/index.js';
import { type PieceScan, pieceScan, plainRunInJs } from '../../../src/ingest/console/piece-scan.js';
import { PIECE_SCAN_WASM } from '../../../src/ingest/console/piece-scan.wasm.js';
import { fixture, ROOT } from '../../helpers/shared.js';

describe('PieceScan', () => {
  const scan = PIECE_SCAN as PieceScan;

  test('runs on this Node', () => {
    expect(PIECE_SCAN).not.toBeNull();
  });

  test('plainRun passes the lines plainStampClose takes, as its JavaScript does', () => {
    // Stamps whole, cut and broken, lines ending in what may be a cut stamp, long lines.
    const stamp = fc.constantFrom(
      '[    1.000001] ',
      '[1.2]',
      '[ 12.5] ',
      '[ .5] ',
      '[ 1.] ',
      '[ 1.5 ',
      '[',
      '',
      ' [ 1.0] ',
    );
    // (a `[` 23 bytes before the end may start a cut stamp, one 24 bytes before may not)
    const body = fc.constantFrom(
      'lab: chatter',
      'x Servic[   21.33258',
      `x[${' '.repeat(19)}1.5`,
      `x[${' '.repeat(20)}1.5`,
      'a [ 1',
      '0x80 12.5',
      'x'.repeat(40),
      '',
      ' ]',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(stamp, body), { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 10, max: 60 }),
        (lines, ends, stopAt, max) => {
          const text = lines.map(([s, b]) => s + b).join('\n') + (ends ? '\n' : '');
          const stop = stopAt % (text.length + 2);
          const bytes = Buffer.from(text, 'latin1');
          scan.load(bytes);
          const end = scan.plainRun(0, stop, text.length, max);
          const js = plainRunInJs(text, bytes, 0, stop, max);
          expect([end, scan.taken]).toEqual([js.end, js.taken]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('plainRun on real lines: a run stops at the line that is not plainly stamped', () => {
    const text = `[    1.000000] a\n[    1.000001] b: 0x1 [   2\n[    1.000002] c\n`;
    scan.load(Buffer.from(text, 'latin1'));
    expect(scan.plainRun(0, text.length, text.length, MAX_LINE_CHARS)).toBe(text.indexOf('[    1.000001]'));
    expect(scan.taken).toBe(1);
  });

  test('where WebAssembly is off (node --jitless), the parser searches and walks in JavaScript, to the same result', () => {
    // The lab's five splat boots, its serial consoles (with and without caller ids), the minimal cases.
    const logs = [
      ...['abba', 'irq', 'recursive', 'shrinker', 'sleep'].map((d) =>
        fixture('console', 'lab-6.1', d, 'dmesg.txt'),
      ),
      ...['caller-id', 'v5', 'v6'].map((d) => fixture('runs', d, 'console.log')),
      ...readdirSync(fixture('console-min'))
        .filter((f) => f.endsWith('.log'))
        .map((f) => fixture('console-min', f)),
    ];
    const script = `
      const { readFileSync } = await import('node:fs');
      const { ConsoleLogParser } = await import(${JSON.stringify(join(ROOT, 'dist/ingest/console/index.js'))});
      const { HEADER_SCAN } = await import(${JSON.stringify(join(ROOT, 'dist/ingest/console/oops/index.js'))});
      const out = [HEADER_SCAN];
      for (const f of ${JSON.stringify(logs)}) {
        const p = new ConsoleLogParser();
        const reports = [...p.push(readFileSync(f)), ...p.end()];
        out.push({ reports, verdict: p.verdict(), stats: p.stats });
      }
      console.log(JSON.stringify(out));`;
    const run = (flags: string[]) =>
      JSON.parse(
        spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' })
          .stdout,
      ) as unknown[];
    const [withWasm, without] = [run([]), run(['--jitless'])];
    expect(withWasm[0]).toBe('wasm');
    expect(without[0]).toBe('js');
    expect(without.slice(1)).toEqual(withWasm.slice(1));
  });

  test('ships the bytes piece-scan.wat compiles to (npm run build:wasm)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/build-wasm.js'), '--print', 'piece-scan'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(Buffer.from(JSON.parse(r.stdout) as number[])).toEqual(Buffer.from(PIECE_SCAN_WASM));
  });

  test('the banner scan takes only heads and words it can look for', () => {
    expect(pieceScan(['BUG:'], ['Kernel panic'])).not.toBeNull();
    expect(pieceScan(['X:'], [])).toBeNull();
    expect(pieceScan([], ['panic'])).toBeNull();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LockscopeCommand } from '../../src/cli/base-command.js';
import type { Diagnostic } from '../../src/model/diagnostic.js';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/shared.js';

// A real trace (the lab's minimal one, 20 events) with lines of something else spliced in.
const TRACE = readFileSync(join(ROOT, 'fixtures', 'trace-min', 'no-locks.trace.txt'), 'utf8');
const spliced = (n: number) =>
  `${TRACE}${Array.from({ length: n }, (_, i) => `garbage ${i + 1}`).join('\n')}\n`;

describe('diagnostics on stderr', () => {
  it('lists 20 with a line, then counts the rest per code; the parser summaries are always shown', () => {
    const r = runCli(['trace', 'analyze', '-'], { input: spliced(300) });
    expect(r.status).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    const at = TRACE.split('\n').length - 1;
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe(`-:${at + 1}: ftrace-unrecognized-line: not an ftrace event line: "garbage 1"`);
    expect(lines[19]).toBe(`-:${at + 20}: ftrace-unrecognized-line: not an ftrace event line: "garbage 20"`);
    // (the parser lists 20 of a code itself: its summary has no line, and used to be hidden)
    expect(lines[20]).toBe(
      '-: ftrace-unrecognized-line: 280 more ftrace-unrecognized-line not listed (300 in all)',
    );
  });

  it('past the limit, how many more of each code; no `:-:` for one about the whole input', () => {
    class Probe extends LockscopeCommand {
      async run(): Promise<void> {}
      report(diagnostics: Diagnostic[]): void {
        this.warnDiagnostics('x.log', diagnostics, false, 2);
      }
    }
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      written.push(String(s));
      return true;
    });
    try {
      new Probe([], {} as ConstructorParameters<typeof Probe>[1]).report([
        { code: 'A', message: 'first', line: 3 },
        { code: 'B', message: 'second', line: 5 },
        { code: 'A', message: 'third', line: 8 },
        { code: 'LINE_TOO_LONG', message: '2 lines were cut', line: null },
        { code: 'B', message: 'fourth', line: 9 },
        { code: 'A', message: 'fifth', line: 12 },
        { code: 'NOISE', message: 'passed over', line: null, severity: 'info' },
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toBe(
      [
        'x.log:3: A: first',
        'x.log:5: B: second',
        'x.log: LINE_TOO_LONG: 2 lines were cut',
        'x.log: ... and 3 more: 2 A, 1 B',
        '',
      ].join('\n'),
    );
  });
});

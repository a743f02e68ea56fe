import { describe, expect, it } from 'vitest';
import { forEachProcLine } from '../../../src/ingest/proc/proc-lines.js';
import type { Diagnostic } from '../../../src/model/diagnostic.js';

describe('forEachProcLine', () => {
  it('numbers lines from 1, drops CR and the final empty line, counts the lines the visitor refuses', () => {
    const seen: [string, number][] = [];
    const diagnostics: Diagnostic[] = [];
    forEachProcLine(
      'a\r\nnoise\nb\nmore noise\n',
      diagnostics,
      { code: 'x-skipped', file: '/proc/x' },
      (line, n) => {
        seen.push([line, n]);
        return !line.includes('noise');
      },
    );
    expect(seen).toEqual([
      ['a', 1],
      ['noise', 2],
      ['b', 3],
      ['more noise', 4],
    ]);
    expect(diagnostics).toEqual([
      { code: 'x-skipped', message: '2 line(s) are not /proc/x output and were skipped', line: 2 },
    ]);
  });

  it('adds no diagnostic when every line is accounted for', () => {
    const diagnostics: Diagnostic[] = [];
    forEachProcLine('a\n\nb', diagnostics, { code: 'x-skipped', file: '/proc/x' }, () => true);
    expect(diagnostics).toEqual([]);
  });
});

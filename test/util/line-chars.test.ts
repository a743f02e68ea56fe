import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CALL_TRACE, mayHoldCallTrace } from '../../src/analyzers/title/macros.js';
import { isStackStart } from '../../src/analyzers/title/stack.js';
import { mayBeHeader } from '../../src/ingest/console/details/sections.js';
import { isQuestionable } from '../../src/ingest/console/report-scanner.js';
import { charsOf, charsOfBytes, mayHold, mayHoldOne, needed, UNREAD } from '../../src/util/line-chars.js';
import { fixture, SHARED, sharedPath } from '../helpers/shared.js';

// Tracked characters, untracked ones, and the words the guarded tests look for.
const unit = fc.constantFrom(
  ...'AZCBFU:?#([-az09 _+/.)]<>'.split(''),
  'Call Trace:',
  'Backtrace:',
  ' ? ',
  ' (unreliable)',
  ' #1',
  ' is trying to release lock (',
  'Allocated by task 1:',
  'Freed:',
  'Uninit was stored to memory at',
  ' backtrace:',
  '<EOI>',
);
const text = fc.string({ unit, maxLength: 12 });

describe('line summaries', () => {
  test('read from the bytes as from the text, and the union of two texts joined', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const bytes = Buffer.from(`x${a}y`, 'latin1');
        expect(charsOfBytes(bytes, 1, 1 + a.length)).toBe(charsOf(a));
        expect(charsOf(a + b)).toBe(charsOf(a) | charsOf(b));
      }),
      { numRuns: 2000 },
    );
    expect(charsOf('lock_acquire+0xa8/0x250 [lab]')).toBe(needed('['));
    expect(charsOf('Call Trace:')).toBe(needed('CT:'));
  });

  test("a text that holds a literal has its summary hold the literal's: the guards never skip a match", () => {
    fc.assert(
      fc.property(text, text, text, (before, literal, after) => {
        expect(mayHold(charsOf(`${before}${literal}${after}`), needed(literal))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // An unread line passes every guard.
    expect(mayHold(UNREAD, needed('ABC:?#([-'))).toBe(true);
    expect(mayHoldOne(UNREAD, needed('C'))).toBe(true);
    expect(mayHoldOne(charsOf(' lab_abba+0x55/0x6d'), needed('CAFU:'))).toBe(false);
  });
});

/** Every guarded test against the same test without the line's summary. */
function expectGuardsAgree(line: string): void {
  const chars = charsOf(line);
  expect(isStackStart(line, chars)).toBe(isStackStart(line));
  expect(mayBeHeader(line.trim(), chars)).toBe(mayBeHeader(line.trim()));
  expect(isQuestionable(line, 'T1', chars)).toBe(isQuestionable(line, 'T1'));
  if (CALL_TRACE.test(line)) expect(mayHoldCallTrace(chars)).toBe(true);
}

/** expectGuardsAgree on each line of `files`, its stamp (`stamp`) cut off; how many lines. */
function guardsAgreeOnLines(files: string[], stamp: RegExp): number {
  let lines = 0;
  for (const f of files) {
    for (const line of readFileSync(f, 'latin1').split('\n')) {
      expectGuardsAgree(line.replace(stamp, ''));
      lines++;
    }
  }
  return lines;
}

describe('every guard agrees with its test', () => {
  test('on generated lines', () => {
    fc.assert(
      fc.property(text, (line) => expectGuardsAgree(line)),
      { numRuns: 3000 },
    );
  });

  test('on the lines of the lab splats', () => {
    const dir = fixture('console', 'lab-6.1');
    // the message, as the normalizer hands it over (after `[   12.345678] `)
    const lines = guardsAgreeOnLines(
      readdirSync(dir).map((name) => join(dir, name, 'dmesg.txt')),
      /^\[[^\]]*\] ?/,
    );
    expect(lines).toBeGreaterThan(1000);
  });

  test.skipIf(!SHARED)('on the lines of the real splats and the syzkaller logs of ../shared', () => {
    const files = [sharedPath('corpus', 'splats'), sharedPath('corpus', 'syzkaller', 'linux-report')].flatMap(
      (dir) => readdirSync(dir).map((name) => join(dir, name)),
    );
    expect(guardsAgreeOnLines(files, /^(?:\[[^\]]*\] ?){1,2}/)).toBeGreaterThan(50_000);
  });
});

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ConsoleNormalizer,
  lineContext,
  MAX_LINE_CHARS,
  type NormalizedLine,
} from '../../../src/ingest/console/line-normalizer.js';
import { LineSplitter } from '../../../src/ingest/line-splitter.js';
import { charsOf, UNREAD } from '../../../src/util/line-chars.js';

function normalize(input: string | Buffer): NormalizedLine[] {
  const splitter = new LineSplitter();
  const n = new ConsoleNormalizer();
  const raws = [...splitter.push(typeof input === 'string' ? Buffer.from(input) : input), ...splitter.end()];
  return raws.flatMap((r) => n.push(r));
}

function one(input: string): Omit<NormalizedLine, 'line' | 'chars'> {
  const [first] = normalize(input);
  if (!first) throw new Error('no line');
  // (`chars` has a test of its own: these lines come without their bytes)
  const { line: _line, chars: _chars, ...rest } = first;
  return rest;
}

const base = { ts: null, caller: null, level: null, quoteDepth: 0, stamped: false };

describe('ConsoleNormalizer: one line per source format', () => {
  test.each<[string, string, Partial<NormalizedLine>]>([
    ['plain dmesg', '[   12.345678] lab: hello', { text: 'lab: hello', ts: 12.345678, stamped: true }],
    [
      'frame keeps its indent',
      '[   12.345678]  drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]',
      { text: ' drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]', ts: 12.345678, stamped: true },
    ],
    ['dmesg -H relative', '[  +0.006347] msm: foo', { text: 'msm: foo', stamped: true }],
    ['dmesg -H minute', '[Mar10 12:00] msm: foo', { text: 'msm: foo', stamped: true }],
    ['dmesg -T', '[Wed Dec 16 13:30:45 2020] msm: foo', { text: 'msm: foo', stamped: true }],
    [
      'task caller id, padded',
      '[   86.630882][  T218] WARNING: possible recursive locking detected',
      { text: 'WARNING: possible recursive locking detected', ts: 86.630882, caller: 'T218', stamped: true },
    ],
    [
      'cpu caller id',
      '[  123.000001][    C4] BUG: KCSAN: data-race in foo / bar',
      { text: 'BUG: KCSAN: data-race in foo / bar', ts: 123.000001, caller: 'C4', stamped: true },
    ],
    [
      'unpadded caller id',
      '[ 1052.08][T13544] x',
      { text: 'x', ts: 1052.08, caller: 'T13544', stamped: true },
    ],
    [
      'caller as a second bracket',
      '[   12.5] [  T12] x',
      { text: 'x', ts: 12.5, caller: 'T12', stamped: true },
    ],
    ['printk level', '<4>[   12.345678] x', { text: 'x', ts: 12.345678, level: 4, stamped: true }],
    ['Intel CI', '<4> [197.079335] x', { text: 'x', ts: 197.079335, level: 4, stamped: true }],
    [
      'journalctl',
      'Jul 10 16:12:52 host kernel: WARNING: possible circular locking dependency detected',
      { text: 'WARNING: possible circular locking dependency detected', stamped: true },
    ],
    [
      'printk messages dropped',
      '** 12 printk messages dropped ** [   12.5] x',
      { text: 'x', ts: 12.5, stamped: true },
    ],
    ['login junk', 'syzkaller login: [   12.500001] x', { text: 'x', ts: 12.500001, stamped: true }],
    ['mail quote, nested', '> > [   12.5] x', { text: 'x', ts: 12.5, stamped: true, quoteDepth: 2 }],
    ['ANSI escapes', '\x1b[0;32m[   12.5] x\x1b[0m', { text: 'x', ts: 12.5, stamped: true }],
    ['no prefix at all', 'hello', { text: 'hello' }],
  ])('%s', (_name, input, want) => {
    expect(one(input)).toEqual({ ...base, ...want });
  });

  test('CRLF and bytes that are not UTF-8', () => {
    const lines = normalize(Buffer.concat([Buffer.from('[   1.0] a'), Buffer.from([0xff, 0x0d, 0x0a])]));
    expect(lines.map((l) => l.text)).toEqual(['a\ufffd']);
  });

  test('a timestamp reads as Number() reads its digits, short or long', () => {
    const digits = (max: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
    fc.assert(
      fc.property(digits(12), digits(12), (whole, frac) => {
        const n = new ConsoleNormalizer();
        expect(n.lineOf(`[ ${whole}.${frac}] x`, 1, true).ts).toBe(Number(`${whole}.${frac}`));
      }),
      { numRuns: 2000 },
    );
    // 15 digits in all is the last exact integer read; 16 go through Number() of the text.
    expect(one('[999999999.999999] x').ts).toBe(999999999.999999);
    expect(one('[9999999999.999999] x').ts).toBe(Number('9999999999.999999'));
    expect(one('[0.1234567890123456789] x').ts).toBe(Number('0.1234567890123456789'));
  });

  test('reads a line from its bytes as from its text (stamps, callers, prefixes, what follows)', () => {
    // Lines made of stamp pieces and the prefixes that come before them, in any order.
    const piece = fc.constantFrom(
      '[',
      ']',
      ' ',
      '.',
      '0',
      '1',
      '9',
      '12',
      '345678',
      'T',
      'C',
      '42',
      '[  T123]',
      '[C4]',
      '> ',
      '<4>',
      '<4> ',
      'x',
      'lock: ',
      '** 3 printk messages dropped ** ',
      '\t',
      '[   12.345678]',
    );
    const line = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(line, fc.constantFrom('\n', '\r\n'), line, (text, eol, next) => {
        // The bytes run on past the line (its newline and the next line), as a piece's do.
        const bytes = Buffer.from(`..${text}${eol}${next}`, 'latin1');
        const fromText = new ConsoleNormalizer().lineOf(text, 7, true);
        const fromBytes = new ConsoleNormalizer().lineOf(text, 7, true, bytes, 2);
        // The same line, and its characters summed up from the bytes (unread without them).
        expect({ ...fromBytes, chars: 0 }).toEqual({ ...fromText, chars: 0 });
        expect(fromText.chars).toBe(UNREAD);
        expect(fromBytes.chars).toBe(charsOf(fromBytes.text));
      }),
      { numRuns: 3000 },
    );
    // A line cut at MAX_LINE_CHARS inside its stamp: its bytes run on past the cut, its text does not.
    const long = `[${' '.repeat(MAX_LINE_CHARS - 2)}12.5] x`;
    const bytes = Buffer.from(`${long}\n`, 'latin1');
    expect(new ConsoleNormalizer().lineOf(long, 1, true, bytes, 0)).toEqual(
      new ConsoleNormalizer().lineOf(long, 1, true),
    );
  });

  test("a clean line's message is a part of it, whatever came before (ConsoleLogParser's banner prefilter relies on it)", () => {
    const line = fc.constantFrom(
      '[   12.345678] lab: hello',
      '[   12.345678][  T123] BUG: x',
      '[   12.345678] [C4] lab',
      '<4>[   12.345678] lab',
      '<4> [  197.079335] WARNING: y',
      '> > [   12.345678] lab',
      'Jul 10 16:12:52 host kernel: lab: one',
      '  continued',
      '** 3 printk messages dropped ** [   1.0] lab',
      'syzkaller login: [   13.221350] lab',
      '[   12.345678] Servic[   21.33258',
      '7] which lock',
      '13.207942]  dump_backtrace',
      '[   21.33258[   32.525073] evbug: x',
      '[  +0.006347] lab',
      '[Wed Dec 16 13:30:45 2020] lab',
      `[   12.345678] ${'x'.repeat(MAX_LINE_CHARS)} BUG: z`,
      '',
      'no stamp at all',
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, withBytes) => {
        const n = new ConsoleNormalizer();
        lines.forEach((text, i) => {
          // Read from its text, or from its bytes as the splitter hands them (inside a piece).
          const bytes = withBytes ? Buffer.from(`..${text}\n`, 'latin1') : null;
          expect(text).toContain(n.lineOf(text, i + 1, true, bytes, 2).text);
        });
      }),
      { numRuns: 1000 },
    );
  });

  test('keeps each line its own input line number', () => {
    expect(normalize('a\n[ 1.0] b\n> c\n').map((l) => l.line)).toEqual([1, 2, 3]);
  });

  test('journalctl continuation lines belong to the previous message', () => {
    const lines = normalize(
      'Jul 10 16:12:52 host kernel: lab: one\n                             continued\nprose\n',
    );
    expect(lines.map((l) => [l.text.trim(), l.stamped])).toEqual([
      ['lab: one', true],
      ['continued', true],
      ['prose', false],
    ]);
  });

  test('a stamp cut by another console writer is put back together (014)', () => {
    const lines = normalize(
      [
        '[   21.33258[   32.525073] evbug: Event. Dev: input1, Type: 3, Code:',
        '1, Value: 41',
        '[   32.531942] evbug: Event. Dev: input1, Type: 0, Code: 0, Value: 0',
        '7] which lock already depends on the new lock.',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.line, l.ts, l.text])).toEqual([
      [1, 32.525073, 'evbug: Event. Dev: input1, Type: 3, Code:'],
      [2, null, '1, Value: 41'],
      [3, 32.531942, 'evbug: Event. Dev: input1, Type: 0, Code: 0, Value: 0'],
      [4, 21.332587, 'which lock already depends on the new lock.'],
    ]);
  });

  test('a serial line split in the middle of its stamp (030)', () => {
    const lines = normalize(
      [
        '[[0;32m  OK  [0m] Started Network Manager Script Dispatcher Servic[',
        '13.207942]  dump_backtrace+0x0/0x1f8',
        'e.[   13.221350]  __schedule_bug+0x74/0xa0',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.ts, l.text, lineContext(l)])).toEqual([
      [null, '[[0;32m  OK  [0m] Started Network Manager Script Dispatcher Servic[', ''],
      [13.207942, ' dump_backtrace+0x0/0x1f8', 'console'],
      [13.22135, ' __schedule_bug+0x74/0xa0', 'console'],
    ]);
  });

  test('context: caller id, else console for stamped lines, else empty', () => {
    expect(normalize('[ 1.0][ T5] a\n[ 1.0] b\nc').map(lineContext)).toEqual(['T5', 'console', '']);
  });
});

describe('ConsoleNormalizer.plainClose: a line it need not see, or reads in its bytes', () => {
  const passes = (n: ConsoleNormalizer, text: string) => n.plainClose(text, Buffer.from(text), 0) >= 0;

  test.each<[string, string, boolean]>([
    ['a plain stamp', '[   12.345678] lab: hello', true],
    ['a stamp and a caller', '[   12.345678][  T123] lab: hello', true],
    ['a stamp alone', '[   12.345678]', true],
    ['no stamp', 'lab: hello', false],
    ['a level first', '<4>[   12.345678] lab', false],
    ['mail quoting first', '> [   12.345678] lab', false],
    ['a human stamp', '[  +0.006347] lab', false],
    ['a cut stamp before a whole one', '[   21.33258[   32.525073] evbug: x', false],
    ['a cut stamp at its end', '[   12.345678] Servic[   21.33258', false],
    ['clipped', `[   12.345678] ${'x'.repeat(MAX_LINE_CHARS)}`, false],
  ])('%s', (_what, text, expected) => {
    expect(passes(new ConsoleNormalizer(), text)).toBe(expected);
  });

  test('while a cut stamp waits for its tail, or in journald mode, no line passes', () => {
    const cut = new ConsoleNormalizer();
    cut.lineOf('[   12.345678] Servic[   21.33258', 1, true);
    expect(passes(cut, '[   12.345679] lab: hello')).toBe(false);
    const journal = new ConsoleNormalizer();
    journal.lineOf('Jul 10 16:12:52 host kernel: lab: one', 1, true);
    expect(passes(journal, '[   12.345679] lab: hello')).toBe(false);
  });

  test.each([
    ['[   12.345678][  T123] lab: hello', 'T123'],
    ['[   12.345678] [C4] lab: hello', 'C4'],
    ['[   12.345678] lab: hello', 'console'],
  ])('%s: its context, as the line read gives it; its text is the end of the line', (text, ctx) => {
    const n = new ConsoleNormalizer();
    const bytes = Buffer.from(text);
    const close = n.plainClose(text, bytes, 0);
    expect(close).toBe(text.indexOf(']'));
    expect(n.plainCaller(text, bytes, 0, close) ?? 'console').toBe(ctx);
    const read = new ConsoleNormalizer().lineOf(text, 1, true, bytes, 0);
    expect(lineContext(read)).toBe(ctx);
    expect(read.text).toBe('lab: hello');
  });

  test('plainLine reads such a line as lineOf does, and leaves the normalizer as lineOf does', () => {
    // Lines of every kind, so that the normalizer's state (journald, a cut stamp waiting, the last
    // caller) varies; each line plainClose takes is read both ways from the same state.
    const prefix = fc.constantFrom(
      '[   12.345678] ',
      '[ 1.5][  T12] ',
      '[ 2.0] [C4] ',
      '> [ 1.0] ',
      '<4>[ 1.0] ',
      '',
      '[ 1.',
    );
    const body = fc.constantFrom(
      'lab: hello',
      'x Servic[   21.33258',
      '7] tail',
      '',
      '  indented',
      ' f+0x1/0x2 [m]',
    );
    const journal = fc.constantFrom('Jul 10 16:12:52 host kernel: lab: one', '');
    fc.assert(
      fc.property(fc.array(fc.tuple(prefix, body, journal), { maxLength: 20 }), (lines) => {
        const a = new ConsoleNormalizer();
        const b = new ConsoleNormalizer();
        lines.forEach(([p, t, j], k) => {
          const text = j !== '' ? j : `${p}${t}`;
          const bytes = Buffer.from(text, 'latin1');
          const close = a.plainClose(text, bytes, 0);
          const viaLineOf = a.lineOf(text, k + 1, true, bytes, 0);
          const viaPlain =
            close >= 0
              ? b.plainLine(text, k + 1, bytes, 0, close, b.plainCaller(text, bytes, 0, close))
              : b.lineOf(text, k + 1, true, bytes, 0);
          expect(viaPlain).toEqual(viaLineOf);
        });
        expect(b).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { check } from 'recheck';
import { describe, expect, test } from 'vitest';
import { TITLE_WITH_TIMESTAMP } from '../../../src/analyzers/title/corrupted.js';
import { STALL_ANCHORS } from '../../../src/analyzers/title/extractors.js';
import { CALL_TRACE, RIP_FRAME } from '../../../src/analyzers/title/macros.js';
import { REPLACEMENTS } from '../../../src/analyzers/title/sanitize.js';
import { SKIP_FRAMES } from '../../../src/analyzers/title/skip.js';
import { CORRUPTED_LINES, FRAME_LINES, STACK_STARTS } from '../../../src/analyzers/title/stack.js';
import type { StackSpec } from '../../../src/analyzers/title/types.js';
import { FRAME_REGEXES } from '../../../src/ingest/console/frame.js';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import { NORMALIZER_REGEXES } from '../../../src/ingest/console/line-normalizer.js';
import { HEADER_RE, OOPSES, REPORT_START_IGNORES } from '../../../src/ingest/console/oops/index.js';
import { KIND_ROWS } from '../../../src/ingest/console/oops/kinds.js';
import {
  CONTINUATION_BANNERS,
  DECODED_FRAME_RE,
  STACK_END_BANNERS,
  TRACE_EXTRA_RE,
  WRAPPED_FRAME_RE,
  WRAPPED_TAIL_RE,
} from '../../../src/ingest/console/report-scanner.js';
import { KERNEL_LOG_REGEXES } from '../../../src/ingest/kernel-log.js';
import { parsedBothWays } from '../../helpers/console.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';

function parseChunks(chunks: Uint8Array[]) {
  const p = new ConsoleLogParser();
  const reports = chunks.flatMap((c) => p.push(c));
  reports.push(...p.end());
  return { reports, verdict: p.verdict() };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** Every regex in the recognizer and title tables, the normalizer and the frame parser. */
function allRegexes(): RegExp[] {
  const res: RegExp[] = [
    ...NORMALIZER_REGEXES,
    ...FRAME_REGEXES,
    HEADER_RE,
    ...REPORT_START_IGNORES,
    ...KERNEL_LOG_REGEXES,
  ];
  res.push(
    DECODED_FRAME_RE,
    TRACE_EXTRA_RE,
    WRAPPED_FRAME_RE,
    ...STACK_END_BANNERS,
    WRAPPED_TAIL_RE,
    ...CONTINUATION_BANNERS,
    ...STACK_STARTS,
    ...FRAME_LINES,
    ...CORRUPTED_LINES,
    RIP_FRAME,
    CALL_TRACE,
  );
  res.push(
    TITLE_WITH_TIMESTAMP,
    ...STALL_ANCHORS,
    ...REPLACEMENTS.map(([re]) => re),
    ...KIND_ROWS.map(([re]) => re),
  );
  res.push(...SKIP_FRAMES.map((s) => new RegExp(s)));
  const stack = (s: StackSpec | undefined) => {
    if (!s) return;
    for (const part of [...s.parts, ...(s.parts2 ?? [])])
      res.push(...(part instanceof RegExp ? [part] : part));
    res.push(...(s.skip ?? []).map((x) => new RegExp(x)));
  };
  for (const o of OOPSES) {
    for (const s of o.suppress) if (s instanceof RegExp) res.push(s);
    for (const f of o.formats) {
      res.push(f.title, ...(f.also ?? []), ...(f.report?.steps ?? []));
      stack(f.stack);
    }
  }
  const seen = new Map<string, RegExp>();
  for (const re of res) seen.set(`/${re.source}/${re.flags}`, re);
  return [...seen.values()];
}

describe('console parser properties', () => {
  test('any bytes: never throws, and gives the same result however the input is chunked', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat(400), { maxLength: 5 }),
        (bytes, cuts) => {
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(parseChunks([bytes]));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('kernel-like text: never throws, chunking does not matter', () => {
    const piece = fc.constantFrom(
      '[   1.000001] ',
      '[   1.000002][  T12] ',
      '> ',
      'WARNING: possible circular locking dependency detected\n',
      'BUG: sleeping function called from invalid context at x.c:1\n',
      'Call Trace:\n',
      ' lab_scan+0x1d/0x80 [lab]\n',
      ' ? lock_acquire+0x1/0x2\n',
      'is trying to acquire lock:\n',
      'ffff888 (lab_lock){+.+.}-{3:3}, at: lab_scan+0x1d/0x80\n',
      '---[ end trace 0 ]---\n',
      '** replaying previous printk message **\n',
      'Jul 10 16:12:52 host kernel: ',
      '\r\n',
      '\n',
      '\xff',
      // control bytes: an ANSI escape, a NUL, a lone CR (the lines that are not clean)
      '\x1b[0;32m',
      '\x00',
      '\r',
      'serialport: VM disconnected.\n',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.nat(4000), { maxLength: 5 }),
        (pieces, cuts) => {
          const bytes = Buffer.from(pieces.join(''), 'latin1');
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(parseChunks([bytes]));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('kernel-like lines: lines passed unread change nothing (every line read gives the same)', () => {
    // Whole lines, so that the sequences the unread path must get right come up often: a plain
    // line of another caller right after a banner (a replay marker), after an NMI backtrace began,
    // a cut stamp and its tail, journald's mode, a panic after an oops, the VM's hang-up.
    const prefix = fc.constantFrom(
      '[   1.000001] ',
      '[   1.000002][  T12] ',
      '[   1.000003] [  C1] ',
      '[   1.000004][    C0] ',
      '',
      '> ',
      'Jul 10 16:12:52 host kernel: ',
    );
    const body = fc.constantFrom(
      'WARNING: possible circular locking dependency detected',
      'BUG: sleeping function called from invalid context at x.c:1',
      'INFO: task lab:12 blocked for more than 120 seconds.',
      'Call Trace:',
      ' lab_scan+0x1d/0x80 [lab]',
      '---[ end trace 0 ]---',
      '** replaying previous printk message **',
      'Kernel panic - not syncing: Fatal exception',
      'Sending NMI from CPU 0 to CPUs 1:',
      'vmalloc: allocation failure: 0 bytes',
      'serialport: VM disconnected.',
      'lab: chatter',
      'lab: chatter',
      'lab: chatter',
      'x Servic[   21.33258',
      '7] which lock',
      '',
      // (lines a run of unread lines must stop at: a control character, a CR, a colon-less banner)
      'lab: \x1b[1mbold\x1b[0m',
      'lab: crlf\r',
      'general protection fault: 0000 [#1] SMP',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(prefix, body), { maxLength: 80 }), (lines) => {
        const log = lines.map(([p, b]) => `${p}${b}\n`).join('');
        parsedBothWays(Buffer.from(log));
      }),
      { numRuns: 1000 },
    );
  });

  test('real logs: chunking anywhere gives the same reports and verdict', () => {
    const files = [
      fixture('console-min', 'interleaved-callers.log'),
      fixture('console-min', 'quoted-journal.log'),
      ...(SHARED
        ? readdirSync(sharedPath('corpus', 'splats'))
            .filter((f) => f.endsWith('.log'))
            .slice(0, 12)
            .map((f) => sharedPath('corpus', 'splats', f))
        : []),
    ];
    for (const file of files) {
      const bytes = readFileSync(file);
      const whole = parseChunks([bytes]);
      fc.assert(
        fc.property(fc.array(fc.nat(bytes.length), { minLength: 1, maxLength: 8 }), (cuts) => {
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(whole);
        }),
        { numRuns: 20 },
      );
    }
  });

  test('no regex in the tables can backtrack catastrophically (recheck)', async () => {
    const regexes = allRegexes();
    expect(regexes.length).toBeGreaterThan(300);
    const unsafe: string[] = [];
    for (const re of regexes) {
      const r = await check(re.source, re.flags.replace('g', ''), { timeout: 60_000 });
      if (r.status !== 'safe') unsafe.push(`${r.status}: /${re.source}/`);
    }
    expect(unsafe).toEqual([]);
  }, 600_000);
});

/** Counts every regex execution and the characters it was given: an operation count. */
function countRegexWork<T>(fn: () => T): { result: T; calls: number; chars: number } {
  const original = RegExp.prototype.exec;
  let calls = 0;
  let chars = 0;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    calls++;
    chars += s.length - (this.global || this.sticky ? this.lastIndex : 0);
    return original.call(this, s);
  };
  try {
    return { result: fn(), calls, chars };
  } finally {
    RegExp.prototype.exec = original;
  }
}

describe('work grows linearly with the input', () => {
  const MB = 1 << 20;

  test('a single 10 MB line', () => {
    const run = (n: number) =>
      countRegexWork(() => parseChunks([Buffer.from(`[ 1.000001] BUG: ${'a'.repeat(n)}`)]));
    run(MB); // titles are normalized once per process: warm that cache so both runs do the same work
    const small = run(MB);
    const big = run(10 * MB);
    expect(big.result.reports).toHaveLength(1);
    expect(big.calls).toBe(small.calls);
    expect(big.chars).toBeLessThanOrEqual(small.chars * 11);
  });

  test('10 MB of repeated banners', () => {
    const banner = '[   10.200003] WARNING: possible circular locking dependency detected\n';
    const run = (bytes: number) => {
      const text = banner.repeat(Math.floor(bytes / banner.length));
      return countRegexWork(() => {
        const p = new ConsoleLogParser();
        const buf = Buffer.from(text);
        let n = 0;
        for (let i = 0; i < buf.length; i += 1 << 16) n += p.push(buf.subarray(i, i + (1 << 16))).length;
        n += p.end().length;
        return n;
      });
    };
    const small = run(MB);
    const big = run(10 * MB);
    const ratio = big.result / small.result;
    expect(ratio).toBeGreaterThan(9.9);
    expect(big.calls / small.calls).toBeLessThan(ratio * 1.1);
    expect(big.chars / small.chars).toBeLessThan(ratio * 1.1);
  }, 300_000);
});

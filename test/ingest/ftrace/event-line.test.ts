import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAsciiEventLine } from '../../../src/ingest/ftrace/ascii-line.js';
import { newEventLine, parseEventLine } from '../../../src/ingest/ftrace/event-line.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';
import { ftraceFixtures, readBytes } from './parse-helpers.js';

/** readAsciiEventLine on the line's bytes (inside a larger chunk, as the parser calls it). */
function ascii(line: string, ev = newEventLine()): boolean {
  const u = Buffer.from(`junk\n${line}\nmore-1 [000] ...1. 1.000001: x: y`, 'latin1');
  const ok = readAsciiEventLine(u, ev, 5, 5 + line.length);
  if (ok) {
    for (const k of ['commStart', 'commEnd', 'nameStart', 'nameEnd', 'payloadStart'] as const) ev[k] -= 5;
  }
  return ok;
}

/**
 * readAsciiEventLine (the byte-level reader of the common
 * `comm-pid [cpu] flags ts: name: ` prefix) must give exactly what the
 * general reader gives whenever it takes a line, and must take the ordinary
 * lines (else it would agree trivially). Each line is read twice, the second
 * time from the prefix the first read kept.
 */
function compare(text: string): { lines: number; fast: number } {
  let lines = 0;
  let fast = 0;
  for (const line of text.split('\n')) {
    lines++;
    if (!/^[\x00-\x7f]*$/.test(line)) continue;
    const a = newEventLine();
    if (!ascii(line, a)) continue;
    fast++;
    const b = newEventLine();
    expect(parseEventLine(line, b), line).toBe(true);
    expect(a, line).toEqual(b);
    // read again: now through its kept prefix (see LineHeads) when it has one
    const again = newEventLine();
    expect(ascii(line, again), line).toBe(true);
    expect(again, line).toEqual(b);
  }
  return { lines, fast };
}

describe('readAsciiEventLine agrees with the general event-line reader', () => {
  it.each(ftraceFixtures())('fixture %s', (name) => {
    compare(readBytes(fixture('ftrace', name)).toString('utf8'));
  });

  it('takes the ordinary lines of a lab trace', () => {
    const { lines, fast } = compare(
      readBytes(fixture('ftrace', 'lab-S-shrinker.trace.txt.gz')).toString('utf8'),
    );
    expect(fast).toBeGreaterThan(lines * 0.9);
  });

  it('takes the function tracer lines of a lab trace', () => {
    const text = readBytes(fixture('ftrace', 'lab-C-function-head.trace.txt')).toString('utf8');
    const functionLines = text
      .split('\n')
      .filter((l) => / <-/.test(l))
      .join('\n');
    const { lines, fast } = compare(functionLines);
    expect(lines).toBeGreaterThan(100);
    expect(fast).toBe(lines);
  });

  it('reads the trace-cmd report prefix without a flags column', () => {
    const line = '           drmfb-330   [001]    34.665471: virtio_gpu_cmd_queue: vdev=0 vq=0';
    const ev = newEventLine();
    expect(ascii(line, ev)).toBe(true);
    expect([ev.pid, ev.cpu, ev.flags, ev.ts, line.slice(ev.commStart, ev.commEnd)]).toEqual([
      330,
      1,
      null,
      34_665_471_000,
      'drmfb',
    ]);
    compare(line);
  });

  it('declines the dialects it does not read (TGID column, counter clock, --ts-diff, stacks)', () => {
    const declined = [
      '           <...>-19161 (-----) [001] ...1 683201.354908: tracing_mark_write: B|19161|foo',
      '           drmfb-76      [001] ...1. 1234567890123: lock_release: ffffffff81ac7f00 fs_reclaim',
      '           sleep-89142 [001] ...1. 162573.215754: (+2)     function: foo',
      '           drmfb-397     [000] .....    60.838503: <stack trace>',
    ];
    for (const line of declined) expect(ascii(line), line).toBe(false);
  });

  it('agrees on mutated prefixes', () => {
    const base =
      '           drmfb-76      [001] ...1.     3.810376: lock_release: ffffffff81ac7f00 fs_reclaim';
    fc.assert(
      fc.property(
        fc.nat(60),
        fc.constantFrom('', ' ', '\t', '-', '[', ']', ':', '.', '9', '(', 'x'),
        (at, ch) => {
          compare(base.slice(0, at) + ch + base.slice(at + 1));
          compare(base.slice(0, at) + ch + base.slice(at));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads every flags column exactly, however many alternate (its cache of columns fills and collides)', () => {
    // 1 to 8 characters of the latency-flag letters: thousands of distinct columns, each twice
    const letters = ['.', 'd', 'N', 'h', 's', '1', '2', 'X'];
    const columns: string[] = [];
    for (let n = 1; n <= 8; n++)
      for (let k = 0; k < 300; k++)
        columns.push(Array.from({ length: n }, (_, i) => letters[(k * (i + 3) + i * i + n) % 8]).join(''));
    const lines = [...columns, ...columns.reverse()].map(
      (f, i) =>
        `  drmfb-76 [001] ${f} 3.${String(i).padStart(6, '0')}: lock_release: ffffffff81ac7f00 fs_reclaim`,
    );
    const flags = lines.map((line) => {
      const ev = newEventLine();
      expect(ascii(line, ev), line).toBe(true);
      return ev.flags;
    });
    expect(flags).toEqual(lines.map((line) => line.split(/\s+/)[3]));
    expect(compare(lines.join('\n')).fast).toBe(lines.length);
  });

  it
    .skipIf(!SHARED)
    .each([
      'lab-6.1/lockdep-6.1-virtio-gpu/D-lockdep-events.trace.txt.gz',
      'lab-6.1/debian-6.1-virtio-gpu/B-events.report.txt',
      'traces-public/019-trace-cmd-docs-report-examples.txt',
    ])('corpus %s', (rel) => {
    expect(compare(readBytes(sharedPath('corpus', rel)).toString('utf8')).fast).toBeGreaterThan(0);
  });
});

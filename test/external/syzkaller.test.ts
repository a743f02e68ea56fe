import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConsoleLogParser } from '../../src/ingest/console/index.js';
import { SHARED, sharedPath } from '../helpers/shared.js';
import { SYZKALLER_SKIP } from './syzkaller-skip.js';

interface Expected {
  title: string | null;
  type: string | null;
  corrupted: boolean;
}

/** A suite file: header lines up to the first blank line, then the log, then an optional `REPORT:` section. */
function splitSuiteFile(buf: Buffer): { expected: Expected; log: Buffer } {
  const s = buf.toString('latin1');
  const blank = s.indexOf('\n\n');
  const head = blank < 0 ? s : s.slice(0, blank);
  let log = blank < 0 ? '' : s.slice(blank + 2);
  const rep = log.search(/\nREPORT:\n/);
  if (rep >= 0) log = log.slice(0, rep + 1);
  const h: Record<string, string> = {};
  for (const line of head.split('\n')) {
    const m = /^([A-Z]+): ?(.*)$/.exec(line);
    if (m && m[1] !== 'ALT') h[m[1] as string] = m[2] as string;
  }
  return {
    expected: { title: h.TITLE || null, type: h.TYPE ?? null, corrupted: h.CORRUPTED === 'Y' },
    log: Buffer.from(log, 'latin1'),
  };
}

function verdictOf(log: Buffer) {
  const p = new ConsoleLogParser();
  const reports = [...p.push(log), ...p.end()];
  return { verdict: p.verdict(), reports };
}

describe.skipIf(!SHARED)('syzkaller pkg/report linux suite', () => {
  const dir = SHARED ? sharedPath('corpus', 'syzkaller', 'linux-report') : '';
  const files = SHARED
    ? readdirSync(dir)
        .filter((f) => /^\d+$/.test(f))
        .sort((a, b) => Number(a) - Number(b))
    : [];

  test('titles, types and corrupted verdicts match syzkaller', () => {
    let passed = 0;
    let lockdep = 0;
    let lockdepPassed = 0;
    let titled = 0;
    let titledPassed = 0;
    let untitled = 0;
    let untitledClean = 0;
    const failures: string[] = [];
    const skipped = Object.keys(SYZKALLER_SKIP);
    for (const f of files) {
      const { expected, log } = splitSuiteFile(readFileSync(join(dir, f)));
      const { verdict, reports } = verdictOf(log);
      const ok =
        verdict.title === expected.title &&
        verdict.type === expected.type &&
        verdict.corrupted === expected.corrupted &&
        (expected.title !== null || reports.length === 0);
      if (expected.type === 'LOCKDEP') {
        lockdep++;
        if (ok) lockdepPassed++;
      }
      if (expected.title === null) {
        untitled++;
        if (ok) untitledClean++;
      } else {
        titled++;
        if (ok && !(f in SYZKALLER_SKIP)) titledPassed++;
      }
      if (f in SYZKALLER_SKIP) continue;
      if (ok) passed++;
      else
        failures.push(
          `${f}: got ${JSON.stringify([verdict.title, verdict.type, verdict.corrupted, reports.length])} want ${JSON.stringify([expected.title, expected.type, expected.corrupted])}`,
        );
    }
    const pct = ((100 * titledPassed) / Math.max(1, titled)).toFixed(1);
    console.log(
      `syzkaller suite: ${passed} passed, ${skipped.length} skipped, ${failures.length} failed of ${files.length}; ` +
        `LOCKDEP ${lockdepPassed}/${lockdep}; no-title logs clean ${untitledClean}/${untitled}; titled ${titledPassed}/${titled} (${pct}%)`,
    );
    if (process.env.SYZ_VERBOSE) console.log(failures.join('\n'));
    expect(files.length).toBe(747);
    expect(skipped.length).toBeLessThanOrEqual(35);
    expect(lockdepPassed).toBe(lockdep);
    expect(untitledClean).toBe(untitled);
    expect(failures).toEqual([]);
  });
});

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSignature } from '../../../src/analyzers/signature.js';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import { ConsoleNormalizer } from '../../../src/ingest/console/line-normalizer.js';
import { extractLockDetails } from '../../../src/ingest/console/lockdep-details.js';
import { LineSplitter } from '../../../src/ingest/line-splitter.js';
import type { ConsoleLine } from '../../../src/model/console-line.js';
import type { Report, ReportKind } from '../../../src/model/report.js';
import { fixture } from '../../helpers/shared.js';

/**
 * Golden tests of the lock structure: every console log under fixtures/console/ with, beside it,
 * `<log>.details.expected.json`: the LockDetails and signature of each of its reports, and
 * `<log>.expected.json`: the whole pipeline's output (ConsoleLogParser: reports and verdict).
 * `UPDATE_GOLDEN=1 npx vitest run test/ingest/console/golden.test.ts` rewrites them; read the diff.
 *
 * The report boundaries (banner line to last stack line) and kinds are hand-checked from the logs,
 * so this test does not depend on the report scanner.
 */
const REPORTS: Record<string, { kind: ReportKind; from: number; to: number }[]> = {
  'lab-6.1/abba/dmesg.txt': [{ kind: 'circular-dependency', from: 276, to: 362 }],
  'lab-6.1/irq/dmesg.txt': [{ kind: 'inconsistent-lock-state', from: 275, to: 349 }],
  'lab-6.1/recursive/dmesg.txt': [{ kind: 'recursive-locking', from: 275, to: 331 }],
  'lab-6.1/shrinker/console.log': [{ kind: 'circular-dependency', from: 275, to: 358 }],
  'lab-6.1/shrinker/dmesg.txt': [{ kind: 'circular-dependency', from: 276, to: 359 }],
  'lab-6.1/sleep/dmesg.txt': [
    { kind: 'sleeping-in-atomic', from: 274, to: 305 },
    { kind: 'invalid-wait-context', from: 307, to: 350 },
  ],
};

const ROOT = fixture('console');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function logsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return logsUnder(path);
    return /\.(?:txt|log)$/.test(name) ? [path] : [];
  });
}

function consoleLines(bytes: Uint8Array): ConsoleLine[] {
  const splitter = new LineSplitter();
  const normalizer = new ConsoleNormalizer();
  const out: ConsoleLine[] = [];
  for (const raw of [...splitter.push(bytes), ...splitter.end()]) out.push(...normalizer.push(raw));
  out.push(...normalizer.end());
  return out;
}

function details(path: string, bytes: Uint8Array) {
  const lines = consoleLines(bytes);
  return (REPORTS[path] ?? []).map(({ kind, from, to }) => {
    const d = extractLockDetails(
      kind,
      lines.filter((l) => l.line >= from && l.line <= to),
    );
    const guiltyFrame = null;
    return {
      kind,
      startLine: from,
      endLine: to,
      signature: reportSignature({ kind, ...d, guiltyFrame, title: '' }),
      ...d,
    };
  });
}

describe('golden lock details of fixtures/console', () => {
  const logs = logsUnder(ROOT).map((p) => relative(ROOT, p));

  it('every log has its report boundaries listed', () => {
    expect(logs.sort()).toEqual(Object.keys(REPORTS).sort());
  });

  for (const log of logs) {
    it(log, () => {
      const got = `${JSON.stringify(details(log, readFileSync(join(ROOT, log))), null, 2)}\n`;
      const expectedPath = join(ROOT, `${log}.details.expected.json`);
      if (UPDATE) writeFileSync(expectedPath, got);
      expect(existsSync(expectedPath), `${expectedPath} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(got).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});

function parseAll(bytes: Uint8Array): { verdict: unknown; reports: Report[] } {
  const parser = new ConsoleLogParser({ path: 'fixture' });
  const reports = [...parser.push(bytes), ...parser.end()];
  return { verdict: parser.verdict(), reports };
}

describe('golden reports of fixtures/console (the whole pipeline)', () => {
  const logs = logsUnder(ROOT).map((p) => relative(ROOT, p));
  for (const log of logs) {
    it(log, () => {
      const got = `${JSON.stringify(parseAll(readFileSync(join(ROOT, log))), null, 2)}\n`;
      const expectedPath = join(ROOT, `${log}.expected.json`);
      if (UPDATE) writeFileSync(expectedPath, got);
      expect(existsSync(expectedPath), `${expectedPath} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(got).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});

// Written from the logs before the pipeline existed: syzkaller titles a circular or recursive
// splat `possible deadlock in <first frame of the acquiring lock's site>`, an inconsistent lock
// state by the first frame of the call trace past lockdep and locking internals, and a might_sleep
// BUG by the first call-trace frame past __might_resched/mutex internals.
describe('lab 6.1 splats through the pipeline, hand-checked', () => {
  const cases: [string, ReportKind, string, string, string][] = [
    [
      'shrinker/dmesg.txt',
      'circular-dependency',
      'possible deadlock in lab_scan',
      'lab_scan',
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
    ],
    [
      'shrinker/console.log',
      'circular-dependency',
      'possible deadlock in lab_scan',
      'lab_scan',
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
    ],
    [
      'abba/dmesg.txt',
      'circular-dependency',
      'possible deadlock in lab_abba',
      'lab_abba',
      'circular-dependency:lab_lock_a|lab_lock_b',
    ],
    [
      'recursive/dmesg.txt',
      'recursive-locking',
      'possible deadlock in lab_recursive',
      'lab_recursive',
      'recursive-locking:&o->lock',
    ],
    [
      'irq/dmesg.txt',
      'inconsistent-lock-state',
      'inconsistent lock state in lab_irq',
      'lab_irq',
      'inconsistent-lock-state:lab_irq_lock',
    ],
    [
      'sleep/dmesg.txt',
      'sleeping-in-atomic',
      'BUG: sleeping function called from invalid context in lab_sleep',
      'lab_sleep',
      'sleeping-in-atomic:lab_sleep',
    ],
  ];
  it.each(cases)('%s: %s, %s', (log, kind, title, guilty, signature) => {
    const { verdict, reports } = parseAll(readFileSync(join(ROOT, 'lab-6.1', log)));
    const first = reports[0];
    expect(verdict).toMatchObject({ title, corrupted: false });
    expect(first).toMatchObject({ kind, title, corrupted: false, signature });
    expect(first?.guiltyFrame?.function).toBe(guilty);
    expect(reports.filter((r) => r.kind !== 'other')).toHaveLength(log.startsWith('sleep') ? 2 : 1);
  });

  it('the cycle classes of the circular splats', () => {
    const classes = (log: string) =>
      parseAll(readFileSync(join(ROOT, 'lab-6.1', log)))
        .reports[0]?.chain.map((c) => c.lock.class)
        .sort();
    expect(classes('shrinker/dmesg.txt')).toEqual(['fs_reclaim', 'lab_shrinker_lock']);
    expect(classes('abba/dmesg.txt')).toEqual(['lab_lock_a', 'lab_lock_b']);
  });
});

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSignature } from '../../../src/analyzers/signature.js';
import { ConsoleNormalizer } from '../../../src/ingest/console/line-normalizer.js';
import { extractLockDetails } from '../../../src/ingest/console/lockdep-details.js';
import { LineSplitter } from '../../../src/ingest/line-splitter.js';
import type { ConsoleLine } from '../../../src/model/console-line.js';
import type { ReportKind } from '../../../src/model/report.js';
import { fixture } from '../../helpers/shared.js';

/**
 * Golden tests of the lock structure: every console log under fixtures/console/ with, beside it,
 * `<log>.details.expected.json`: the LockDetails and signature of each of its reports.
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

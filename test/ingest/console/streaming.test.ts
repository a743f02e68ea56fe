import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConsoleLogParser } from '../../../src/ingest/console/index.js';
import type { Report } from '../../../src/model/report.js';
import { fixture } from '../../helpers/shared.js';

// The lab's five runs, one after the other: a log with six reports.
const LAB = fixture('console', 'lab-6.1');
const log = Buffer.concat(readdirSync(LAB).map((d) => readFileSync(`${LAB}/${d}/dmesg.txt`)));

function byPush(chunk: number): Report[] {
  const p = new ConsoleLogParser({ path: 'lab' });
  const out: Report[] = [];
  for (let i = 0; i < log.length; i += chunk) out.push(...p.push(log.subarray(i, i + chunk)));
  out.push(...p.end());
  return out;
}

describe('ConsoleLogParser onReport', () => {
  test('hands over each report as it is built, the ones push() and end() would return, in order', () => {
    const handed: Report[] = [];
    const p = new ConsoleLogParser({ path: 'lab', onReport: (r) => handed.push(r) });
    let returned = 0;
    for (let i = 0; i < log.length; i += 4096) returned += p.push(log.subarray(i, i + 4096)).length;
    // Each ends with its trace (lockdep reports): all are handed over during the pushes, none at the end.
    expect(handed.length).toBe(6);
    returned += p.end().length;
    expect(returned).toBe(0);
    expect(handed.map((r) => r.signature)).toEqual([
      'circular-dependency:lab_lock_a|lab_lock_b',
      'inconsistent-lock-state:lab_irq_lock',
      'recursive-locking:&o->lock',
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
      'sleeping-in-atomic:lab_sleep',
      'invalid-wait-context:lab_irq_lock|lab_lock_a',
    ]);
    expect(handed).toEqual(byPush(1 << 20));
  });
});

import { expect } from 'vitest';
import { ConsoleLogParser } from '../../src/ingest/console/index.js';
import type { Report } from '../../src/model/report.js';

/**
 * The log in one chunk, and in chunks cut inside each line: a line joined across chunks is always
 * normalized, so the second parse reads every line the first may pass unread.
 */
export function parseBothWays(bytes: Buffer) {
  const whole = new ConsoleLogParser();
  const wholeReports = [...whole.push(bytes), ...whole.end()];
  const cut = new ConsoleLogParser();
  const cutReports: Report[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, start);
    const mid = Math.min(start + 1, bytes.length);
    cutReports.push(...cut.push(bytes.subarray(start, mid)));
    const end = nl === -1 ? bytes.length : nl + 1;
    cutReports.push(...cut.push(bytes.subarray(mid, end)));
    start = end;
  }
  cutReports.push(...cut.end());
  return [
    { reports: wholeReports, verdict: whole.verdict(), stats: whole.stats, diagnostics: whole.diagnostics },
    { reports: cutReports, verdict: cut.verdict(), stats: cut.stats, diagnostics: cut.diagnostics },
  ];
}

/**
 * parseBothWays of a log (its bytes, or its lines joined by newlines), checking that the two parses
 * agree; the parse.
 */
export function parsedBothWays(log: Buffer | string[]) {
  const [whole, cut] = parseBothWays(Array.isArray(log) ? Buffer.from(log.join('\n')) : log);
  expect(whole).toEqual(cut);
  return whole!;
}

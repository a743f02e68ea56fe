import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { LOCK_STAT_LINES } from '../../../src/ingest/proc/lock-stat.js';
import { LOCKDEP_LINES } from '../../../src/ingest/proc/lockdep.js';
import { LOCKDEP_CHAINS_LINES } from '../../../src/ingest/proc/lockdep-chains.js';
import { FORMAT_LINES } from '../../../src/ingest/tracedat/event-format.js';
import { PRINT_FMT_TOKEN } from '../../../src/ingest/tracedat/print-flags.js';

// The line tables of the /proc parsers and the trace.dat format parser: none may backtrack
// catastrophically on a long line.
const patterns: [string, RegExp][] = [
  ...Object.entries(LOCKDEP_LINES).map(([k, re]): [string, RegExp] => [`lockdep ${k}`, re]),
  ...Object.entries(LOCKDEP_CHAINS_LINES).map(([k, re]): [string, RegExp] => [`lockdep_chains ${k}`, re]),
  ...Object.entries(LOCK_STAT_LINES).map(([k, re]): [string, RegExp] => [`lock_stat ${k}`, re]),
  ...Object.entries(FORMAT_LINES).map(([k, re]): [string, RegExp] => [`format ${k}`, re]),
  ['print fmt token', PRINT_FMT_TOKEN],
];

describe('ReDoS check (recheck) of the lockdep and trace.dat regexes', () => {
  // A generous timeout: on a loaded machine the default can end as `timeout`, which says nothing.
  it.each(patterns)('%s', { timeout: 300_000 }, async (_label, re) => {
    const result = await check(re.source, re.flags, { timeout: 240_000 });
    expect(result.status).toBe('safe');
  });
});

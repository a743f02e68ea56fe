import { describe, expect, it } from 'vitest';
import { FAST_PAYLOADS } from '../../../src/ingest/ftrace/fast-payloads.js';
import { parsePayloadByTable } from '../../../src/ingest/ftrace/payload-table.js';
import { fixture, SHARED, sharedPath } from '../../helpers/shared.js';
import { ftraceFixtures, parseBytes, parseFile, readBytes } from './parse-helpers.js';

/**
 * The hand-written readers must agree with the table (the source of truth)
 * on every hot-event line we have, and must actually take those lines (a
 * fast path that always declines would agree trivially).
 */
function checkAgreement(bytes: Buffer) {
  const { events } = parseBytes(bytes, [], { fastPath: false });
  let checked = 0;
  for (const e of events) {
    const fast = FAST_PAYLOADS.get(e.name);
    if (!fast) continue;
    const table = parsePayloadByTable(e.name, e.payload);
    const f = fast(e.payload);
    if (table.matched) {
      expect(f, `line ${e.line}: ${e.payload}`).toEqual(table.fields);
      checked++;
    } else {
      expect(f, `line ${e.line}: ${e.payload}`).toBeNull();
    }
  }
  return checked;
}

describe('fast path agrees with the payload table', () => {
  it.each(ftraceFixtures())('fixture %s', (name) => {
    const bytes = readBytes(fixture('ftrace', name));
    checkAgreement(bytes);
    const slow = parseBytes(bytes, [], { fastPath: false });
    const quick = parseFile(fixture('ftrace', name));
    expect(quick.events).toEqual(slow.events);
    expect(quick.parser.diagnostics).toEqual(slow.parser.diagnostics);
  });

  it('covers the hot events of the lab fixtures', () => {
    const n = checkAgreement(readBytes(fixture('ftrace', 'lab-S-shrinker.trace.txt.gz')));
    expect(n).toBe(3369 * 2 + 3054 * 2 + 62 * 3);
  });

  it
    .skipIf(!SHARED)
    .each([
      'lab-6.1/lockdep-6.1-virtio-gpu/D-lockdep-events.trace.txt.gz',
      'lab-6.1/lockdep-6.1-virtio-gpu/D2-lock-unfiltered-tail.trace.txt.gz',
      'lab-6.1/debian-6.1-virtio-gpu/A-events.trace.txt',
      'lab-6.1/debian-6.1-virtio-gpu/B-events.report.txt',
      'traces-public/019-trace-cmd-docs-report-examples.txt',
      'traces-public/021-lkml-vmscan-shrink-slab-traces.txt',
      'traces-public/022-lkml-lock-tracepoint-traces.txt',
    ])('corpus %s', (rel) => {
    expect(checkAgreement(readBytes(sharedPath('corpus', rel)))).toBeGreaterThan(0);
  });
});

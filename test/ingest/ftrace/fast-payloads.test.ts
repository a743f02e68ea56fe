import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAST_BYTE_PAYLOADS, FAST_PAYLOADS } from '../../../src/ingest/ftrace/fast-payloads.js';
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
    const bytes = FAST_BYTE_PAYLOADS.get(e.name);
    if (bytes && /^[\x00-\x7f]*$/.test(e.payload)) {
      // the byte reader, on the payload in place in a longer buffer, gives what the string reader gives
      const u = Buffer.from(`xx ${e.payload}\nyy`, 'latin1');
      expect(bytes(u, 3, 3 + e.payload.length), `line ${e.line}: ${e.payload}`).toEqual(f);
    }
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

describe('fast path never disagrees with the table on mutated payloads', () => {
  const seeds: [string, string][] = [
    ['lock_acquire', 'ffffffffa0002250 try read lab_shrinker_lock'],
    ['lock_release', '0xffffffff81ae6df8 drm_minor_lock'],
    ['contention_begin', '00000000455ca088 (flags=SPIN|MUTEX)'],
    ['contention_end', '0xffffffffadf48380 (ret=-4)'],
    [
      'mm_shrink_slab_start',
      'lab_scan+0x0/0x47 [lab_lockdep] ffffffffa0002000: nid: 0 objects to shrink 0 gfp_flags GFP_KERNEL pgs_scanned 3 lru_pgs 4 cache items 4096 delta 2 total_scan 2 priority 12',
    ],
    [
      'mm_shrink_slab_end',
      'kfree_rcu_shrink_scan+0x0 0xffffffffaded6740: nid: 0 unused scan count 0 new scan count 0 total_scan 0 last shrinker return val 2',
    ],
  ];
  it('fast(payload) is null or equal to the table fields', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.string({
          unit: fc.constantFrom(' ', '-', '0', '9', 'x', 'a', '(', ')', '[', ']', ':', 't', '\t', '\u00a0'),
          maxLength: 4,
        }),
        fc.nat(4),
        ([name, seed], at, insert, del) => {
          const p = at % (seed.length + 1);
          const payload = seed.slice(0, p) + insert + seed.slice(p + del);
          const fast = FAST_PAYLOADS.get(name)!(payload);
          const table = parsePayloadByTable(name, payload);
          if (fast !== null) {
            expect(table.matched, `${name}: ${JSON.stringify(payload)}`).toBe(true);
            expect(fast, `${name}: ${JSON.stringify(payload)}`).toEqual(table.fields);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

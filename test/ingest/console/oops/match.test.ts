import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Oops } from '../../../../src/analyzers/title/types.js';
import {
  HEADER_RE,
  HeaderCandidates,
  matchOops,
  mayHaveHeader,
  OOPSES,
} from '../../../../src/ingest/console/oops/index.js';

/** matchOops without its prefilter: the first banner the line contains that is not suppressed. */
function reference(line: string): Oops | null {
  if (!HEADER_RE.test(line)) return null;
  for (const oops of OOPSES) {
    if (!line.includes(oops.header)) continue;
    const suppressed = oops.suppress.some((s) => (typeof s === 'function' ? s(line) : s.test(line)));
    if (!suppressed) return oops;
  }
  return null;
}

describe('matchOops', () => {
  test('its prefilter lets every banner through, whatever surrounds it', () => {
    // Text around a banner made of the characters banners and ordinary lines share (colons, the
    // letters before a banner's colon, blanks), so near misses (`DEBUG:`, `e:`, `::`) are tried.
    const around = fc.string({ unit: fc.constantFrom(...':GOtrelcpyNSL3C :-BUGx'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(around, fc.constantFrom(...OOPSES.map((o) => o.header)), around, (pre, header, post) => {
        const line = `${pre}${header}${post}`;
        expect(matchOops(line)).toBe(reference(line));
      }),
      { numRuns: 3000 },
    );
  });

  test('real lines: banners found, ordinary lines with colons passed over', () => {
    expect(matchOops('WARNING: possible circular locking dependency detected')?.header).toBe('WARNING:');
    expect(matchOops('BUG: sleeping function called from invalid context at mm/slab.h:742')?.header).toBe(
      'BUG:',
    );
    expect(matchOops('lab_stack: in lab_shrinker_scan: kernel BUG')?.header).toBe('kernel BUG');
    expect(matchOops('Alignment trap: not handling instruction e1953f9f at [<c0231d20>]')?.header).toBe(
      'Alignment trap:',
    );
    expect(matchOops('lockdep: fixing up alternatives')).toBeNull();
    expect(matchOops('virtio_gpu virtio0: [drm] features: +virgl +edid')).toBeNull();
    expect(matchOops(':BUG:')).toBe(reference(':BUG:'));
  });
});

describe('HeaderCandidates', () => {
  test('answers for each line of a piece what mayHaveHeader answers for the line alone', () => {
    // Lines of banners' characters and banners themselves; some lines are not asked about.
    const line = fc.oneof(
      fc.string({ unit: fc.constantFrom(...':GOtrelcpyNSL3C :-BUGx'.split('')), maxLength: 16 }),
      fc.constantFrom(...OOPSES.map((o) => o.header), 'lab: chatter', 'DEBUG: x', 'e: f'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(line, fc.boolean()), { maxLength: 30 }), (lines) => {
        const piece = `${lines.map(([l]) => l).join('\n')}\n`;
        const candidates = new HeaderCandidates();
        candidates.reset(piece);
        let from = 0;
        for (const [l, asked] of lines) {
          if (asked) expect(candidates.within(from, from + l.length)).toBe(mayHaveHeader(l));
          from += l.length + 1;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

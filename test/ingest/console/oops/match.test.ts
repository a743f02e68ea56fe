import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Oops } from '../../../../src/analyzers/title/types.js';
import {
  HEADER_RE,
  HEADER_SCAN,
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
  // Lines of banners' characters and banners themselves, cut banners among them (`Kernel pa`, `BU`,
  // `general`: a keyword's first bytes at the end of a line or of the piece).
  const line = fc.oneof(
    fc.string({ unit: fc.constantFrom(...':GOtrelcpyNSL3C :-BUGxKgeUnB'.split('')), maxLength: 16 }),
    fc.constantFrom(
      ...OOPSES.map((o) => o.header),
      'lab: chatter',
      'DEBUG: x',
      'e: f',
      'Kernel pa',
      'BU',
      'gen',
    ),
  );
  // Each line: its text, whether it is asked about, whether it is asked with `next` (else `within`).
  const lines = fc.array(fc.tuple(line, fc.boolean(), fc.boolean()), { maxLength: 30 });

  test('searches an ASCII piece with the vector scan on this Node', () => {
    expect(HEADER_SCAN).toBe('wasm');
  });

  for (const [name, withBytes] of [
    ['a piece given as text', false],
    ['an ASCII piece given with its bytes (the vector scan)', true],
  ] as const) {
    test(`answers for each line of ${name} what mayHaveHeader answers for the line alone`, () => {
      fc.assert(
        fc.property(lines, fc.boolean(), (ls, lastEnds) => {
          // (the last line may end the piece without a newline: a keyword's bytes past its end)
          const piece = ls.map(([l]) => l).join('\n') + (lastEnds ? '\n' : '');
          const candidates = new HeaderCandidates();
          candidates.reset(piece, withBytes ? Buffer.from(piece, 'latin1') : null);
          let from = 0;
          for (const [l, asked, byNext] of ls) {
            const to = from + l.length;
            if (asked && byNext) expect(candidates.next(from) < to).toBe(mayHaveHeader(l));
            else if (asked) expect(candidates.within(from, to)).toBe(mayHaveHeader(l));
            from = to + 1;
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  test('`next` gives where the first banner of the rest of the piece starts, both ways', () => {
    const piece = '[ 1.0] x: y\n[ 2.0] a BUG: b\n[ 3.0] lab: Kernel panic - not syncing\ngeneral pro';
    const starts = (withBytes: boolean) => {
      const candidates = new HeaderCandidates();
      candidates.reset(piece, withBytes ? Buffer.from(piece, 'latin1') : null);
      const out: number[] = [];
      for (let from = 0; from < piece.length; ) {
        const at = candidates.next(from);
        if (at === Number.POSITIVE_INFINITY) break;
        out.push(at);
        from = piece.indexOf('\n', at) + 1 || piece.length;
      }
      return out;
    };
    expect(starts(true)).toEqual([piece.indexOf('BUG:'), piece.indexOf('Kernel panic')]);
    expect(starts(false)).toEqual(starts(true));
  });
});

import { describe, expect, it } from 'vitest';
import { parseKnownSignatures } from '../../src/ingest/known-signatures.js';

describe('parseKnownSignatures', () => {
  it('takes one signature per line, drops comments, and reports lines that are not signatures', () => {
    const k = parseKnownSignatures(
      '# known splats\ncircular-dependency:fs_reclaim|lab_shrinker_lock  # v5 only\n\nnot a signature\nbad-unlock-balance:x\n',
    );
    expect([...k.signatures]).toEqual([
      'circular-dependency:fs_reclaim|lab_shrinker_lock',
      'bad-unlock-balance:x',
    ]);
    expect(k.diagnostics).toEqual([
      { code: 'KNOWN_BAD_LINE', message: 'not a signature: not a signature', line: 4 },
    ]);
  });
});

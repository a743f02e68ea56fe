import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/shared.js';
import { buildToyRepo, formatToySeries, type ToyRepo } from './toy-series.js';

/**
 * fixtures/series-min/v1 and v2 are this series as git format-patch writes
 * it: rebuilt here and compared (the cover letter's Date varies and is
 * ignored). UPDATE_GOLDEN=1 rewrites the fixtures and the v2 mbox.
 */
const normalize = (text: string) => text.replace(/^Date: .*$/gm, 'Date: -');

describe('fixtures/series-min (toy series)', () => {
  let toy: ToyRepo;
  let out: string;
  beforeAll(async () => {
    toy = await buildToyRepo();
    out = mkdtempSync(join(tmpdir(), 'lockscope-toy-out-'));
  });
  afterAll(() => {
    toy?.repo.cleanup();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  for (const version of [1, 2] as const) {
    it(`v${version} matches git format-patch --cover-letter -v${version}`, async () => {
      const dir = join(out, `v${version}`);
      const files = await formatToySeries(toy, version, dir);
      expect(files).toHaveLength(4);
      const golden = fixture('series-min', `v${version}`);
      if (process.env.UPDATE_GOLDEN) {
        rmSync(golden, { recursive: true, force: true });
        mkdirSync(golden, { recursive: true });
        for (const f of files) writeFileSync(join(golden, f), readFileSync(join(dir, f)));
        if (version === 2) {
          const mbox = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
          writeFileSync(fixture('series-min', 'toy-v2.mbox'), mbox);
        }
      }
      expect(readdirSync(golden).sort()).toEqual(files);
      for (const f of files) {
        expect(normalize(readFileSync(join(golden, f), 'utf8'))).toBe(
          normalize(readFileSync(join(dir, f), 'utf8')),
        );
      }
    });
  }
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSeries } from '../../../src/analyzers/series/checks/index.js';
import { readSeries } from '../../../src/ingest/series/index.js';
import { seriesCheckJson } from '../../../src/render/series-check.js';
import { seriesShowJson } from '../../../src/render/series-show.js';
import { fixture } from '../../helpers/shared.js';

/**
 * Golden files: `series show --json` and `series check --json` documents for
 * every source in fixtures/series-min (directories, mbox, .eml), kept in
 * fixtures/series-min/expected/<name>.{show,check}.json.golden.
 * UPDATE_GOLDEN=1 rewrites them; a reviewer reads the diff.
 */
const SOURCES = ['v1', 'v2', 'toy-v2.mbox', join('mime', 'qp-purge.eml')];
const expected = fixture('series-min', 'expected');

describe('golden: series show/check JSON over fixtures/series-min', () => {
  for (const source of SOURCES) {
    const name = source.replace(/[/\\]/g, '-');
    it(source, async () => {
      const series = await readSeries(fixture('series-min', source));
      const docs = {
        show: seriesShowJson(series),
        check: seriesCheckJson(checkSeries(series)),
      };
      for (const [kind, doc] of Object.entries(docs)) {
        const file = join(expected, `${name}.${kind}.json.golden`);
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (process.env.UPDATE_GOLDEN) {
          mkdirSync(expected, { recursive: true });
          writeFileSync(file, text);
        }
        expect(text).toBe(readFileSync(file, 'utf8'));
      }
    });
  }
});

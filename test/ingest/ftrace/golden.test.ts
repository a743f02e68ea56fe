import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../helpers/shared.js';
import { countByName, ftraceFixtures, parseFile } from './parse-helpers.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Events kept in a golden file; a larger trace keeps its first ones (counts cover the rest). */
const MAX_EVENTS = 80;

describe('ftrace text fixtures (golden)', () => {
  for (const name of ftraceFixtures()) {
    it(name, () => {
      const { events, parser } = parseFile(fixture('ftrace', name));
      const actual = {
        stats: parser.stats,
        byName: countByName(events),
        diagnostics: parser.diagnostics,
        events: events.slice(0, MAX_EVENTS),
      };
      const goldenPath = fixture('ftrace', `${name}.json.golden`);
      if (UPDATE) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 1)}\n`);
      expect(existsSync(goldenPath), `${goldenPath} missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
      // Every line is accounted for: an event, a structural line, or skipped with a diagnostic.
      expect(parser.stats.lines).toBe(parser.stats.events + parser.stats.headerLines + parser.stats.skipped);
    });
  }
});

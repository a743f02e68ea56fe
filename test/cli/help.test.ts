import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/shared.js';

// Every command the build registered (oclif.manifest.json, written by `npm run build`), its topic,
// and the root: `lockscope triage diff --help` is `triage diff --help`.
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, unknown>;
};
const ids = Object.keys(manifest.commands).sort();
const topics = [...new Set(ids.filter((id) => id.includes(':')).map((id) => id.split(':')[0] as string))];
const pages = [[], ...topics.map((t) => [t]), ...ids.map((id) => id.split(':'))];

describe('--help', () => {
  it('registers the commands the README lists', () => {
    expect(ids).toEqual([
      'bisect:series',
      'bisect:verdict',
      'blame',
      'lockdep:diff',
      'lockdep:graph',
      'series:check',
      'series:diff',
      'series:show',
      'trace:analyze',
      'trace:diff',
      'trace:graph',
      'triage',
      'triage:diff',
    ]);
  });

  // Help goes to a terminal of 80 columns, or into a mail: long example commands are continued
  // with a backslash, as a shell reads them.
  it.each(pages.map((p) => [p.join(' ') || '(root)', p]))('%s fits in 80 columns', (_, page) => {
    const r = runCli([...(page as string[]), '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/USAGE/);
    expect(r.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
  });
});

import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.js';
import { fixture, ROOT } from '../helpers/shared.js';

/** The lab series v5 → v6 as `git range-diff` pairs them: 1–2 same, 3–6 changed, v6 7 added, v5 9 dropped. */
const LAB_PAIR_STATUSES = ['=', '=', '!', '!', '!', '!', '>', '=', '=', '<'];

/**
 * A five-patch v5 and a four-patch v6 of a small shrinker module, built as
 * two branches of a throwaway repository, exported with
 * `git format-patch --cover-letter -vN`, and compared both ways: as mbox
 * directories and as git ranges.
 */
const BASE = `#include <linux/module.h>
#include <linux/shrinker.h>
#include <linux/dma-resv.h>

struct lab_obj {
\tstruct dma_resv *resv;
\tstruct list_head node;
\tunsigned long pages;
\tbool purgeable;
};

static LIST_HEAD(lab_lru);

static unsigned long lab_count(struct shrinker *s, struct shrink_control *sc)
{
\treturn 0;
}

static unsigned long lab_scan(struct shrinker *s, struct shrink_control *sc)
{
\tunsigned long freed = 0;
\treturn freed;
}

static struct shrinker lab_shrinker = {
\t.count_objects = lab_count,
\t.scan_objects = lab_scan,
\t.seeks = DEFAULT_SEEKS,
};
`;

const COUNT_BODY = `\tstruct lab_obj *obj;
\tunsigned long n = 0;

\tlist_for_each_entry(obj, &lab_lru, node)
\t\tn += obj->purgeable ? obj->pages : 0;
\treturn n ?: SHRINK_EMPTY;
`;

function scanBody(lock: string): string {
  return `\tstruct lab_obj *obj, *tmp;
\tunsigned long freed = 0;

\tlist_for_each_entry_safe(obj, tmp, &lab_lru, node) {
${lock}
\t\tfreed += obj->pages;
\t\tobj->pages = 0;
\t\tdma_resv_unlock(obj->resv);
\t}
\treturn freed;
`;
}

const withCount = (src: string) => src.replace('{\n\treturn 0;\n}', `{\n${COUNT_BODY}}`);
const withScan = (src: string, lock: string) =>
  src.replace('{\n\tunsigned long freed = 0;\n\treturn freed;\n}', `{\n${scanBody(lock)}}`);
const V5_LOCK = '\t\tdma_resv_lock(obj->resv, NULL);';
const V6_LOCK = '\t\tif (!dma_resv_trylock(obj->resv))\n\t\t\tcontinue;';
const STATS =
  'static unsigned long lab_nr_objects;\n\nunsigned long lab_objects(void)\n{\n\treturn lab_nr_objects;\n}\n';
const EVICT =
  'int lab_evict(struct lab_obj *obj)\n{\n\tdma_resv_assert_held(obj->resv);\n\tobj->pages = 0;\n\treturn 0;\n}\n';
const README = 'A test module.\n';

const msg = (subject: string, body: string) =>
  `${subject}\n\n${body}\n\nSigned-off-by: Ada Kernel <ada@example.org>\n`;

describe('series diff', () => {
  let repo: TestRepo;
  let dir5: string;
  let dir6: string;

  beforeAll(async () => {
    repo = await createTestRepo();
    await repo.commit('lab: Add the module skeleton', { 'lab.c': BASE, README });
    await repo.tag('base');
    await repo.git.raw(['checkout', '-q', '-b', 'v5']);
    await repo.commit(msg('lab: Count purgeable objects', 'Count pages of purgeable objects.'), {
      'lab.c': withCount(BASE),
    });
    await repo.commit(msg('lab: Purge objects in the scan', 'Purge under the reservation lock.'), {
      'lab.c': withScan(withCount(BASE), V5_LOCK),
    });
    await repo.commit(msg('lab: Add object statistics', 'For debugging.'), { 'stats.c': STATS });
    await repo.commit(msg('lab: Document the module', 'Say what it is for.'), {
      README: `${README}It has a shrinker.\n`,
    });
    await repo.git.raw(['checkout', '-q', '-b', 'v6', 'base']);
    await repo.commit(msg('lab: Count purgeable objects', 'Count pages of purgeable objects.'), {
      'lab.c': withCount(BASE),
    });
    await repo.commit(msg('lab: Purge objects in the scan', 'Purge under the reservation lock.'), {
      'lab.c': withScan(withCount(BASE), V6_LOCK),
    });
    await repo.commit(msg('lab: Describe the module in the README', 'Say what it is for.'), {
      README: `${README}It has a shrinker.\n`,
    });
    await repo.commit(msg('lab: Add an evict path', 'Evict objects under their reservation lock.'), {
      'evict.c': EVICT,
    });
    dir5 = join(repo.dir, '..', 'v5');
    dir6 = join(repo.dir, '..', 'v6');
    await repo.formatPatch('base..v5', dir5, ['--cover-letter', '-v5']);
    await repo.formatPatch('base..v6', dir6, ['--cover-letter', '-v6']);
    const cover = join(dir6, 'v6-0000-cover-letter.patch');
    writeFileSync(
      cover,
      readFileSync(cover, 'utf8')
        .replace('*** SUBJECT HERE ***', 'Lab shrinker')
        .replace(
          '*** BLURB HERE ***',
          'A lab module.\n\nChanges in v6:\n- Use dma_resv_trylock() in lab_scan() so reclaim never blocks.\n- Dropped the statistics patch.\n- Reworded patch 1.\n',
        ),
    );
  });
  afterAll(() => repo?.cleanup());

  it('pairs the patches of two mbox directories and shows the locking change', () => {
    // (relative paths: the header names the sources as they were typed)
    const r = runCli(['series', 'diff', 'v5', 'v6'], { env: repo.env, cwd: join(dir5, '..') });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('v5 (dir:v5, 4 patches) → v6 (dir:v6, 4 patches)');
    expect(lines.slice(2, 7).map((l) => l.replace(/[0-9a-f]{7}/g, 'HASH'))).toEqual([
      '1:  HASH = 1:  HASH lab: Count purgeable objects',
      '2:  HASH ! 2:  HASH lab: Purge objects in the scan',
      // from mbox hunks alone the `.scan_objects = lab_scan` line (in the base) is not visible
      '    locking: lab_scan: `dma_resv_lock` → `dma_resv_trylock`',
      '    diff: 2 changed lines in, 1 out',
      '3:  HASH < -:  ------- lab: Add object statistics',
    ]);
    expect(lines.slice(7).map((l) => l.replace(/[0-9a-f]{7}/g, 'HASH'))).toEqual([
      '4:  HASH ! 3:  HASH lab: Describe the module in the README',
      '    subject: was "lab: Document the module"',
      '-:  ------- > 4:  HASH lab: Add an evict path',
      '',
      'changelog: 3 warnings',
      // findings wrapped at 80 columns under their id
      '  CHANGELOG_INCOMPLETE: the v6 changelog mentions patch 1 "lab: Count purgeable',
      '    objects" (patch number: "Reworded patch 1.") but it did not change',
      '  CHANGELOG_INCOMPLETE: patch 3 "lab: Describe the module in the README" changed',
      '    (subject) but the v6 changelog does not mention it',
      '  CHANGELOG_INCOMPLETE: patch 4 "lab: Add an evict path" is new but the v6',
      '    changelog does not mention it',
      '',
    ]);
    expect(r.stderr).toBe('');
  });

  it('puts the new side under the old when long paths would pass 80 columns', () => {
    const parent = join(dir5, '..');
    const long = (v: string) => `${v}-as-sent-to-dri-devel-for-the-shmem-shrinker`;
    symlinkSync(dir5, join(parent, long('v5')));
    symlinkSync(dir6, join(parent, long('v6')));
    const r = runCli(['series', 'diff', long('v5'), long('v6')], { env: repo.env, cwd: parent });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'v5 (dir:v5-as-sent-to-dri-devel-for-the-shmem-shrinker, 4 patches)',
      '  → v6 (dir:v6-as-sent-to-dri-devel-for-the-shmem-shrinker, 4 patches)',
      '',
    ]);
  });

  it('reads git ranges the same way, with commit hashes', async () => {
    const r = runCli(['series', 'diff', '--json', 'base..v5', 'base..v6'], { cwd: repo.dir, env: repo.env });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const v5 = (await repo.git.raw(['rev-list', '--reverse', 'base..v5'])).trim().split('\n');
    expect(doc.schemaVersion).toBe(1);
    expect(doc.pairs.map((p: { status: string }) => p.status)).toEqual(['=', '!', '<', '!', '>']);
    expect(doc.pairs[1].old.commit).toBe(v5[1]);
    expect(doc.pairs[1].interdiff.lockChanges[0]).toMatchObject({
      function: 'lab_scan',
      role: 'scan_objects',
      from: 'dma_resv_lock',
      to: 'dma_resv_trylock',
    });
    expect(doc.findings).toEqual([]); // git ranges carry no cover letter, so no changelog to check
  });

  it('exits 2 naming the input when it is unusable', () => {
    const r = runCli(['series', 'diff', dir5, join(repo.dir, 'no-such.mbox')], { env: repo.env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such.mbox');
  });
});

/**
 * The lab's real v5 and v6 (fixtures/series), applied with `git am` onto the
 * lab's base commit: our pairs must be git range-diff's, line for line.
 */
const LAB_BASE = join(ROOT, 'lab', 'series', 'base');
describe.skipIf(!existsSync(LAB_BASE) || !existsSync(fixture('series', 'v5')))(
  'series diff on the lab series',
  () => {
    let repo: TestRepo;
    beforeAll(async () => {
      repo = await createTestRepo();
      cpSync(LAB_BASE, repo.dir, { recursive: true });
      await repo.commit('shmem-shrinker-lab: Add the module skeleton', {});
      await repo.tag('base');
      for (const v of ['v5', 'v6']) {
        await repo.git.raw(['checkout', '-q', '-b', v, 'base']);
        const dir = fixture('series', v);
        const patches = readdirSync(dir)
          .filter((n) => /^v\d+-\d{4}-/.test(n) && !n.includes('-0000-'))
          .sort()
          .map((n) => join(dir, n));
        await repo.git.raw(['am', '-q', ...patches]);
      }
    });
    afterAll(() => repo?.cleanup());

    it('pairs exactly as git range-diff does, and shows the scan path going from dma_resv_lock to trylock', async () => {
      const rangeDiff = (await repo.git.raw(['range-diff', '--no-color', 'base..v5', 'base..v6']))
        .split('\n')
        .filter((l) => /^ *[-0-9]+: /.test(l));
      const r = runCli(['series', 'diff', 'base..v5', 'base..v6'], { cwd: repo.dir, env: repo.env });
      expect(r.status).toBe(0);
      const ours = r.stdout.split('\n').filter((l) => /^ *[-0-9]+: /.test(l));
      expect(ours).toEqual(rangeDiff);
      expect(ours.map((l) => l.split(/\s+/).find((w) => /^[=!<>]$/.test(w)))).toEqual(LAB_PAIR_STATUSES);
      // the interdiff's lines wrap at 80 columns (the pair lines are git's, unwrapped)
      expect(r.stdout).toContain(
        '    locking: shmem_lab_shrinker_scan (scan_objects): `dma_resv_lock` →\n' +
          '      `dma_resv_trylock` in shmem_lab_shrinker_scan_list\n',
      );
      const under = r.stdout.split('\n').filter((l) => !/^ *[-0-9]+: /.test(l) && !l.startsWith('('));
      expect(under.filter((l) => l.length > 80)).toEqual([]);
    });

    it('reads the mbox directories to the same pairs, and the real changelog mentions every change', () => {
      const r = runCli(['series', 'diff', '--json', fixture('series', 'v5'), fixture('series', 'v6')]);
      expect(r.status).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.pairs.map((p: { status: string }) => p.status)).toEqual(LAB_PAIR_STATUSES);
      expect(doc.pairs[6].new.subject).toBe('shmem-shrinker-lab: Purge objects before evicting any');
      expect(doc.pairs[9].old.subject).toBe('shmem-shrinker-lab: Skip objects pinned for scanout');
      expect(doc.findings).toEqual([]);
      // functions the patches change, not their hunk headers' context (patch 4's shmem_lab.h hunk
      // header names shmem_lab_lru_init in v5 and shmem_lab_lru_update in v6: neither is touched)
      const fns = (i: number) => [
        doc.pairs[i].interdiff?.functionsAdded,
        doc.pairs[i].interdiff?.functionsRemoved,
      ];
      expect(fns(2)).toEqual([['shmem_lab_lru_update_locked'], []]);
      expect(fns(3)).toEqual([[], []]);
      expect(fns(5)).toEqual([['shmem_lab_shrinker_scan_list'], ['shmem_lab_shrinker_next']]);
    });
  },
);

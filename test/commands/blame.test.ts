import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.js';
import { fixture } from '../helpers/shared.js';

/**
 * The lab's shrinker splat (kswapd: fs_reclaim held, lab_scan takes
 * lab_shrinker_lock; the other edge from lab_alloc_under_lock's kmalloc)
 * against a four-patch series of a module shaped like the one that made it.
 */
const SPLAT = fixture('console', 'lab-6.1', 'shrinker', 'dmesg.txt');

const HEAD =
  '#include <linux/module.h>\n#include <linux/shrinker.h>\n\nstatic DEFINE_MUTEX(lab_shrinker_lock);\n';
const ALLOC = `
static void *lab_alloc_under_lock(size_t n)
{
\tvoid *p;

\tmutex_lock(&lab_shrinker_lock);
\tp = kmalloc(n, GFP_KERNEL);
\tmutex_unlock(&lab_shrinker_lock);
\treturn p;
}
`;
const scan = (body: string) => `
static unsigned long lab_scan(struct shrinker *s, struct shrink_control *sc)
{
${body}\treturn 0;
}

static struct shrinker lab_shrinker = {
\t.scan_objects = lab_scan,
};
`;
const LOCKED =
  '\tmutex_lock(&lab_shrinker_lock);\n\tlab_drop_cache();\n\tmutex_unlock(&lab_shrinker_lock);\n';
const msg = (subject: string) => `${subject}\n\nWhy.\n\nSigned-off-by: Ada Kernel <ada@example.org>\n`;

describe('blame', () => {
  let repo: TestRepo;
  let series: string;
  beforeAll(async () => {
    repo = await createTestRepo();
    await repo.commit('lab: Skeleton', { 'lab.c': HEAD });
    await repo.tag('base');
    await repo.commit(msg('lab: Allocate buffers under the shrinker lock'), { 'lab.c': HEAD + ALLOC });
    await repo.commit(msg('lab: Add a shrinker'), { 'lab.c': HEAD + ALLOC + scan('') });
    await repo.commit(msg('lab: Drop the cache from the shrinker'), { 'lab.c': HEAD + ALLOC + scan(LOCKED) });
    await repo.commit(msg('lab: Add a README'), { README: 'lab\n' });
    series = join(repo.dir, '..', 'series');
    await repo.formatPatch('base..HEAD', series, ['--cover-letter', '-v2']);
  });
  afterAll(() => repo?.cleanup());

  it('ranks the patch that made the scan take the lock first, with reasons', () => {
    const r = runCli(['blame', SPLAT, '--series', series], { env: repo.env });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    // the log's path whole, each splat's title under it
    expect(lines.slice(0, 3)).toEqual([
      `${SPLAT}: 1 splat`,
      '    possible deadlock in lab_scan',
      expect.stringMatching(/^series: v2, 4 patches \(dir:.*series\)$/),
    ]);
    expect(lines[4]).toBe('1. patch 3/4  score 9  lab: Drop the cache from the shrinker');
    // each reason wrapped at 80 columns under its dash
    expect(lines.slice(5, 10)).toEqual([
      '     - changes locking in lab_scan, the acquisition site of "possible deadlock',
      '       in lab_scan" (+3)',
      '     - takes `mutex_lock(&lab_shrinker_lock)` in lab_scan, where lockdep saw',
      '       lab_shrinker_lock acquired (the acquisition site) (+6)',
      expect.stringMatching(/^2\. patch /),
    ]);
  });

  it('gives the JSON contract, best first', () => {
    const r = runCli(['blame', '--json', SPLAT, '--series', series], { env: repo.env });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.candidates.map((c: { index: number }) => c.index)).toEqual([3, 1, 2]);
    expect(Object.keys(doc.candidates[0])).toEqual(['index', 'subject', 'score', 'reasons']);
    const scores = doc.candidates.map((c: { score: number }) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(doc.candidates[1].reasons).toEqual([
      'adds lab_alloc_under_lock, chain link #1 of "possible deadlock in lab_scan" (+2)',
      'starts taking lab_shrinker_lock (`mutex_lock(&lab_shrinker_lock)` in lab_alloc_under_lock), a class in the cycle (+2)',
      'allocates with `GFP_KERNEL` (`kmalloc` in lab_alloc_under_lock) while holding lab_shrinker_lock: fs_reclaim and lab_shrinker_lock are in the cycle (+2)',
    ]);
    expect(doc.candidates[2].reasons).toEqual([
      'adds lab_scan, the acquisition site of "possible deadlock in lab_scan" (+3)',
    ]);
  });

  it('exits 2 naming a missing log', () => {
    const r = runCli(['blame', 'no-such-dmesg.txt', '--series', series], { env: repo.env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-dmesg.txt');
  });

  it('exits 2 on a log without kernel output instead of finding nothing to blame', () => {
    const r = runCli(['blame', '-', '--series', series], {
      env: repo.env,
      input: 'make: *** [Makefile:1234: vmlinux] Error 2\n',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lockscope: -: no kernel console output');
  });
});

/** The lab's real v5 run: kswapd's shrinker scan takes a reservation lock under fs_reclaim. */
const V5_RUN = fixture('runs', 'v5', 'dmesg.txt');
describe.skipIf(!existsSync(V5_RUN))('blame on the lab v5 run', () => {
  it('ranks the patch that made the scan take dma_resv_lock first', () => {
    const r = runCli(['blame', '--json', V5_RUN, '--series', fixture('series', 'v5')]);
    expect(r.status).toBe(0);
    const [first] = JSON.parse(r.stdout).candidates;
    expect(first.index).toBe(6);
    expect(first.subject).toBe('shmem-shrinker-lab: Register a generic memory shrinker');
    expect(first.reasons).toContain(
      'takes `dma_resv_lock(&obj->resv)` in shmem_lab_shrinker_scan, where lockdep saw reservation_ww_class_mutex acquired (the acquisition site) (+6)',
    );
  });
});

import { join } from 'node:path';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';

/**
 * A small drm "toy" driver series written for lockscope's tests, in two
 * versions. v1 has the hazards `series check` looks for; v2 fixes them:
 *
 *   1/3 drm/toy: add a memory shrinker       v1: scan takes dma_resv_lock (BLOCKING_LOCK_IN_SHRINKER)
 *                                            v2: scan uses dma_resv_trylock
 *   2/3 drm/toy: allocate the page array ... v1: kvmalloc_array(GFP_KERNEL) under the resv lock
 *                                                (ALLOC_UNDER_RECLAIM_LOCK), an early return with the
 *                                                lock held (UNBALANCED_LOCK), `Fixes: 1234abcd` (BAD_FIXES_TAG)
 *   3/3 drm/toy: add toy_bo_vmap_locked()    v1: no assertion (LOCKED_WITHOUT_ASSERT), no Signed-off-by
 *
 * `fixtures/series-min/v1` and `v2` are `git format-patch --cover-letter`
 * of these commits (see toy-series.test.ts; UPDATE_GOLDEN=1 rewrites them).
 */
export const TOY_FILE = 'drivers/gpu/drm/toy/toy_gem.c';

const HEAD = `// SPDX-License-Identifier: GPL-2.0
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

struct toy_bo {
	struct dma_resv *resv;
	struct list_head lru_node;
	struct page **pages;
	size_t npages;
};

struct toy_device {
	struct mutex lru_lock;
	struct list_head lru;
	unsigned long nr_pages;
	struct shrinker shrinker;
};

static void toy_bo_release_pages(struct toy_bo *bo)
{
	kvfree(bo->pages);
	bo->pages = NULL;
}

struct toy_bo *toy_bo_create(size_t size)
{
	struct toy_bo *bo;

	/* the object itself: "kzalloc(GFP_KERNEL)" in a comment is not a call */
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return NULL;
	bo->npages = size >> PAGE_SHIFT;
	return bo;
}
`;

const shrinker = (scanLock: string) => `
static unsigned long toy_shrinker_count(struct shrinker *shrinker,
					struct shrink_control *sc)
{
	struct toy_device *tdev = container_of(shrinker, struct toy_device, shrinker);

	return READ_ONCE(tdev->nr_pages) ?: SHRINK_EMPTY;
}

static unsigned long toy_shrinker_scan(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	struct toy_device *tdev = container_of(shrinker, struct toy_device, shrinker);
	struct toy_bo *bo, *tmp;
	unsigned long freed = 0;

	if (!mutex_trylock(&tdev->lru_lock))
		return SHRINK_STOP;

	list_for_each_entry_safe(bo, tmp, &tdev->lru, lru_node) {
${scanLock}
		toy_bo_release_pages(bo);
		dma_resv_unlock(bo->resv);
		freed += bo->npages;
		if (freed >= sc->nr_to_scan)
			break;
	}
	mutex_unlock(&tdev->lru_lock);

	return freed;
}

int toy_shrinker_init(struct toy_device *tdev)
{
	tdev->shrinker.count_objects = toy_shrinker_count;
	tdev->shrinker.scan_objects = toy_shrinker_scan;
	tdev->shrinker.seeks = DEFAULT_SEEKS;
	return register_shrinker(&tdev->shrinker, "drm-toy");
}
`;

const SCAN_V1 = '\t\tdma_resv_lock(bo->resv, NULL);';
const SCAN_V2 = '\t\tif (!dma_resv_trylock(bo->resv))\n\t\t\tcontinue;';

const GET_PAGES_V1 = `
int toy_bo_get_pages(struct toy_bo *bo)
{
	struct page **pages;

	dma_resv_lock(bo->resv, NULL);
	if (bo->pages) {
		dma_resv_unlock(bo->resv);
		return 0;
	}
	pages = kvmalloc_array(bo->npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	bo->pages = pages;
	dma_resv_unlock(bo->resv);
	return 0;
}
`;

const GET_PAGES_V2 = `
int toy_bo_get_pages(struct toy_bo *bo)
{
	struct page **pages;

	pages = kvmalloc_array(bo->npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	dma_resv_lock(bo->resv, NULL);
	if (bo->pages) {
		dma_resv_unlock(bo->resv);
		kvfree(pages);
		return 0;
	}
	bo->pages = pages;
	dma_resv_unlock(bo->resv);
	return 0;
}
`;

const vmapLocked = (assert: boolean) => `
int toy_bo_vmap_locked(struct toy_bo *bo, void **vaddr)
{
${assert ? '\tdma_resv_assert_held(bo->resv);\n\n' : ''}	if (!bo->pages)
		return -EINVAL;
	*vaddr = vmap(bo->pages, bo->npages, VM_MAP, PAGE_KERNEL);
	return *vaddr ? 0 : -ENOMEM;
}
`;

const SOB = 'Signed-off-by: Ada Kernel <ada@example.org>';

export interface ToyCommit {
  message: string;
  files: Record<string, string>;
}

export const TOY_BASE: ToyCommit = {
  message: `drm/toy: add the toy GEM driver\n\n${SOB}`,
  files: { [TOY_FILE]: HEAD },
};

export function toyCommits(version: 1 | 2): ToyCommit[] {
  const v1 = version === 1;
  const one = HEAD + shrinker(v1 ? SCAN_V1 : SCAN_V2);
  const two = one + (v1 ? GET_PAGES_V1 : GET_PAGES_V2);
  const three = two + vmapLocked(!v1);
  return [
    {
      message: `drm/toy: add a memory shrinker\n\nRelease the pages of idle buffer objects under memory pressure.\n\n${SOB}`,
      files: { [TOY_FILE]: one },
    },
    {
      message: `drm/toy: allocate the page array on demand\n\nAllocate the page array the first time the pages are needed.\n\n${
        v1
          ? 'Fixes: 1234abcd (drm/toy: add the toy GEM driver)'
          : 'Fixes: 0123456789ab ("drm/toy: add the toy GEM driver")'
      }\n${SOB}\nReviewed-by: Bo Reviewer <bo@example.org>`,
      files: { [TOY_FILE]: two },
    },
    {
      message: `drm/toy: add toy_bo_vmap_locked()\n\nMap the pages of a buffer object whose reservation is held.${v1 ? '' : `\n\n${SOB}`}`,
      files: { [TOY_FILE]: three },
    },
  ];
}

export interface ToyRepo {
  repo: TestRepo;
  base: string;
}

/** A repo with the base commit on `master`, and `b4/toy-v1` / `b4/toy-v2` tags on two branches. */
export async function buildToyRepo(): Promise<ToyRepo> {
  const repo = await createTestRepo('lockscope-toy-');
  const base = await repo.commit(TOY_BASE.message, TOY_BASE.files);
  for (const version of [1, 2] as const) {
    await repo.git.raw(['checkout', '-q', '-B', `toy-v${version}`, base]);
    for (const c of toyCommits(version)) await repo.commit(c.message, c.files);
    await repo.tag(`b4/toy-v${version}`);
  }
  await repo.git.raw(['checkout', '-q', 'master']);
  return { repo, base };
}

/** `git format-patch --cover-letter -vN` of a version into `dir`, with the cover letter filled in. */
export async function formatToySeries(toy: ToyRepo, version: 1 | 2, dir: string): Promise<string[]> {
  const files = await toy.repo.formatPatch(`${toy.base}..b4/toy-v${version}`, dir, [
    '--cover-letter',
    `-v${version}`,
    '--no-signature',
  ]);
  const { readFileSync, writeFileSync } = await import('node:fs');
  const coverPath = join(dir, files[0]!);
  const changelog =
    version === 1
      ? ''
      : '\nChanges in v2:\n- Use dma_resv_trylock() in the shrinker scan path\n- Allocate the page array before taking the\n  reservation lock, and drop the early return with the lock held\n- Assert the reservation lock in toy_bo_vmap_locked()\n- Link to v1: https://lore.example.org/r/20260101-toy-v1-0-1@example.org\n';
  const cover = readFileSync(coverPath, 'utf8')
    .replace('*** SUBJECT HERE ***', 'drm/toy: a memory shrinker for the toy driver')
    .replace('*** BLURB HERE ***', `This series adds a memory shrinker to the toy GEM driver.\n${changelog}`);
  writeFileSync(coverPath, cover);
  return files;
}

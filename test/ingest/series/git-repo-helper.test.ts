import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestRepo, type TestRepo } from '../../helpers/git-repo.js';

describe('test/helpers/git-repo', () => {
  let repo: TestRepo;
  afterAll(() => repo?.cleanup());

  it('builds a hermetic repo with reproducible commits and format-patch output', async () => {
    repo = await createTestRepo();
    const base = await repo.commit('base', { 'a.c': 'int a;\n' });
    await repo.commit('drm: add b\n\nSigned-off-by: Ada Kernel <ada@example.org>', { 'b.c': 'int b;\n' });
    await repo.tag('b4/test-v1');
    expect(base).toMatch(/^[0-9a-f]{40}$/);
    expect(repo.env.HOME).toContain('lockscope-repo-');
    expect((await repo.git.raw(['config', '--get', 'user.name']).catch(() => '')).trim()).toBe('');
    const files = await repo.formatPatch(`${base}..b4/test-v1`, join(repo.dir, '..', 'out'));
    expect(files).toEqual(['0001-drm-add-b.patch']);
    const text = readFileSync(join(repo.dir, '..', 'out', files[0]!), 'utf8');
    expect(text).toContain('From: Ada Kernel <ada@example.org>');
    expect(text).toContain('Subject: [PATCH] drm: add b');
  });
});

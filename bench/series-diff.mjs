// `series diff` of two versions of a 50-patch series (built here as two branches of a
// throwaway repo in bench/out/), next to `git range-diff` on the same two ranges.
// Target: under 3 s. Size: LOCKSCOPE_BENCH_PATCHES (default 50).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, OUT } from './lib.mjs';

const N = Number(process.env.LOCKSCOPE_BENCH_PATCHES ?? 50);
const repo = join(OUT, `series-diff-${N}`);
const home = join(OUT, `series-diff-${N}-home`);
const env = {
  PATH: process.env.PATH,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench Kernel',
  GIT_AUTHOR_EMAIL: 'bench@example.org',
  GIT_COMMITTER_NAME: 'Bench Kernel',
  GIT_COMMITTER_EMAIL: 'bench@example.org',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  TZ: 'UTC',
};

function git(...args) {
  const r = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One driver file: a few functions, one of them taking a lock (`lock` decides which call). */
function source(n, lock, extra = '') {
  const lines = [
    `#include <linux/mutex.h>`,
    `#include <linux/dma-resv.h>`,
    '',
    `static DEFINE_MUTEX(lab${n}_lock);`,
    '',
  ];
  for (let f = 0; f < 6; f++) {
    lines.push(`static int lab${n}_fn${f}(struct lab_obj *obj)`, '{', `\tint ret = ${f};`, '');
    if (f === 2) lines.push(`\t${lock}(obj->resv${lock === 'dma_resv_lock' ? ', NULL' : ''});`);
    lines.push(`\tret += obj->pages[${f}];`, `\tobj->count += ${n};`);
    if (f === 2) lines.push('\tdma_resv_unlock(obj->resv);');
    lines.push('\treturn ret;', '}', '');
  }
  return lines.join('\n') + extra;
}

function commit(message, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

if (!existsSync(join(repo, '.git'))) {
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  mkdirSync(home, { recursive: true });
  git('init', '-q', '-b', 'master');
  commit('lab: Skeleton', { README: 'lab\n' });
  git('tag', 'base');
  const body = (n) => `Patch ${n} of the lab series.\n\nSigned-off-by: Bench Kernel <bench@example.org>`;
  git('checkout', '-q', '-b', 'v5');
  for (let n = 1; n <= N; n++) {
    commit(`lab${n}: Add driver part ${n}\n\n${body(n)}`, {
      [`drivers/lab/lab${n}.c`]: source(n, 'dma_resv_lock'),
    });
  }
  git('checkout', '-q', '-b', 'v6', 'base');
  for (let n = 1; n <= N; n++) {
    if (n % 17 === 0) continue; // dropped
    const subject = n % 11 === 0 ? `lab${n}: Introduce driver part ${n}` : `lab${n}: Add driver part ${n}`;
    const lock = n % 5 === 0 ? 'dma_resv_trylock' : 'dma_resv_lock'; // changed locking
    commit(`${subject}\n\n${body(n)}`, { [`drivers/lab/lab${n}.c`]: source(n, lock) });
    if (n % 19 === 0) {
      commit(`lab${n}: Add an evict path\n\n${body(n)}`, {
        [`drivers/lab/lab${n}-evict.c`]: source(n + 1000, 'dma_resv_trylock'),
      });
    }
  }
}

console.log(`  two versions of a ${N}-patch series (${repo})`);
const baseline = measure('git', ['range-diff', 'base..v5', 'base..v6'], { cwd: repo, env });
const [node, args] = cli(['series', 'diff', 'base..v5', 'base..v6']);
const ours = measure(node, args, { cwd: repo, env: { ...process.env, ...env } });
const fmt = (m) =>
  `${m.seconds.toFixed(2).padStart(6)} s  ${m.rssMB === null ? '  n/a' : m.rssMB.toFixed(0).padStart(5)} MB RSS`;
console.log(`  git range-diff base..v5 base..v6      ${fmt(baseline)}  exit ${baseline.status}`);
console.log(`  lockscope series diff (git ranges)    ${fmt(ours)}  exit ${ours.status}  (target < 3 s)`);
if (ours.status !== 0) {
  console.error(ours.stderr);
  process.exit(1);
}

// `series show` + `series check` on a 50-patch series (target: under 2 s together), read from
// git (whole pre/post-image files) and from the same series as format-patch files (hunks only),
// next to `lockscope --version` start-up and `git format-patch` of the same range.
// The series is built here: a git repo in bench/out/series-repo with 20 driver files of ~600
// lines, and N commits (LOCKSCOPE_BENCH_PATCHES, default 50) each adding a locked function,
// an allocation and a shrinker-style scan. Git runs hermetically (temp HOME, no global config).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, measure, OUT } from './lib.mjs';

const patches = Number(process.env.LOCKSCOPE_BENCH_PATCHES ?? 50);
const repo = join(OUT, `series-repo-${patches}`);
const home = join(OUT, 'series-home');
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench Author',
  GIT_AUTHOR_EMAIL: 'bench@example.org',
  GIT_COMMITTER_NAME: 'Bench Author',
  GIT_COMMITTER_EMAIL: 'bench@example.org',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};
const git = (...args) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' });

function driverFile(n) {
  const out = [
    `// SPDX-License-Identifier: GPL-2.0`,
    `#include <linux/mutex.h>`,
    `#include <linux/dma-resv.h>`,
    '',
  ];
  for (let f = 0; f < 40; f++) {
    out.push(
      `static int bench${n}_helper${f}(struct bench_obj *obj)`,
      '{',
      '\tint ret = 0;',
      '',
      '\tmutex_lock(&obj->lock);',
      `\tobj->count += ${f};`,
      '\tif (obj->count > 100)',
      '\t\tret = -EBUSY;',
      '\tmutex_unlock(&obj->lock);',
      '\treturn ret;',
      '}',
      '',
    );
  }
  return out.join('\n');
}

function addition(i) {
  return [
    '',
    `static unsigned long bench_scan${i}(struct shrinker *s, struct shrink_control *sc)`,
    '{',
    '\tstruct bench_obj *obj = s->private_data;',
    '',
    '\tif (!dma_resv_trylock(obj->resv))',
    '\t\treturn SHRINK_STOP;',
    '\tobj->count = 0;',
    '\tdma_resv_unlock(obj->resv);',
    '\treturn 1;',
    '}',
    '',
    `int bench_get${i}_locked(struct bench_obj *obj)`,
    '{',
    '\tdma_resv_assert_held(obj->resv);',
    '\tobj->pages = kvmalloc_array(obj->n, sizeof(*obj->pages), GFP_KERNEL);',
    '\treturn obj->pages ? 0 : -ENOMEM;',
    '}',
    '',
  ].join('\n');
}

if (!existsSync(join(repo, '.git'))) {
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(join(repo, 'drivers', 'bench'), { recursive: true });
  mkdirSync(home, { recursive: true });
  git('init', '-q', '-b', 'master');
  const files = [];
  for (let n = 0; n < 20; n++) {
    const path = join('drivers', 'bench', `bench${n}.c`);
    files.push({ path, text: driverFile(n) });
    writeFileSync(join(repo, path), files[n].text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'drivers/bench: base');
  git('tag', 'bench-base');
  for (let i = 0; i < patches; i++) {
    const f = files[i % files.length];
    f.text += addition(i);
    writeFileSync(join(repo, f.path), f.text);
    git('add', '-A');
    git(
      'commit',
      '-q',
      '-m',
      `drivers/bench: add scan ${i}\n\nSigned-off-by: Bench Author <bench@example.org>`,
    );
  }
  git('tag', `b4/bench-v2`);
  git(
    'format-patch',
    '-q',
    '--cover-letter',
    '-v2',
    '-o',
    join(OUT, `series-mbox-${patches}`),
    'bench-base..b4/bench-v2',
  );
}

const range = 'bench-base..b4/bench-v2';
const mboxDir = join(OUT, `series-mbox-${patches}`);
const runs = [
  ['lockscope --version (start-up)', cli(['--version'])],
  [`series show (git, ${patches} patches)`, cli(['series', 'show', range])],
  [`series check (git, ${patches} patches)`, cli(['series', 'check', '--no-checkpatch', range])],
  [`series show (format-patch dir)`, cli(['series', 'show', mboxDir])],
  [`series check (format-patch dir)`, cli(['series', 'check', '--no-checkpatch', mboxDir])],
  ['git format-patch --stdout (baseline)', ['git', ['format-patch', '--stdout', range]]],
];
console.log(`series: ${patches} patches in ${repo}`);
const seconds = {};
let failed = false;
for (const [name, [cmd, args]] of runs) {
  const m = measure(cmd, args, { cwd: repo, env: { ...process.env, ...env } });
  if (m.status !== 0 && !name.startsWith('series check')) {
    console.log(`  ${name}: exit ${m.status}: ${m.stderr.slice(0, 200)}`);
    failed = true;
  }
  seconds[name] = m.seconds;
  const rss = m.rssMB === null ? '   n/a' : `${m.rssMB.toFixed(0).padStart(6)}`;
  console.log(`  ${name.padEnd(40)} ${m.seconds.toFixed(2).padStart(7)} s ${rss} MB RSS (exit ${m.status})`);
}
const total =
  seconds[`series show (git, ${patches} patches)`] + seconds[`series check (git, ${patches} patches)`];
console.log(`  show + check from git: ${total.toFixed(2)} s (target < 2 s for 50 patches)`);
process.exit(failed ? 1 : 0);

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.js';

/** The relative specifiers a built file imports (`import ... from "./x.js"`). */
function relativeImports(text: string): string[] {
  return [...text.matchAll(/^import [^;]*? from "(\.[^"]+)";$/gm)].map((m) => m[1] as string);
}

describe('bin/build-bundle.js (run by npm run build)', () => {
  it("loads oclif as one bundled module, none of @oclif/core's own", () => {
    // The CommonJS modules node loaded, @oclif/core's among them when the door is a plain re-export.
    const door = pathToFileURL(join(ROOT, 'dist', 'cli', 'oclif.js')).href;
    const script =
      "import { createRequire } from 'node:module';" +
      `const { execute } = await import(${JSON.stringify(door)});` +
      "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@oclif'));" +
      'console.log(typeof execute, loaded.length);';
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function 0\n');
  });

  it('bundles each command with our modules, oclif left behind the one door', () => {
    const triage = readFileSync(join(ROOT, 'dist', 'commands', 'triage', 'index.js'), 'utf8');
    expect(new Set(relativeImports(triage))).toEqual(new Set(['../../cli/oclif.js']));
    const blame = readFileSync(join(ROOT, 'dist', 'commands', 'blame.js'), 'utf8');
    expect(new Set(relativeImports(blame))).toEqual(new Set(['../cli/oclif.js']));
  });

  it("declares our modules' constants const again, not var as esbuild does", () => {
    const triage = readFileSync(join(ROOT, 'dist', 'commands', 'triage', 'index.js'), 'utf8');
    // The one left: a `let` of skip.ts, assigned on first use.
    expect(triage.match(/^var .*$/gm)).toEqual(['var globalSkip;']);
    expect(triage).toMatch(/^const SKIP_FRAMES = \[$/m);
  });

  it('leaves what it bundled already as it is when run again', () => {
    const triage = join(ROOT, 'dist', 'commands', 'triage', 'index.js');
    const before = readFileSync(triage, 'utf8');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'build-bundle.js')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('dist: @oclif/core and 13 commands bundled (14 of them already were)\n');
    expect(readFileSync(triage, 'utf8')).toBe(before);
  });

  it('lets a bundled module find the workers tsc compiled next to it', () => {
    const file = join(ROOT, 'dist', 'commands', 'trace', 'analyze.js');
    const urls = [
      ...readFileSync(file, 'utf8').matchAll(
        /new URL\("(\.\/[\w-]+\.js)", new URL\("([^"]+)", import\.meta\.url\)\.href\)/g,
      ),
    ];
    expect(urls.map((m) => m[1]).sort()).toEqual([
      './columns-worker.js',
      './ftrace-worker.js',
      './merge-worker.js',
      './trace-analysis-worker.js',
    ]);
    for (const [, worker, own] of urls) {
      const at = new URL(worker as string, new URL(own as string, pathToFileURL(file)));
      expect(existsSync(at), at.pathname).toBe(true);
    }
  });
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/shared.js';

/** What oclif itself prints for `argv`, through the entry's own directory. */
function oclif(argv: string[]): string {
  const entry = pathToFileURL(join(ROOT, 'bin', 'run.js')).href;
  const script = `const { execute } = await import('@oclif/core'); await execute({ dir: ${JSON.stringify(entry)}, args: ${JSON.stringify(argv)} });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('bin/run.js', () => {
  it('answers --version with the line oclif prints', () => {
    const fast = runCli(['--version']);
    expect(fast.status).toBe(0);
    expect(fast.stderr).toBe('');
    expect(fast.stdout).toBe(oclif(['--version']));
    expect(fast.stdout).toMatch(/^lockscope\/\d+\.\d+\.\d+ \S+-\S+ node-v\d+\.\d+\.\d+\n$/);
  });

  it('leaves every other argument to oclif', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`VERSION\n  ${runCli(['--version']).stdout.trim()}\n`);
    expect(help.stdout).toContain('triage');
    const unknown = runCli(['no-such-command']);
    expect(unknown.status).toBe(2);
  });

  it('loads oclif from the bundle the build made of it (bin/build-bundle.js), none of its modules', () => {
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
});

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
});

#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';

// `lockscope --version` answers before oclif loads (its ~160 modules take twice node's own start-up),
// with the line oclif prints: `name/version platform-arch node-vX` (test/bin/run.test.ts compares
// the two). oclif names the platform `wsl` when is-wsl says so (through wsl-utils): so does this.
if (process.argv[2] === '--version') {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const os = (await import('is-wsl')).default ? 'wsl' : platform();
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${name}/${version} ${os}-${cpu} node-${process.version}\n`);
} else {
  const { execute } = await import('../dist/cli/oclif.js');
  await execute({ dir: import.meta.url });
}

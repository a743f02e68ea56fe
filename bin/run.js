#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

// `lockscope --version` answers before oclif loads (its ~160 modules take twice node's own start-up),
// with the line oclif prints: `name/version platform-arch node-vX` (test/bin/run.test.ts compares
// the two). Under WSL oclif says `wsl` for the platform: that case is left to it.
if (process.argv[2] === '--version' && !/microsoft/i.test(release())) {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${name}/${version} ${platform()}-${cpu} node-${process.version}\n`);
} else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

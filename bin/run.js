#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';

/** Maybe WSL, where oclif says `wsl` for the platform (it asks the is-wsl package, which looks here). */
function maybeWsl() {
  if (platform() !== 'linux') return false;
  if (/microsoft/i.test(release())) return true;
  if (existsSync('/run/WSL') || existsSync('/proc/sys/fs/binfmt_misc/WSLInterop')) return true;
  try {
    return /microsoft/i.test(readFileSync('/proc/version', 'utf8'));
  } catch {
    return false;
  }
}

// `lockscope --version` answers before oclif loads (its ~160 modules take twice node's own start-up),
// with the line oclif prints: `name/version platform-arch node-vX` (test/bin/run.test.ts compares
// the two). Maybe WSL: left to oclif.
if (process.argv[2] === '--version' && !maybeWsl()) {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${name}/${version} ${platform()}-${cpu} node-${process.version}\n`);
} else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}

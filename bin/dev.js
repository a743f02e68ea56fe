#!/usr/bin/env node
// Development entry: runs the compiled tree after rebuilding it with tsc alone (nothing bundled:
// see bin/build-bundle.js).
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

execSync('npx tsc -p tsconfig.build.json', {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  stdio: 'inherit',
});
const { execute } = await import('../dist/cli/oclif.js');
await execute({ development: true, dir: import.meta.url });

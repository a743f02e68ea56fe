// Replaces dist/cli/oclif.js, the re-export of @oclif/core our commands and bin/ import it
// through, with a bundle of @oclif/core: one ES module node reads at start-up instead of ~160
// CommonJS ones. Run by `npm run build` after tsc.
import { renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const door = join(root, 'dist', 'cli', 'oclif.js');
const out = `${door}.bundle`;
await build({
  entryPoints: [door],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // oclif requires typescript only to run a plugin's TypeScript sources (development mode).
  external: ['typescript'],
  // The CommonJS modules bundled call require and read __dirname (oclif finds its own
  // package.json through it, in a try): give them node's, for this file.
  banner: {
    js: [
      "import { createRequire as lockscopeCreateRequire } from 'node:module';",
      "import { dirname as lockscopeDirname } from 'node:path';",
      "import { fileURLToPath as lockscopeFileURLToPath } from 'node:url';",
      'const require = lockscopeCreateRequire(import.meta.url);',
      'const __filename = lockscopeFileURLToPath(import.meta.url);',
      'const __dirname = lockscopeDirname(__filename);',
    ].join('\n'),
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
renameSync(out, door);
// (tsc's source map was the re-export's)
rmSync(`${door}.map`, { force: true });
console.log('dist/cli/oclif.js: @oclif/core bundled');

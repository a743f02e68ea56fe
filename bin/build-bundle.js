// Bundles what a command loads at start-up, after tsc, in place (`npm run build`):
// - dist/cli/oclif.js, the re-export of @oclif/core our commands and bin/ import it through,
//   becomes a bundle of @oclif/core: one module instead of ~160 CommonJS ones;
// - each command (dist/commands/**/*.js) becomes a bundle of our modules it imports and the
//   packages they use, the door above left outside (one oclif for all). Node then finds, reads
//   and links one file instead of ~55 (triage), each resolved through the package's directories.
// The compiled tree stays as tsc wrote it: the worker threads, the benches and the tests that
// import dist/ load it. A bundled module sees the `import.meta.url` it has in that tree, so the
// workers it starts by URL are found where they are.
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const door = join(dist, 'cli', 'oclif.js');

// The CommonJS modules bundled call require and read __dirname (oclif finds its own package.json
// through it, in a try): give them node's, for the bundle's file.
const banner = [
  "import { createRequire as lockscopeCreateRequire } from 'node:module';",
  "import { dirname as lockscopeDirname } from 'node:path';",
  "import { fileURLToPath as lockscopeFileURLToPath } from 'node:url';",
  'const require = lockscopeCreateRequire(import.meta.url);',
  'const __filename = lockscopeFileURLToPath(import.meta.url);',
  'const __dirname = lockscopeDirname(__filename);',
].join('\n');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: banner },
  legalComments: 'eof',
  logLevel: 'warning',
  // oclif requires typescript only to run a plugin's TypeScript sources (development mode); the
  // zstd decoder reads its WebAssembly from its own directory.
  external: ['typescript', '@foxglove/wasm-zstd'],
};

/** Bundles `file` over itself (its tsc source map, which no longer matches, removed). */
async function bundleInPlace(file, plugins = []) {
  const out = `${file}.bundle`;
  await build({ ...common, entryPoints: [file], outfile: out, plugins });
  renameSync(out, file);
  rmSync(`${file}.map`, { force: true });
}

/** Leaves the oclif door out of a command's bundle (`outfile`), imported by its path from there. */
function doorOutside(outfile) {
  let path = relative(dirname(outfile), door);
  if (!path.startsWith('.')) path = `./${path}`;
  return {
    name: 'oclif-door-outside',
    setup(b) {
      b.onResolve({ filter: /oclif\.js$/ }, (args) =>
        join(args.resolveDir, args.path) === door ? { path, external: true } : undefined,
      );
    },
  };
}

/** Each bundled module of ours keeps the `import.meta.url` of its place in dist/ (`outfile`: the bundle's). */
function ownMetaUrl(outfile) {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(`${dist}/`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const own = JSON.stringify(relative(dirname(outfile), args.path));
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`),
          loader: 'js',
        };
      });
    },
  };
}

const commands = readdirSync(join(dist, 'commands'), { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(dist, 'commands', f));
await bundleInPlace(door);
await Promise.all(commands.map((file) => bundleInPlace(file, [doorOutside(file), ownMetaUrl(file)])));
console.log(`dist: @oclif/core and ${commands.length} commands bundled`);

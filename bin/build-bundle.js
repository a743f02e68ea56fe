// Bundles what a command loads at start-up, after tsc, in place (`npm run build`):
// - dist/cli/oclif.js, the re-export of @oclif/core our commands and bin/ import it through,
//   becomes a bundle of @oclif/core: one module instead of ~160 CommonJS ones;
// - each command (dist/commands/**/*.js) becomes a bundle of our modules it imports and the
//   packages they use, the door above left outside (one oclif for all). Node then finds, reads
//   and links one file instead of ~55 (triage), each resolved through the package's directories.
// The compiled tree stays as tsc wrote it: the worker threads, the benches and the tests that
// import dist/ load it. A bundled module sees the `import.meta.url` it has in that tree, so the
// workers it starts by URL are found where they are.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const door = join(dist, 'cli', 'oclif.js');

// A bundle's first line: a file that starts with it is bundled already (this step run twice
// without tsc in between leaves it as it is).
const MARK = '// Bundled by bin/build-bundle.js.';

// The CommonJS modules bundled call require and read __dirname (oclif finds its own package.json
// through it, in a try): give them node's, for the bundle's file.
const banner = [
  MARK,
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
  absWorkingDir: root,
  // oclif requires typescript only to run a plugin's TypeScript sources (development mode); the
  // zstd decoder reads its WebAssembly from its own directory.
  external: ['typescript', '@foxglove/wasm-zstd'],
};

/** Bundles `file` over itself, once (its tsc source map, which no longer matches, removed). */
async function bundleInPlace(file, plugins = []) {
  if (readFileSync(file, 'utf8').startsWith(MARK)) return false;
  const { outputFiles } = await build({
    ...common,
    entryPoints: [file],
    outfile: file,
    write: false,
    plugins,
  });
  writeFileSync(file, constAgain(outputFiles[0].text));
  rmSync(`${file}.map`, { force: true });
  return true;
}

/**
 * esbuild declares every top-level binding of a bundle with `var` (its FAQ: "top-level var"). V8
 * then no longer knows our modules' `const`s (regexes, tables, functions) cannot change and reads
 * them anew each time: the triage stream's steady state cost 5% more than unbundled. The
 * top-level `var x = ...` of our own modules (esbuild's `// dist/...` sections: we write no
 * `var`, so each was a `const`, `let` or `class`) become `const` again, unless the name is
 * assigned anywhere in the bundle (a `let`).
 */
function constAgain(text) {
  const file = ts.createSourceFile('bundle.js', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const assigned = new Set();
  // The names an assignment's target binds (`x`, `[x, ...y]`, `{ a: x, y = 1 }`), not `x.a` or `x[i]`.
  const targets = (node) => {
    if (ts.isIdentifier(node)) assigned.add(node.text);
    else if (ts.isParenthesizedExpression(node) || ts.isSpreadElement(node) || ts.isSpreadAssignment(node))
      targets(node.expression);
    else if (ts.isArrayLiteralExpression(node)) node.elements.forEach(targets);
    else if (ts.isObjectLiteralExpression(node)) node.properties.forEach(targets);
    else if (ts.isShorthandPropertyAssignment(node)) targets(node.name);
    else if (ts.isPropertyAssignment(node)) targets(node.initializer);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken)
      targets(node.left);
  };
  const visit = (node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    )
      targets(node.left);
    else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    )
      targets(node.operand);
    else if (
      (ts.isForOfStatement(node) || ts.isForInStatement(node)) &&
      !ts.isVariableDeclarationList(node.initializer)
    )
      targets(node.initializer);
    ts.forEachChild(node, visit);
  };
  visit(file);
  const ours = [...text.matchAll(/^\/\/ (\S+)$/gm)].map((m) => ({
    at: m.index,
    ours: m[1].startsWith('dist/'),
  }));
  const inOurs = (pos) => ours.findLast((s) => s.at < pos)?.ours === true;
  const at = [];
  for (const st of file.statements) {
    if (!ts.isVariableStatement(st) || (st.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0) continue;
    const decls = st.declarationList.declarations;
    if (
      !inOurs(st.getStart()) ||
      decls.some((d) => !d.initializer || !ts.isIdentifier(d.name) || assigned.has(d.name.text))
    )
      continue;
    at.push(st.declarationList.getStart());
  }
  let out = text;
  for (const p of at.reverse()) out = `${out.slice(0, p)}const${out.slice(p + 3)}`;
  return out;
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
      // (every module of ours is handed over as read here, so that esbuild does not read it again)
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(`${dist}/`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
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
const done = [
  await bundleInPlace(door),
  ...(await Promise.all(commands.map((file) => bundleInPlace(file, [doorOutside(file), ownMetaUrl(file)])))),
];
const now = done.filter(Boolean).length;
console.log(
  `dist: @oclif/core and ${commands.length} commands bundled (${done.length - now} of them already were)`,
);

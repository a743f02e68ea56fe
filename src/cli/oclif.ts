/**
 * The one door to oclif for our code and bin/. `npm run build` replaces its compiled form
 * (dist/cli/oclif.js) with a bundle of @oclif/core (bin/build-bundle.js), which every command's
 * bundle imports: node reads one file at start-up instead of finding, reading and compiling
 * @oclif/core's ~160 CommonJS modules (the import took ~100 ms; the bundle ~45 ms). Each part is
 * taken from its own entry point, so that the bundle holds only what they import: 625 KB, not 730
 * (a small triage -3% instructions). Under vitest and after a bare `tsc` this is a plain
 * re-export: the same classes either way.
 */
export * as Args from '@oclif/core/args';
export { Command } from '@oclif/core/command';
export { Plugin } from '@oclif/core/config';
export * as Errors from '@oclif/core/errors';
export { execute } from '@oclif/core/execute';
export * as Flags from '@oclif/core/flags';

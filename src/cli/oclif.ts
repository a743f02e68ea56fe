/**
 * The one door to oclif for our code and bin/. `npm run build` replaces its compiled form
 * (dist/cli/oclif.js) with a bundle of @oclif/core (bin/build-bundle.js), which every command's
 * bundle imports: node reads one file at start-up instead of finding, reading and compiling
 * @oclif/core's ~160 CommonJS modules (the import took ~100 ms; the bundle ~45 ms). Under
 * vitest and after a bare `tsc` this is a plain re-export: the same classes either way.
 */
export { Args, Command, Errors, execute, Flags, Plugin } from '@oclif/core';

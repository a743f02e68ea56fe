import type { Diagnostic } from '../model/diagnostic.js';

/**
 * A `--known` file: one signature per line, `#` starts a comment, blank
 * lines are ignored. A line that is not of the signature form
 * `<kind>:<classes>` is reported, not silently taken.
 *   circular-dependency:fs_reclaim|lab_shrinker_lock   # lab module, fixed in v6
 */
export interface KnownSignatures {
  signatures: Set<string>;
  diagnostics: Diagnostic[];
}

const SIGNATURE = /^[a-z][a-z-]*:\S+$/;

export function parseKnownSignatures(text: string): KnownSignatures {
  const signatures = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const entry = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (entry === '') return;
    if (!SIGNATURE.test(entry)) {
      diagnostics.push({ code: 'KNOWN_BAD_LINE', message: `not a signature: ${entry}`, line: i + 1 });
      return;
    }
    signatures.add(entry);
  });
  return { signatures, diagnostics };
}

import type { Diagnostic } from '../model/diagnostic.js';
import { REPORT_KINDS } from '../model/report.js';

/**
 * A `--known` file: one signature per line, as triage prints it; `#` at the start of a line or
 * after a blank starts a comment; blank lines are ignored. A signature is the rest of the line,
 * trimmed: lock class names may hold blanks (`per_cpu_ptr(&cgroup_rstat_cpu_lock, cpu)`), and so
 * may a title (`lockdep-capacity:MAX_STACK_TRACE_ENTRIES too low!`). A line that does not start
 * with a report kind and `:` is reported, not silently taken.
 *   circular-dependency:fs_reclaim|lab_shrinker_lock   # lab module, fixed in v6
 */
export interface KnownSignatures {
  signatures: Set<string>;
  diagnostics: Diagnostic[];
}

// `#` opening a comment: at the start of the line, or after a blank
const COMMENT_RE = /(?:^|\s)#/;
const KINDS: ReadonlySet<string> = new Set(REPORT_KINDS);

export function parseKnownSignatures(text: string): KnownSignatures {
  const signatures = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const comment = COMMENT_RE.exec(raw);
    const entry = (comment === null ? raw : raw.slice(0, comment.index)).trim();
    if (entry === '') return;
    const colon = entry.indexOf(':');
    const kind = colon > 0 ? entry.slice(0, colon) : null;
    if (kind === null || colon === entry.length - 1 || !KINDS.has(kind)) {
      const why =
        kind === null || colon === entry.length - 1 ? 'not a signature' : `unknown report kind ${kind}`;
      diagnostics.push({ code: 'KNOWN_BAD_LINE', message: `${why}: ${entry}`, line: i + 1 });
      return;
    }
    signatures.add(entry);
  });
  return { signatures, diagnostics };
}

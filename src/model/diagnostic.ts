/**
 * Errors are data: every parser returns items plus diagnostics. A diagnostic
 * names a stable code, a human message and the 1-based input line (null when
 * it concerns the whole input, e.g. a truncated binary file).
 */
export interface Diagnostic {
  code: string;
  message: string;
  line: number | null;
  /**
   * The file `line` counts in, when an input is several files (a patch file of a directory
   * of .patch files, as the user can open it); absent: the input itself.
   */
  path?: string;
  /**
   * `info` accounts for input that is fine to pass over (boot noise outside
   * any report); absent means a warning: something in the input was not
   * understood.
   */
  severity?: 'info' | 'warning';
  /**
   * On diagnostics that say events were lost (`ftrace-lost-events`,
   * `ftrace-events-overwritten`, `tracedat-lost-events`): how many, as a lower
   * bound (a loss whose size the input does not give counts 1). Read this
   * rather than the message text.
   */
  count?: number;
}

/**
 * Diagnostics by the file their lines count in (`d.path`, else `label`: the input as named), in
 * the order they came.
 */
export function diagnosticsByPath(
  diagnostics: readonly Diagnostic[],
  label: string,
): Map<string, Diagnostic[]> {
  const byPath = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const path = d.path ?? label;
    const list = byPath.get(path);
    if (list) list.push(d);
    else byPath.set(path, [d]);
  }
  return byPath;
}

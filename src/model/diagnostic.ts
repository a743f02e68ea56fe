/**
 * Errors are data: every parser returns items plus diagnostics. A diagnostic
 * names a stable code, a human message and the 1-based input line (null when
 * it concerns the whole input, e.g. a truncated binary file).
 */
export interface Diagnostic {
  code: string;
  message: string;
  line: number | null;
}

import { InputError } from '../ingest/input.js';
import { type Diagnostic, diagnosticsByPath } from '../model/diagnostic.js';
import { stripControl } from '../render/sanitize.js';
import { Command, Errors } from './oclif.js';

/**
 * Common behaviour of lockscope commands: unusable input (InputError) exits
 * 2 with a message naming the file (and line); everything written for humans
 * goes through `out()`, which strips control characters from input text.
 */
export abstract class LockscopeCommand extends Command {
  protected out(text: string): void {
    process.stdout.write(`${stripControl(text)}\n`);
  }

  protected warnLine(text: string): void {
    process.stderr.write(`${stripControl(text)}\n`);
  }

  /**
   * Diagnostics go to stderr (stdout holds the one JSON document): `path:line: CODE: message`, or
   * `path: CODE: message` for one about the whole input. At most `limit` of those with a line per
   * input, then how many more of each code; those without a line (summaries: how many lines a
   * parser passed over, how many of a code it did not list) are always shown. `info` ones (input
   * passed over on purpose) only when `verbose`.
   */
  protected warnDiagnostics(
    path: string,
    diagnostics: readonly Diagnostic[],
    verbose = false,
    limit = 20,
  ): void {
    // an input of several files (a directory of patches): each diagnostic under its own, `limit` a file
    const byPath = diagnosticsByPath(diagnostics, path);
    if (byPath.size > 1) {
      for (const [file, ds] of byPath) this.warnDiagnostics(file, ds, verbose, limit);
      return;
    }
    const where = byPath.keys().next().value ?? path;
    const shown = verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
    const hidden = new Map<string, number>();
    let listed = 0;
    for (const d of shown) {
      if (d.line !== null && listed++ >= limit) hidden.set(d.code, (hidden.get(d.code) ?? 0) + 1);
      else this.warnLine(`${where}${d.line === null ? '' : `:${d.line}`}: ${d.code}: ${d.message}`);
    }
    if (hidden.size === 0) return;
    const counts = [...hidden].map(([code, n]) => `${n} ${code}`).join(', ');
    this.warnLine(`${where}: ... and ${listed - limit} more: ${counts}`);
  }

  /** `warnDiagnostics` as a callback, for services that read several inputs. */
  protected readonly diagnosticsSink = (path: string, diagnostics: readonly Diagnostic[]): void =>
    this.warnDiagnostics(path, diagnostics);

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    if (error instanceof InputError) {
      const where = error.line === null ? '' : `:${error.line}`;
      const message = error.message.startsWith(error.path)
        ? error.message
        : `${error.path}${where}: ${error.message}`;
      process.stderr.write(`lockscope: ${stripControl(message)}\n`);
      if (this.jsonEnabled() && !error.inDocument)
        process.stdout.write(
          `${JSON.stringify({ error: { kind: 'input', message: stripControl(message) } })}\n`,
        );
      this.exit(2);
    }
    if (this.jsonEnabled()) {
      // One small JSON document, not oclif's dump of its whole configuration.
      // An oclif error carries its exit code (2 for usage); anything else is our bug.
      const exit = error.oclif?.exit ?? 1;
      const doc = {
        error: { kind: exit === 1 ? 'internal' : 'usage', message: stripControl(error.message) },
      };
      process.stdout.write(`${JSON.stringify(doc)}\n`);
      this.exit(exit);
    }
    return super.catch(error);
  }
}

import { Command } from '@oclif/core';
import { InputError } from '../ingest/input.js';
import { stripControl } from '../render/sanitize.js';

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

  protected override async catch(
    error: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (error instanceof InputError) {
      const where = error.line === null ? '' : `:${error.line}`;
      const message = error.message.startsWith(error.path)
        ? error.message
        : `${error.path}${where}: ${error.message}`;
      this.logToStderr(`lockscope: ${stripControl(message)}`);
      this.exit(2);
    }
    return super.catch(error);
  }
}

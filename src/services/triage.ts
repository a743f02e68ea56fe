import { ConsoleLogParser, parseConsoleLog } from '../ingest/console/index.js';
import { InputError, openInput, readInput } from '../ingest/input.js';
import { parseKnownSignatures } from '../ingest/known-signatures.js';
import { expandLogPaths } from '../ingest/log-files.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Report, TriagedFile } from '../model/report.js';

export interface TriageOptions {
  /** Path of a --known file, or null. */
  known: string | null;
  /** Where diagnostics of the --known file go. */
  warn?: (path: string, diagnostics: readonly Diagnostic[]) => void;
  /** Called when an input is opened, before its first report. */
  onFile?: (path: string) => void;
  /**
   * Called with each report as soon as it is complete (known ones are counted, not passed). What
   * it keeps of a report once it returns, it copies (see ownText): the report's strings may be cut
   * from the decoded input, and a kept report keeps that input's pieces alive.
   */
  onReport?: (report: Report, path: string) => void;
  /** Called with each input's verdict once it is read to the end. */
  onFileDone?: (file: TriagedFile) => void;
}

/** Reads a --known file; lines that are not signatures go to `warn`. */
export async function loadKnown(
  path: string | null,
  warn: (path: string, diagnostics: readonly Diagnostic[]) => void = () => {},
): Promise<{ signatures: Set<string>; diagnostics: Diagnostic[] }> {
  if (path === null) return { signatures: new Set(), diagnostics: [] };
  const known = parseKnownSignatures((await readInput(path)).toString('utf8'));
  warn(path, known.diagnostics);
  return known;
}

/**
 * Triages every input (files, directories of logs, `-`) one after the other.
 * Nothing is retained: reports go to `onReport` as they complete, so memory
 * stays flat whatever the size of the logs.
 */
export async function triageInputs(inputs: string[], options: TriageOptions): Promise<void> {
  const known = await loadKnown(options.known, options.warn);
  const paths = await expandLogPaths(inputs.length === 0 ? ['-'] : inputs);
  for (const path of paths) {
    options.onFile?.(path);
    const file = await triageOne(path, known.signatures, options.onReport).catch((error: unknown) => {
      // One input that cannot be read (a truncated .gz) is one unusable file of a batch, as one that
      // is no console log: the others are still read. Alone, it is the command's error (exit 2).
      if (paths.length === 1 || !(error instanceof InputError)) throw error;
      return unreadable(path, error);
    });
    options.onFileDone?.(file);
  }
}

/** The verdict of an input of a batch that could not be read to its end (its reports so far were handed on). */
function unreadable(path: string, error: InputError): TriagedFile {
  const message = error.message.startsWith(`${path}: `)
    ? error.message.slice(path.length + 2)
    : error.message;
  return {
    path,
    title: null,
    type: null,
    corrupted: false,
    usable: false,
    knownHidden: 0,
    diagnostics: [{ code: 'UNREADABLE_INPUT', message, line: error.line }],
  };
}

/** All reports of one console log, for commands that need them together (blame); unusable input throws. */
export async function readConsoleLog(path: string): Promise<Awaited<ReturnType<typeof parseConsoleLog>>> {
  const log = await parseConsoleLog(path);
  if (!log.usable) {
    const why = log.diagnostics[0];
    throw new InputError(`${path}: ${why?.message ?? 'not a kernel console log'}`, path, why?.line ?? null);
  }
  return log;
}

async function triageOne(
  path: string,
  known: ReadonlySet<string>,
  onReport: TriageOptions['onReport'],
): Promise<TriagedFile> {
  let knownHidden = 0;
  // Each report goes on as soon as it is built (none is kept for the rest of its chunk).
  const parser = new ConsoleLogParser({
    path,
    // Each report is rendered, counted or grouped (its strings copied) when handed over.
    copyReportLines: false,
    onReport: (r) => {
      if (known.has(r.signature)) knownHidden++;
      else onReport?.(r, path);
    },
  });
  // The parser decodes each chunk at once and keeps none of its bytes: one read buffer will do.
  for await (const chunk of openInput(path, undefined, { reuseBuffer: true })) parser.push(chunk);
  parser.end();
  return { path, ...parser.verdict(), usable: parser.usable, knownHidden, diagnostics: parser.diagnostics };
}

import { ConsoleLogParser } from '../ingest/console/index.js';
import { openInput, readInput } from '../ingest/input.js';
import { parseKnownSignatures } from '../ingest/known-signatures.js';
import { expandLogPaths } from '../ingest/log-files.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Report, TriagedFile } from '../model/report.js';

export interface TriageOptions {
  /** Path of a --known file, or null. */
  known: string | null;
  /** Called when an input is opened, before its first report. */
  onFile?: (path: string) => void;
  /** Called with each report as soon as it is complete (known ones are counted, not passed). */
  onReport?: (report: Report, path: string) => void;
  /** Called with each input's verdict once it is read to the end. */
  onFileDone?: (file: TriagedFile) => void;
}

export async function loadKnown(
  path: string | null,
): Promise<{ signatures: Set<string>; diagnostics: Diagnostic[] }> {
  if (path === null) return { signatures: new Set(), diagnostics: [] };
  return parseKnownSignatures((await readInput(path)).toString('utf8'));
}

/**
 * Triages every input (files, directories of logs, `-`) one after the other.
 * Nothing is retained: reports go to `onReport` as they complete, so memory
 * stays flat whatever the size of the logs.
 */
export async function triageInputs(inputs: string[], options: TriageOptions): Promise<void> {
  const known = await loadKnown(options.known);
  for (const path of await expandLogPaths(inputs.length === 0 ? ['-'] : inputs)) {
    options.onFile?.(path);
    const file = await triageOne(path, known.signatures, options.onReport);
    options.onFileDone?.(file);
  }
}

async function triageOne(
  path: string,
  known: ReadonlySet<string>,
  onReport: TriageOptions['onReport'],
): Promise<TriagedFile> {
  const parser = new ConsoleLogParser({ path });
  let knownHidden = 0;
  const take = (reports: Report[]) => {
    for (const r of reports) {
      if (known.has(r.signature)) knownHidden++;
      else onReport?.(r, path);
    }
  };
  for await (const chunk of openInput(path)) take(parser.push(chunk));
  take(parser.end());
  const verdict = parser.verdict();
  return { path, ...verdict, knownHidden, diagnostics: parser.diagnostics };
}

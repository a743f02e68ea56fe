import { hideKnown } from '../analyzers/triage/known.js';
import { ConsoleLogParser } from '../ingest/console/index.js';
import { openInput, readInput } from '../ingest/input.js';
import { parseKnownSignatures } from '../ingest/known-signatures.js';
import { expandLogPaths } from '../ingest/log-files.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Report } from '../model/report.js';

/** One input's result: `{"path","title","type","corrupted","reports","diagnostics"}` in the JSON contract. */
export interface TriagedFile {
  path: string;
  title: string | null;
  type: string | null;
  corrupted: boolean;
  reports: Report[];
  /** Reports hidden because their signature is in --known. */
  knownHidden: number;
  diagnostics: Diagnostic[];
}

export interface TriageOptions {
  /** Path of a --known file, or null. */
  known: string | null;
  /** Called with each report as soon as it is complete (not for known ones). */
  onReport?: (report: Report, path: string) => void;
}

export async function loadKnown(
  path: string | null,
): Promise<{ signatures: Set<string>; diagnostics: Diagnostic[] }> {
  if (path === null) return { signatures: new Set(), diagnostics: [] };
  return parseKnownSignatures((await readInput(path)).toString('utf8'));
}

/** Triage every input (files, directories of logs, `-`), streaming reports out as they complete. */
export async function triageInputs(inputs: string[], options: TriageOptions): Promise<TriagedFile[]> {
  const known = await loadKnown(options.known);
  const files: TriagedFile[] = [];
  for (const path of await expandLogPaths(inputs.length === 0 ? ['-'] : inputs)) {
    files.push(await triageOne(path, known.signatures, options.onReport));
  }
  return files;
}

async function triageOne(
  path: string,
  known: ReadonlySet<string>,
  onReport: TriageOptions['onReport'],
): Promise<TriagedFile> {
  const parser = new ConsoleLogParser({ path });
  const all: Report[] = [];
  const take = (reports: Report[]) => {
    for (const r of reports) {
      all.push(r);
      if (!known.has(r.signature)) onReport?.(r, path);
    }
  };
  for await (const chunk of openInput(path)) take(parser.push(chunk));
  take(parser.end());
  const verdict = parser.verdict();
  const { shown, hidden } = hideKnown(all, known);
  return {
    path,
    title: verdict.title,
    type: verdict.type,
    corrupted: verdict.corrupted,
    reports: shown,
    knownHidden: hidden,
    diagnostics: parser.diagnostics,
  };
}

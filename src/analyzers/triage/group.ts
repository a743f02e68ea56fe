import type { Report, ReportKind } from '../../model/report.js';

/** Where one report was found. */
export interface Occurrence {
  path: string;
  startLine: number;
}

/** Reports folded by signature: `{"signature","kind","title","count","occurrences"}`. */
export interface SignatureGroup {
  signature: string;
  kind: ReportKind;
  title: string;
  count: number;
  occurrences: Occurrence[];
}

export interface FileReports {
  path: string;
  reports: Report[];
}

/**
 * Folds identical signatures across files, in order of first appearance.
 * The group's title is the first report's (titles vary with entry points;
 * the signature does not).
 */
export function groupBySignature(files: FileReports[]): SignatureGroup[] {
  const groups = new Map<string, SignatureGroup>();
  for (const file of files) {
    for (const r of file.reports) {
      let g = groups.get(r.signature);
      if (g === undefined) {
        g = { signature: r.signature, kind: r.kind, title: r.title, count: 0, occurrences: [] };
        groups.set(r.signature, g);
      }
      g.count++;
      g.occurrences.push({ path: file.path, startLine: r.startLine });
    }
  }
  return [...groups.values()];
}

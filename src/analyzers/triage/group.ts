import type { Report, ReportKind } from '../../model/report.js';
import { ownText } from '../../util/own-text.js';

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
 * Folds identical signatures across files, in order of first appearance,
 * one report at a time (memory grows with distinct signatures and
 * occurrences, not with reports). A group's title is its first report's:
 * titles vary with entry points, the signature does not.
 */
export class SignatureGrouper {
  private readonly bySignature = new Map<string, SignatureGroup>();

  add(report: Report, path: string): void {
    let g = this.bySignature.get(report.signature);
    if (g === undefined) {
      // A copy: a signature may be cut from the decoded input (see ownText; titles are copies already).
      const signature = ownText(report.signature);
      g = { signature, kind: report.kind, title: report.title, count: 0, occurrences: [] };
      this.bySignature.set(signature, g);
    }
    g.count++;
    g.occurrences.push({ path, startLine: report.startLine });
  }

  groups(): SignatureGroup[] {
    return [...this.bySignature.values()];
  }
}

export function groupBySignature(files: FileReports[]): SignatureGroup[] {
  const grouper = new SignatureGrouper();
  for (const file of files) for (const r of file.reports) grouper.add(r, file.path);
  return grouper.groups();
}

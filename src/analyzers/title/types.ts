import type { ReportKind } from '../../model/report.js';

/**
 * The shape of one oops table row (syzkaller calls it an "oops format"): how
 * a kernel report is recognized, which frame names it, and how it is titled.
 * Rows live in `src/ingest/console/oops/`; the engine that applies them is in
 * this folder.
 */

/** Marker part of a StackSpec: "parse a stack trace from here". */
export const PARSE_STACK = /(?:parse-stack-trace-marker)/;

/** A regex, or several tried in order (the first that matches a line counts). */
export type StackPart = RegExp | readonly RegExp[];

export interface StackSpec {
  /** Matched in order over the report lines; capture groups yield frames. */
  parts: StackPart[];
  /** Tried when `parts` yields no frame. */
  parts2?: StackPart[];
  /** Extra function-name patterns to skip (regex sources, matched anywhere in the name). */
  skip?: string[];
  /** Picks the guilty frame from all candidate frames; returns its index or -1. */
  extractor?: (frames: string[]) => { frame: string; index: number } | null;
}

export type TitleFn = (groups: string[], frames: string[]) => string;

export interface OopsFormat {
  /** Report kind this row stands for (the triage JSON `kind`). */
  kind: ReportKind;
  /** Where the report starts: the earliest (line, column) match over all rows wins. */
  title: RegExp;
  /** Further regexes that must match on the same line, in order, after `title`. */
  also?: RegExp[];
  /**
   * Lines that must be present, in order: the first is searched from the top of
   * the report, each next one on a later line (within `within` lines if set).
   * When present, its capture groups (not the title's) feed the title format.
   */
  report?: { steps: RegExp[]; within?: number };
  format: TitleFn;
  alt?: TitleFn[];
  stack?: StackSpec;
  /** The report has no call trace by design (do not mark it corrupted for that). */
  noStackTrace?: boolean;
  /** Matching this row means the report is truncated. */
  corrupted?: boolean;
}

export interface Oops {
  /** Banner keyword searched for (substring) in each line. */
  header: string;
  formats: OopsFormat[];
  /** Lines that contain the header but are not reports. */
  suppress: Array<RegExp | ((line: string) => boolean)>;
  /** Kind of a report that matched no row. */
  fallbackKind: ReportKind;
}

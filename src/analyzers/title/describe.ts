import { ownText } from '../../util/own-text.js';
import { startsWith } from '../../util/string-calls.js';
import { STRIP_FRAME_PREFIXES, stripFramePrefix } from './skip.js';
import { clip, extractFrames, type GuiltyFrame } from './stack.js';
import type { Oops, OopsFormat } from './types.js';

/** Why a report is marked corrupted (syzkaller's wording, so verdicts compare). */
export const CORRUPTED_NO_FRAMES = 'extracted no frames';
export const CORRUPTED_NO_REPORT = 'matched title but not report regexp';
export const CORRUPTED_FORMAT = 'report format is marked as corrupted';

export interface Description {
  /** Raw title (before address/number normalization). */
  title: string;
  altTitles: string[];
  corruptedReason: string | null;
  /** The row that produced the title, or null (title is the banner line). */
  format: OopsFormat | null;
  /** The first row whose title matched where the report starts, even if its report lines are missing. */
  matchedFormat: OopsFormat | null;
  /** Guilty frames found (one per stack in the row's spec). */
  frames: GuiltyFrame[];
  /** Line (index into the lines given) where the matched title starts. */
  titleLine: number;
}

interface Pos {
  line: number;
  col: number;
  groups: string[];
}

/** Where row `f`'s title (and its `also` parts) matches line `i` (text already clipped), or null. */
function matchTitleAt(f: OopsFormat, text: string, i: number): Pos | null {
  const m = f.title.exec(text);
  if (!m) return null;
  const groups: string[] = [];
  captured(m, groups);
  let from = m.index + m[0].length;
  for (const re of f.also ?? []) {
    const rest = text.slice(from);
    const a = re.exec(rest);
    if (!a) return null;
    captured(a, groups);
    from += a.index + a[0].length;
  }
  return { line: i, col: m.index, groups };
}

/**
 * Append the groups a match captured (`''` for one that took no part) to `into`. (Every list of
 * groups is built by pushing into an array literal, as are the frame lists below: V8 then sees one
 * kind of array where they are read, instead of recompiling those readers when an empty list or
 * one made by `map` comes by.)
 */
function captured(m: RegExpExecArray, into: string[]): void {
  for (let i = 1; i < m.length; i++) into.push(m[i] ?? '');
}

function matchReport(f: OopsFormat, lines: string[]): Pos | null {
  const rep = f.report;
  if (!rep) return null;
  const [head, ...rest] = rep.steps;
  if (!head) return null;
  for (let i = 0; i < lines.length; i++) {
    const m = head.exec(clip(lines[i] as string));
    if (!m) continue;
    const groups: string[] = [];
    captured(m, groups);
    let at = i;
    let ok = true;
    for (const step of rest) {
      let found = -1;
      const limit = rep.within === undefined ? lines.length - 1 : Math.min(lines.length - 1, at + rep.within);
      for (let j = at + 1; j <= limit; j++) {
        const s = step.exec(clip(lines[j] as string));
        if (s) {
          captured(s, groups);
          found = j;
          break;
        }
      }
      if (found < 0) {
        ok = false;
        break;
      }
      at = found;
    }
    // Only the first occurrence of the head line is tried (reports rarely repeat it).
    return ok ? { line: i, col: m.index, groups } : null;
  }
  return null;
}

interface TitleMatch {
  f: OopsFormat;
  pos: Pos;
}

/** The rows whose title matches line `i` earliest (at the same column), in row order; [] for none. */
function lineMatches(oops: Oops, text: string, i: number): TitleMatch[] {
  const out: TitleMatch[] = [];
  for (const f of oops.formats) {
    const pos = matchTitleAt(f, text, i);
    if (!pos) continue;
    if (out.length > 0 && pos.col > (out[0] as TitleMatch).pos.col) continue;
    if (out.length > 0 && pos.col < (out[0] as TitleMatch).pos.col) out.length = 0;
    out.push({ f, pos });
  }
  return out;
}

/**
 * lineMatches of a report's first line (its banner), remembered by banner text for each banner
 * kind: a log repeats its banners (`WARNING: possible circular locking dependency detected` in
 * every lockdep splat), and each is tried against every row (29 for WARNING, 36 for BUG). The
 * matches are shared: their groups are read, never changed. Bounded; the texts kept are copies.
 */
function bannerMatches(oops: Oops, text: string): readonly TitleMatch[] {
  if (text.length > BANNER_MEMO_CHARS) return lineMatches(oops, text, 0);
  let seen = BANNER_MATCHES.get(oops);
  if (seen === undefined) {
    seen = new Map();
    BANNER_MATCHES.set(oops, seen);
  }
  let hit = seen.get(text);
  if (hit === undefined) {
    if (seen.size >= BANNER_MEMO_LIMIT) seen.clear();
    // Matched in the copy, so that the groups kept are cut from it.
    const own = ownText(text);
    hit = lineMatches(oops, own, 0);
    seen.set(own, hit);
  }
  return hit;
}
const BANNER_MATCHES = new WeakMap<Oops, Map<string, readonly TitleMatch[]>>();
const BANNER_MEMO_LIMIT = 1024;
const BANNER_MEMO_CHARS = 512;

/**
 * Title a report: find the row whose title matches earliest in the report,
 * check its report lines, extract the guilty frame(s), format the title.
 * `lines[0]` is the banner line; lines are message texts (prefixes removed); `chars`, when given,
 * the summary of each (see line-chars.ts).
 */
export function describe(lines: string[], oops: Oops, chars?: readonly number[]): Description {
  // The earliest (line, column) any row's title matches, and every row matching there (in row
  // order): line by line, so a report titled by its banner line costs one line per row.
  let matched: readonly TitleMatch[] = [];
  for (let i = 0; i < lines.length && matched.length === 0; i++) {
    const text = clip(lines[i] as string);
    matched = i === 0 ? bannerMatches(oops, text) : lineMatches(oops, text, i);
  }
  for (const { f, pos } of matched) {
    let start = pos;
    if (f.report) {
      const r = matchReport(f, lines);
      if (!r) continue;
      start = r;
    }
    const frames: GuiltyFrame[] = [];
    let corruptedReason: string | null = null;
    if (f.stack) {
      const from = [(lines[start.line] as string).slice(start.col), ...lines.slice(start.line + 1)];
      const res = extractFrames(f.stack, from, chars?.slice(start.line));
      for (const fr of res.frames) frames.push({ ...fr, line: fr.line < 0 ? -1 : fr.line + start.line });
      if (!res.ok) corruptedReason = CORRUPTED_NO_FRAMES;
    }
    const names = frames.map((fr) => fr.canonical);
    const title = f.format(start.groups, names);
    const alts: string[] = [];
    for (const a of f.alt ?? []) alts.push(a(start.groups, names));
    for (const variant of strippedVariants(frames)) {
      const t = f.format(start.groups, variant);
      if (t !== title) alts.push(t);
      for (const a of f.alt ?? []) alts.push(a(start.groups, variant));
    }
    if (corruptedReason === null && f.corrupted) corruptedReason = CORRUPTED_FORMAT;
    return {
      title,
      altTitles: [...new Set(alts)],
      corruptedReason,
      format: f,
      matchedFormat: matched[0]?.f ?? f,
      frames,
      titleLine: start.line,
    };
  }
  // No row matched: the title is the banner line from its keyword on.
  let title = '';
  let titleLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    const at = text.indexOf(oops.header);
    if (at >= 0) {
      title = clip(text.slice(at));
      titleLine = i;
      break;
    }
  }
  return {
    title,
    altTitles: [],
    // A row's title matched, but not its report lines.
    corruptedReason: matched.length > 0 ? CORRUPTED_NO_REPORT : null,
    format: null,
    matchedFormat: matched[0]?.f ?? null,
    frames: [],
    titleLine,
  };
}

/** The frame lists with each syscall prefix stripped (and the raw names), for alternative titles. */
function strippedVariants(frames: GuiltyFrame[]): string[][] {
  if (frames.length === 0) return [];
  const out: string[][] = [frames.map((f) => f.raw)];
  for (const p of STRIP_FRAME_PREFIXES) {
    let changed = false;
    const list = frames.map((f) => {
      if (startsWith(f.raw, p)) {
        changed = true;
        return f.raw.slice(p.length);
      }
      return f.raw;
    });
    if (changed) out.push(list);
  }
  return out;
}

export { stripFramePrefix };

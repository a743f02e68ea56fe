import type { Interdiff } from '../analyzers/series/interdiff.js';
import type { SeriesPair } from '../analyzers/series/pairing.js';
import type { SeriesFinding } from '../model/finding.js';
import type { Patch, PatchSeries } from '../model/series.js';
import { counted } from '../util/plural.js';
import { sanitizeField } from './sanitize.js';
import { unreadPatchLines } from './series-unread.js';
import { wrap, wrapText } from './wrap.js';

const WIDTH = 80;
/** Where the lines under a pair start (the interdiff's labels), and their wrapped text. */
const DETAIL = '    ';
const MORE = '      ';

/** What `series diff` computed: the pairs, a locking interdiff per changed pair, the changelog findings. */
export interface SeriesDiffResult {
  old: PatchSeries;
  next: PatchSeries;
  pairs: SeriesPair[];
  /** Parallel to `pairs`: the interdiff of each `!` pair, null otherwise. */
  interdiffs: (Interdiff | null)[];
  /** Changelog items of the new version that were checked (empty: no changelog for it). */
  changelogItems: string[];
  findings: SeriesFinding[];
}

/**
 * `git range-diff`'s pair lines (`1:  abc1234 = 1:  def5678 subject`), each
 * changed pair followed by its locking interdiff, then the changelog check.
 */
export function renderSeriesDiff(r: SeriesDiffResult): string {
  // as git range-diff: decimal_width(1 + max(a->nr, b->nr))
  const width = String(1 + Math.max(r.old.patches.length, r.next.patches.length)).length;
  // from git ranges without a cover letter or a vN tag both sides may read as v1: name the sources only
  const v = (s: PatchSeries) => (r.old.version === r.next.version ? '' : `v${s.version} `);
  const from = `${v(r.old)}(${sourceLabel(r.old.source)}, ${counted(r.old.patches.length, 'patch', 'patches')})`;
  const to = `${v(r.next)}(${sourceLabel(r.next.source)}, ${counted(r.next.patches.length, 'patch', 'patches')})`;
  // One line when both sources fit in 80 columns; long paths put the new side under the old.
  const oneLine = `${from} → ${to}`;
  const header = oneLine.length <= WIDTH ? [oneLine] : [from, `  → ${to}`];
  const lines: string[] = [
    ...header,
    ...unreadPatchLines(r.old, v(r.old) || 'old '),
    ...unreadPatchLines(r.next, v(r.next) || 'new '),
    '',
  ];
  r.pairs.forEach((pair, k) => {
    const subject = sanitizeField((pair.new ?? pair.old)!.subject);
    // git range-diff's pair line, byte for byte (what eyes and scripts used to it match): the
    // subject is not wrapped; the lines under it are
    lines.push(`${side(pair.old, width)} ${pair.status} ${side(pair.new, width)} ${subject}`);
    if (pair.status !== '!') return;
    if (pair.changed.includes('subject'))
      lines.push(...wrapText(`was "${sanitizeField(pair.old!.subject)}"`, MORE, `${DETAIL}subject: `)); // the new one is on the pair line
    const d = r.interdiffs[k];
    if (d) lines.push(...interdiffLines(d, pair));
  });
  lines.push('');
  if (r.next.cover === null) lines.push(`changelog: v${r.next.version} has no cover letter`);
  else if (r.changelogItems.length === 0)
    lines.push(`changelog: the v${r.next.version} cover letter has no changelog for v${r.next.version}`);
  else if (r.old.version === r.next.version)
    lines.push(
      `changelog: not checked (both sides are v${r.next.version}: it tells the step into v${r.next.version})`,
    );
  else if (r.findings.length === 0)
    lines.push(
      r.changelogItems.length === 1
        ? 'changelog: its one item agrees with the changes'
        : `changelog: all ${r.changelogItems.length} items agree with the changes`,
    );
  else {
    lines.push(`changelog: ${counted(r.findings.length, 'warning')}`);
    for (const f of r.findings) lines.push(...wrapText(sanitizeField(f.message), '    ', `  ${f.id}: `));
  }
  return lines.join('\n');
}

function side(patch: Patch | null, width: number): string {
  if (!patch) return `${'-'.padStart(width)}:  -------`;
  const hash = patch.commit ? patch.commit.slice(0, 7) : '-------';
  return `${String(patch.index).padStart(width)}:  ${hash}`;
}

function interdiffLines(d: Interdiff, pair: SeriesPair): string[] {
  const out: string[] = [];
  const list = (names: string[], label: string) => {
    if (names.length > 0)
      out.push(...wrap(names.map(sanitizeField), MORE, WIDTH, ', ', `${DETAIL}${label} `));
  };
  for (const c of d.lockChanges) out.push(...wrapText(sanitizeField(c.text), MORE, `${DETAIL}locking: `));
  list(d.functionsAdded, 'functions: +');
  list(d.functionsRemoved, 'functions: -');
  list(d.filesAdded, 'files: +');
  list(d.filesRemoved, 'files: -');
  if (pair.changed.includes('diff')) {
    const same = d.lockChanges.length === 0 ? ' (locking unchanged)' : '';
    out.push(
      `${DETAIL}diff: ${d.linesAdded} changed line${d.linesAdded === 1 ? '' : 's'} in, ${d.linesRemoved} out${same}`,
    );
  }
  const other = pair.changed.filter((c) => c === 'message' || c === 'trailers');
  if (other.length > 0) out.push(`${DETAIL}also changed: ${other.join(', ')}`);
  return out;
}

/** The `--json` document of `series diff`. */
export function seriesDiffJson(r: SeriesDiffResult) {
  const ref = (p: Patch | null) => (p ? { index: p.index, subject: p.subject, commit: p.commit } : null);
  const about = (s: PatchSeries) => ({ source: s.source, version: s.version, total: s.total });
  return {
    schemaVersion: 1,
    old: about(r.old),
    new: about(r.next),
    pairs: r.pairs.map((p, k) => ({
      status: p.status,
      old: ref(p.old),
      new: ref(p.new),
      score: p.score,
      changed: p.changed,
      interdiff: r.interdiffs[k],
    })),
    changelog: { items: r.changelogItems.length },
    findings: r.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      patch: f.patch,
      file: f.file,
      line: f.line,
      message: f.message,
      confidence: f.confidence,
    })),
  };
}

// git:f230ab47fa20f1752c7669c078cbf42a4a3469af..b4/foo-v1   (a b4 base-commit, 40 hex)
const FULL_COMMIT = /\b([0-9a-f]{12})[0-9a-f]{28}(?:[0-9a-f]{24})?\b/g;

/** A series' source as a label: input text cleaned, full commit hashes (40 or 64 hex) cut to 12. */
export function sourceLabel(source: string): string {
  return sanitizeField(source).replace(FULL_COMMIT, '$1');
}

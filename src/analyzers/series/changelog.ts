import type { SeriesFinding } from '../../model/finding.js';
import type { ChangelogSection, Patch, PatchSeries } from '../../model/series.js';
import { interdiff, normalizeLock } from './interdiff.js';
import type { SeriesPair } from './pairing.js';
import { words } from './pairing.js';

/**
 * Checks the new version's changelog against what really changed
 * (CHANGELOG_INCOMPLETE, a warning: real changelogs often describe a change
 * without naming its patch). Two directions:
 *  - a changed, added or dropped patch that no changelog item mentions;
 *  - an item that clearly names a patch that did not change at all.
 * A mention is the patch number (`patch 3`, `3/8`), its subject or a quoted
 * part of it, distinctive words of its subject (the `drm/i915:` area counts),
 * a file it touches or a function it changes. A patch whose only change is
 * its trailers (a new Reviewed-by) needs no mention and is never flagged.
 */
export function checkChangelog(old: PatchSeries, next: PatchSeries, pairs: SeriesPair[]): SeriesFinding[] {
  const items = changelogItems(next);
  // The changelog tells the step into its version: between two copies of one version (a resend,
  // a series against itself) there is none to check it against.
  if (items.length === 0 || old.version === next.version) return [];
  const distinctive = distinctiveWords([...old.patches, ...next.patches]);
  const findings: SeriesFinding[] = [];
  for (const pair of pairs) {
    const patch = (pair.new ?? pair.old)!;
    const kind = pairKind(pair);
    if (kind === 'trailers-only') continue;
    const changes = pair.old && pair.new ? interdiffWords(pair.old, pair.new) : new Set<string>();
    const mentions = items.map((item) => mention(item, patch, distinctive, changes));
    if (kind === 'changed' && mentions.every((m) => m === null)) {
      findings.push(
        finding(pair, `${describe(pair)} but the v${next.version} changelog does not mention it`),
      );
    }
    if (kind === 'unchanged') {
      const strong = mentions.findIndex((m) => m?.strong);
      if (strong >= 0) {
        const how = mentions[strong]!.how;
        findings.push(
          finding(
            pair,
            `the v${next.version} changelog mentions patch ${patch.index} "${patch.subject}" (${how}: "${clip(items[strong]!)}") but it did not change`,
          ),
        );
      }
    }
  }
  return findings;
}

/** The items of the changelog section for this version (or of an unversioned list). */
export function changelogItems(series: PatchSeries): string[] {
  const sections: ChangelogSection[] = series.cover?.changelog ?? [];
  const own = sections.filter((s) => s.version === series.version);
  const chosen = own.length > 0 ? own : sections.filter((s) => s.version === null);
  return chosen.flatMap((s) => s.items);
}

type PairKind = 'changed' | 'trailers-only' | 'unchanged';

function pairKind(pair: SeriesPair): PairKind {
  if (pair.status === '<' || pair.status === '>') return 'changed';
  if (pair.status === '=') return 'unchanged';
  return pair.changed.some((c) => c !== 'trailers') ? 'changed' : 'trailers-only';
}

function describe(pair: SeriesPair): string {
  if (pair.status === '<')
    return `v${pair.old!.version} patch ${pair.old!.index} "${pair.old!.subject}" was dropped`;
  if (pair.status === '>') return `patch ${pair.new!.index} "${pair.new!.subject}" is new`;
  const what = pair.changed.filter((c) => c !== 'trailers').join(', ');
  return `patch ${pair.new!.index} "${pair.new!.subject}" changed (${what})`;
}

function finding(pair: SeriesPair, message: string): SeriesFinding {
  return {
    id: 'CHANGELOG_INCOMPLETE',
    severity: 'warning',
    evidence: 'patch',
    message,
    patch: pair.new ? pair.new.index : null,
    file: null,
    line: null,
    confidence: 'series',
  };
}

interface Mention {
  how: string;
  /** Strong mentions (number, subject) are specific enough to flag a patch that did not change. */
  strong: boolean;
}

/** Common words that say nothing about which patch is meant. */
const STOPWORDS = new Set(
  'add added adds fix fixed fixes use used make made move moved drop dropped remove removed the and for from with into onto when that this patch patches new support properly proper instead only also more less all some of to in on a an as by be is are was were it its not no error errors code handling helper helpers driver drivers function functions'.split(
    ' ',
  ),
);

function mention(item: string, patch: Patch, distinctive: Set<string>, changes: Set<string>): Mention | null {
  const text = item.toLowerCase();
  if (numberMentions(text).has(patch.index)) return { how: 'patch number', strong: true };
  const subject = patch.subject.toLowerCase();
  const summary = subject.replace(/^[^:]*:\s*/, '');
  if (summary.length > 0 && text.includes(summary)) return { how: 'subject', strong: true };
  for (const quoted of item.matchAll(QUOTED)) {
    const fragment = withoutEllipsis(quoted[1]!.toLowerCase());
    if (fragment.split(/\s+/).length >= 2 && subject.includes(fragment))
      return { how: 'quoted subject', strong: true };
  }
  const itemWords = new Set(words(text));
  const shared = words(subject).filter((w) => distinctive.has(w) && itemWords.has(w));
  if (new Set(shared).size >= 2)
    return { how: `subject words ${[...new Set(shared)].join(', ')}`, strong: true };
  const area = areaWords(subject);
  if (shared.some((w) => area.has(w) || /[_0-9]/.test(w) || w.length >= 5))
    return { how: 'subject word', strong: false };
  const named = [...itemWords].find((w) => changes.has(w));
  if (named) return { how: `names ${named}, which changed`, strong: false };
  for (const f of patch.files) {
    for (const path of [f.newPath, f.oldPath]) {
      if (!path) continue;
      const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
      if (text.includes(path.toLowerCase()) || (base.includes('.') && text.includes(base))) {
        return { how: 'file', strong: false };
      }
    }
  }
  for (const fn of changedFunctions(patch)) {
    if (itemWords.has(fn.toLowerCase())) return { how: 'function', strong: false };
  }
  return null;
}

// "patch 3", "patch #3", "patches 2-4", "patches 2, 5 and 7", "3/8", "[PATCH v6 03/22]"
const NUMBER_LIST = /\bpatch(?:es)?\s+#?(\d{1,3}(?:\s*(?:-|–|,|and|to)\s*#?\d{1,3})*)/g;
const SLASH_NUMBER = /(?:^|[\s[(])0*(\d{1,3})\/\d{1,3}\b/g;

// `2-4`, `2 to 4`, `#2–#4` inside a NUMBER_LIST match
const NUMBER_RANGE = /(\d{1,3})\s{0,3}(?:-|–|to)\s{0,3}#?(\d{1,3})/g;
// `Dropped "Skip objects pinned for scanout"`, `the "Put mapping ..." patch`
const QUOTED = /"([^"]{8,})"/g;
// `dma_resv_lock`, `mutex_lock(&sdev->lru_lock)`, `-spin_lock(&lock)` (interdiff labels)
const CALL_LABEL = /^-?([A-Za-z_]\w*)(?:\((.*)\))?$/;

/** Every regex of this file, for the ReDoS test. */
export const CHANGELOG_MENTION_REGEXES = [NUMBER_LIST, SLASH_NUMBER, NUMBER_RANGE, QUOTED, CALL_LABEL];

function withoutEllipsis(text: string): string {
  let t = text.trimEnd();
  if (t.endsWith('...')) t = t.slice(0, -3);
  else if (t.endsWith('…')) t = t.slice(0, -1);
  return t.trimEnd();
}

function numberMentions(text: string): Set<number> {
  const out = new Set<number>();
  for (const m of text.matchAll(NUMBER_LIST)) {
    const list = m[1]!;
    for (const r of list.matchAll(NUMBER_RANGE)) {
      for (let n = Number(r[1]); n <= Number(r[2]) && n - Number(r[1]) < 100; n++) out.add(n);
    }
    for (const n of list.matchAll(/\d+/g)) out.add(Number(n[0]));
  }
  for (const m of text.matchAll(SLASH_NUMBER)) out.add(Number(m[1]));
  return out;
}

/** Words of the subject's `area:` prefix (`drm/i915:` → i915), which name a driver or subsystem. */
function areaWords(subject: string): Set<string> {
  const colon = subject.lastIndexOf(': ');
  return new Set(colon < 0 ? [] : words(subject.slice(0, colon)));
}

/** Words that occur in the subject of at most one patch of either version and are not filler. */
function distinctiveWords(patches: Patch[]): Set<string> {
  const df = new Map<string, number>();
  const seen = new Set<string>();
  for (const p of patches) {
    if (seen.has(p.subject)) continue; // the same patch in both versions counts once
    seen.add(p.subject);
    for (const w of new Set(words(p.subject))) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const out = new Set<string>();
  for (const [w, n] of df) if (n === 1 && w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w)) out.add(w);
  return out;
}

function changedFunctions(patch: Patch): Set<string> {
  const out = new Set<string>();
  for (const f of patch.files) for (const fn of f.functions) out.add(fn);
  for (const op of patch.lockOps) if (op.function && op.change !== 'context') out.add(op.function);
  return out;
}

/**
 * Identifiers the locking interdiff of a changed pair involves: its
 * functions, the lock calls that changed and their locks (`dma_resv_trylock`,
 * `lru_lock`), lower-cased.
 */
function interdiffWords(old: Patch, next: Patch): Set<string> {
  const d = interdiff(old, next);
  const out = new Set<string>([...d.functionsAdded, ...d.functionsRemoved].map((f) => f.toLowerCase()));
  for (const c of d.lockChanges) {
    out.add(c.function.toLowerCase());
    if (c.movedTo) out.add(c.movedTo.toLowerCase());
    for (const label of [c.from, c.to]) {
      const m = label ? CALL_LABEL.exec(label) : null;
      if (!m) continue;
      out.add(m[1]!.toLowerCase());
      if (m[2] && !/GFP/.test(m[2])) out.add(normalizeLock(m[2]).toLowerCase());
    }
  }
  out.delete('');
  return out;
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}

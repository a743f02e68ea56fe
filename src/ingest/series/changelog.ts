import type { ChangelogSection } from '../../model/series.js';

/**
 * Finds the changelog sections of a cover letter (or of a patch's notes).
 * Headings are a table, one row per style seen on the lists; items are
 * bullets at the section's first bullet indentation, with deeper bullets and
 * wrapped lines joined into the item above. A section ends at the next
 * heading or at unindented text that is not a bullet (the shortlog
 * `Dmitry Osipenko (22):`, a new paragraph).
 */
interface HeadingRow {
  re: RegExp;
  /** The version the section describes, from the match. */
  version(m: RegExpExecArray): number | null;
  /** The rest of the heading line may hold a first item (`v6: - Added ...`). */
  rest?: true;
}

const HEADINGS: HeadingRow[] = [
  // Changes in v6:            (b4 prep cover template)
  // Changes for v3:
  { re: /^\s*change(?:s|log)\s+(?:in|for)\s+v(\d+)\s*(?::\s*)?$/i, version: (m) => Number(m[1]) },
  // v5->v6:   v5 -> v6:   v5..v6:   Changes v5 -> v6:
  {
    re: /^\s*(?:changes\s+)?v(\d+)\s*(?:->|→|\.\.|-|to)\s*v(\d+)(?!\d)/i,
    version: (m) => Number(m[2]),
    rest: true,
  },
  // Changes since v5:   Changes from v5:
  { re: /^\s*change(?:s|log)\s+(?:since|from)\s+v(\d+)\s*(?::\s*)?$/i, version: (m) => Number(m[1]) + 1 },
  // v6: - Added new VirtIO-related fix patch that previously was sent separately
  // v2:
  { re: /^\s*v(\d+)\s*:/i, version: (m) => Number(m[1]), rest: true },
  // Changelog:     Changes:     (an unversioned list follows, or versioned sections)
  { re: /^\s*change(?:s|log)\s*:\s*$/i, version: () => null },
];

// - Added r-b from Michael Ruhl to the i915 patch.   /   * Rebased   /   • Dropped
const BULLET = /^(\s*)[-*•][ \t]+(\S.*)$/;

export function parseChangelog(text: string): ChangelogSection[] {
  const lines = text.split('\n');
  const sections: ChangelogSection[] = [];
  let current: ChangelogSection | null = null;
  let indent = -1;
  let pendingUnversioned = false;
  const addItem = (item: string) => current?.items.push(item.trim());
  const appendToItem = (more: string) => {
    if (!current || current.items.length === 0) return;
    const last = current.items.length - 1;
    current.items[last] = `${current.items[last]} ${more.trim()}`;
  };
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    const heading = matchHeading(line);
    if (heading) {
      if (heading.version === null) {
        current = null;
        pendingUnversioned = true;
        continue;
      }
      current = { version: heading.version, items: [] };
      sections.push(current);
      pendingUnversioned = false;
      indent = -1;
      const rest = heading.rest?.trim() ?? '';
      const restBullet = BULLET.exec(heading.rest ?? '');
      if (restBullet) {
        indent = line.length - (heading.rest ?? '').length + restBullet[1]!.length;
        addItem(restBullet[2]!);
      } else if (rest !== '') {
        addItem(rest);
      }
      continue;
    }
    if (line === '') continue;
    const bullet = BULLET.exec(line);
    if (!current && pendingUnversioned && bullet) {
      current = { version: null, items: [] };
      sections.push(current);
      pendingUnversioned = false;
      indent = -1;
    }
    if (!current) continue;
    if (bullet) {
      const col = bullet[1]!.length;
      if (indent < 0) indent = col;
      if (col <= indent) addItem(bullet[2]!);
      else appendToItem(bullet[2]!);
      continue;
    }
    const col = line.length - line.trimStart().length;
    if (col === 0 || line.trim() === '---' || current.items.length === 0) {
      current = null;
      continue;
    }
    appendToItem(line);
  }
  return sections.filter((s) => s.items.length > 0);
}

function matchHeading(line: string): { version: number | null; rest?: string } | null {
  for (const row of HEADINGS) {
    const m = row.re.exec(line);
    if (!m) continue;
    if (row.rest === undefined) return { version: row.version(m) };
    // The rest of a heading line: nothing, or `:` and a first item (`v5->v6: - use trylock`).
    const raw = line.slice(m[0].length);
    const colon = raw.trimStart();
    if (
      raw.trim() !== '' &&
      !colon.startsWith(':') &&
      !line
        .slice(0, line.length - raw.length)
        .trimEnd()
        .endsWith(':')
    ) {
      continue;
    }
    const rest = colon.startsWith(':') ? colon.slice(1) : raw;
    return { version: row.version(m), rest };
  }
  return null;
}

/** Every regex of this recognizer (tests check none can backtrack catastrophically). */
export const CHANGELOG_REGEXES: RegExp[] = [...HEADINGS.map((h) => h.re), BULLET];

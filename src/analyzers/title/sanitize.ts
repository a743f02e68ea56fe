import { ownText } from '../../util/own-text.js';

/**
 * Title normalization, so titles from different boots compare equal:
 * executor pids, addresses, IPs, line numbers, offsets, CPU numbers and
 * other decimal numbers are replaced by placeholders; the title is cut to
 * 120 printable ASCII characters with spaces collapsed.
 */
export const REPLACEMENTS: ReadonlyArray<[RegExp, string | ((m: string, ...rest: unknown[]) => string)]> = [
  // `syz-executor.3/12345` → `syz-executor`
  [/syz-executor\.?[0-9]+(?:[/:][0-9]+)?/g, 'syz-executor'],
  // `syzkaller012345/1` → `syzkaller`
  [/syzkaller[0-9]+(?:[/:][0-9]+)?/g, 'syzkaller'],
  // ` ffff88807e4a1c00` → ` ADDR`
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  // `10.0.2.15` → `IP`
  [/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/g, 'IP'],
  // `mutex.c:123` → `mutex.c:LINE`
  [/(\.\w+)(?::[0-9]+)+/g, '$1:LINE'],
  // `ip6_fragment+0x1052/0x2d80` → `ip6_fragment`
  [/\+0x[0-9a-z]+\/0x[0-9a-z]+/g, dropOffset],
  // `CPU#1` → `CPU`
  [/CPU#[0-9]+/g, 'CPU'],
  // ` 42 ` → ` NUM `
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  // long digit runs left inside words
  [/\d{7,}/g, 'NUM'],
];

const MAX_TITLE = 120;

/** Drop `+0x1052/0x2d80` when it follows a function name (at least 2 name characters, starting with a letter). */
function dropOffset(m: string, ...rest: unknown[]): string {
  const offset = rest[rest.length - 2] as number;
  const s = rest[rest.length - 1] as string;
  let i = offset;
  while (i > 0 && /[a-zA-Z0-9_.]/.test(s[i - 1] as string)) i--;
  while (i < offset && !/[a-zA-Z]/.test(s[i] as string)) i++;
  return offset - i >= 2 ? '' : m;
}

/** Titles repeat across a log's reports (and as alt titles): normalized once each (bounded). */
const normalized = new Map<string, string>();

export function normalizeTitle(title: string): string {
  const hit = normalized.get(title);
  if (hit !== undefined) return hit;
  if (normalized.size >= 4096) normalized.clear();
  // Copies (see ownText): a title may be cut from the decoded input, which the cache would keep.
  const out = ownText(normalizeUncached(title));
  normalized.set(ownText(title), out);
  return out;
}

function normalizeUncached(title: string): string {
  let s = title.length > 4096 ? title.slice(0, 4096) : title;
  for (const [re, to] of REPLACEMENTS) {
    for (let i = 0; i < 64; i++) {
      const next = typeof to === 'string' ? s.replace(re, to) : s.replace(re, to);
      if (next === s) break;
      s = next;
    }
  }
  let out = '';
  let prev = ' ';
  for (let i = 0; i < s.length && i < MAX_TITLE; i++) {
    let ch = s[i] as string;
    const code = ch.charCodeAt(0);
    if (ch === '\t') ch = ' ';
    else if (code < 0x20 || code >= 0x7f) continue;
    if (ch === ' ' && prev === ' ') continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}

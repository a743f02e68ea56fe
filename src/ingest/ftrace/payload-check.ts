import { ROWS_BY_EVENT } from './payload-table.js';

/**
 * Whether the payload s[start, end) of an event matches the payload table,
 * exactly as `parsePayloadByTable(name, payload).matched` says, without
 * building its fields: what a reader needs of an event its consumer only
 * counts (COUNTED_EVENT), to report the same `ftrace-payload-mismatch`.
 */
export type PayloadCheck = (s: string, start: number, end: number) => boolean;

const ALWAYS: PayloadCheck = () => true;
/** Keys a check tracks, one bit each. */
const MAX_KEYS = 31;

/**
 * The check of an event's payloads, or null when only the table's full read
 * can tell (a row with a regex or a function). Events without a row always
 * match (their `key=value` fields are read, nothing to mismatch); `kv` rows
 * match when their required keys are there (after the row's renames).
 */
export function payloadCheckOf(name: string): PayloadCheck | null {
  const rows = ROWS_BY_EVENT.get(name);
  if (rows === undefined) return ALWAYS;
  if (rows.some((r) => r.pattern !== 'kv')) return null;
  if (rows.some((r) => r.requires === undefined || r.requires.length === 0)) return ALWAYS;
  const keys: string[] = [];
  const bit = (k: string) => {
    if (!keys.includes(k)) keys.push(k);
    return 1 << keys.indexOf(k);
  };
  // per row, per required key: the key masks of which any one present satisfies it
  const needs = rows.map((row) => {
    const rename = Object.entries(row.rename ?? {});
    const sources = new Set(rename.map(([from]) => from));
    // `k` is among the row's fields after renaming: present and not renamed away, or renamed into
    const inFields = (k: string): number[] => [
      ...(sources.has(k) ? [] : [bit(k)]),
      ...rename.filter(([, to]) => to === k).map(([from]) => bit(from)),
    ];
    // applyRow: the key itself, or the name it is renamed to
    return row.requires!.map((k) => {
      const to = row.rename?.[k];
      return [...inFields(k), ...(to === undefined ? [] : inFields(to))];
    });
  });
  if (keys.length > MAX_KEYS) return null;
  return (s, start, end) => {
    const present = keysPresent(s, start, end, keys);
    return needs.some((row) => row.every((any) => any.some((mask) => (present & mask) !== 0)));
  };
}

/**
 * Which of `keys` the `key=value` tokens of s[start, end) hold, as a bit mask
 * (tokens as parseKeyValues splits them: on blanks, the key before the first `=`).
 */
function keysPresent(s: string, start: number, end: number, keys: readonly string[]): number {
  let present = 0;
  let i = start;
  while (i < end) {
    while (i < end && isSep(s.charCodeAt(i))) i++;
    const t = i;
    let eq = -1;
    while (i < end && !isSep(s.charCodeAt(i))) {
      if (eq < 0 && s.charCodeAt(i) === 0x3d /* = */) eq = i;
      i++;
    }
    if (eq <= t) continue;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length === eq - t && s.startsWith(key, t)) present |= 1 << k;
    }
  }
  return present;
}

function isSep(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

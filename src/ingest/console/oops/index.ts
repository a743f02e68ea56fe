import type { Oops } from '../../../analyzers/title/types.js';
import { BUG_OOPS } from './bug.js';
import { INFO_OOPS } from './info.js';
import { FAULT_OOPSES } from './other.js';
import { WARNING_OOPS } from './warning.js';

/**
 * Every banner the kernel (and the fuzzer around it) prints at the start of a
 * report, in priority order: a line is claimed by the first banner it contains.
 */
export const OOPSES: readonly Oops[] = [BUG_OOPS, WARNING_OOPS, INFO_OOPS, ...FAULT_OOPSES];

// Cheap prefilter: one scan for any banner keyword before the per-banner checks.
export const HEADER_RE = new RegExp(
  OOPSES.map((o) => o.header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
);

function suppressed(line: string, oops: Oops): boolean {
  for (const s of oops.suppress) {
    if (typeof s === 'function' ? s(line) : s.test(line)) return true;
  }
  return false;
}

// Headers with a colon, by the (ASCII) character before their first colon: what they print up to
// it (`BUG:`, `WARNING:` under G; `stack segment:`, `Alignment trap:` under t). An array, not a
// map: most colons follow none of these characters, and a slot is found without hashing.
const UP_TO_COLON: Array<string[] | undefined> = new Array(128).fill(undefined);
for (const { header } of OOPSES) {
  const at = header.indexOf(':');
  if (at <= 0) continue;
  const c = header.charCodeAt(at - 1);
  const list = UP_TO_COLON[c] ?? [];
  if (!list.includes(header.slice(0, at + 1))) list.push(header.slice(0, at + 1));
  UP_TO_COLON[c] = list;
}
// Headers without a colon contain one of these (`Unable to handle kernel`, `BUG`, ...): one scan for all.
const NO_COLON_NEEDLES = new RegExp(
  [
    ...new Set(
      OOPSES.filter((o) => !o.header.includes(':')).map((o) => (o.header.includes('BUG') ? 'BUG' : o.header)),
    ),
  ]
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
);

/**
 * A necessary condition for HEADER_RE, much cheaper on ordinary lines: a colon that ends what a
 * header prints up to its colon (`lockdep:` is looked at as a possible `...p:` and dropped), or a
 * colon-less header's keyword. False for a line is false for any part of it: matchOops gives null
 * for every part.
 */
export function mayHaveHeader(line: string): boolean {
  for (let at = line.indexOf(':'); at !== -1; at = line.indexOf(':', at + 1)) {
    const heads = at > 0 ? UP_TO_COLON[line.charCodeAt(at - 1)] : undefined;
    if (heads === undefined) continue;
    for (const h of heads) if (at + 1 >= h.length && line.startsWith(h, at + 1 - h.length)) return true;
  }
  return NO_COLON_NEEDLES.test(line);
}

/** The banner this line starts, or null. */
export function matchOops(line: string): Oops | null {
  if (!mayHaveHeader(line) || !HEADER_RE.test(line)) return null;
  for (const oops of OOPSES) {
    if (line.includes(oops.header) && !suppressed(line, oops)) return oops;
  }
  return null;
}

/** Banners that may appear inside another report without starting a new one. */
// `invalid opcode: 0000 [#1] SMP KASAN`, `Kernel panic - not syncing: panic_on_warn set ...`
export const REPORT_START_IGNORES: readonly RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  /PANIC: double fault/,
  /Internal error:/,
];

export function startsNewReport(line: string): boolean {
  return !REPORT_START_IGNORES.some((re) => re.test(line));
}

/** Messages that carry a stack but are no bug: a report they interrupt is cut there. */
export const INFO_WITH_STACK: readonly string[] = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

export { BUG_OOPS, INFO_OOPS, WARNING_OOPS };

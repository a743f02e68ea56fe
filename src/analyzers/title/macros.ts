import { mayHold, mayHoldOne, needed } from '../../util/line-chars.js';

/**
 * Regex building blocks that make table rows read like the kernel output they
 * match (the idea of syzkaller's `{{FUNC}}`/`{{PC}}` macros, written for JS):
 *   {{FUNC}}  a function name followed by `.` (`.isra.0`, `.cold`) or `+` (offset): captured without the suffix
 *   {{PC}}    a `[<ffffffff81234567>]` / `[ffff...]` return address
 *   {{SRC}}   a `path/file.c:123` source location
 * All expansions use character classes that cannot overlap with what follows
 * them, so the resulting regexes run in linear time.
 */
const MACROS: Record<string, string> = {
  '{{FUNC}}': '([a-zA-Z0-9_]+)[.+]',
  '{{PC}}': String.raw`\[<?(?:0x)?[0-9a-f]+>?\]`,
  '{{SRC}}': '([a-zA-Z0-9_/.-]+:[0-9]+)',
  '{{ADDR}}': '0x[0-9a-f]+',
};

/** Compile a table regex, expanding the macros. */
export function rx(source: string, flags = ''): RegExp {
  let s = source;
  for (const [k, v] of Object.entries(MACROS)) s = s.split(k).join(v);
  return new RegExp(s, flags);
}

// ` RIP: 0010:lock_acquire+0x1f/0x40`, `PC is at foo+0x10/0x20`, `NIP [c0000000] func+0x..`, `pc : foo+0x1/0x2`
export const RIP_FRAME = rx(
  String.raw`(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\[< *\(null\)>\] +\(null\)|[0-9]+: +\(null\))`,
);

// `include/linux/cgroup.h:494 suspicious rcu_dereference_check() usage!`: a source location on its own
export const SRC_ALONE = /(?:^|[^a-zA-Z0-9_/.-])([a-zA-Z0-9_/.-]+:[0-9]+)/;

// `Call Trace:`, `Call trace:` (arm64), `Backtrace:` (arm32)
export const CALL_TRACE = /Call (?:T|t)race:|Backtrace:/;
const COLON = needed(':');
const C_OR_B = needed('CB');
/** Whether a line of summary `chars` (see line-chars.ts) may hold CALL_TRACE: a `:`, and a `C` or a `B`. */
export const mayHoldCallTrace = (chars: number): boolean =>
  mayHold(chars, COLON) && mayHoldOne(chars, C_OR_B);

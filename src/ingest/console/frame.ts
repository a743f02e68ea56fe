import { type Frame, makeFrame } from '../../model/frame.js';

/**
 * Parse one call-trace line (console prefixes already removed) into a Frame.
 * Returns null for anything that is not a frame: `<IRQ>`/`</IRQ>`/`<TASK>`
 * markers, `Call Trace:` headers, register dumps, prose.
 *
 * Every regex here is anchored, uses bounded character classes and no nested
 * quantifiers, so each runs in linear time on arbitrarily long lines.
 */

const MAX_FRAME_LINE = 1024;

// A symbol as printed: letters, digits, `_`, `.` (`.isra.0`, `.cold`), `$`.
const SYM = String.raw`[A-Za-z_$][\w.$]*`;
const HEX = '0x[0-9a-fA-F]+';

// ` <IRQ>`, ` </TASK>`, ` <NMI>`, ` <EOI>`, ` <SOFTIRQ>`
const MARKER_RE = /^<\/?[A-Z]{2,10}>$/;

// ARM32 (old): `[<c010f0c0>] (unwind_backtrace) from [<c010b4a8>] (show_stack+0x10/0x14)`
// also `[<(____ptrval____)>] (unwind_backtrace) from [<(____ptrval____)>] (show_stack+0x10/0x14)`
const ARM32_OLD_RE = new RegExp(
  String.raw`^\[<([0-9a-fA-Fx]+|\(_*ptrval_*\))>\] \((${SYM})(?:\+(${HEX})\/(${HEX}))?( \[[\w-]+\])?\) from `,
);

// ARM32 (5.x+): `unwind_backtrace from show_stack+0x18/0x1c`
const ARM32_NEW_RE = new RegExp(String.raw`^(${SYM})(?:\+(${HEX})\/(${HEX}))?( \[[\w-]+\])? from ${SYM}`);

// powerpc: `[c000000000f3fb50] [c000000000cea3a8] dump_stack+0xec/0x164 (unreliable)`
const PPC_RE = /^\[[0-9a-fA-F]+\] \[([0-9a-fA-F]+)\] (.*)$/;

// old x86 / arm64: `[<ffffffff81234567>] ? func+0x1/0x2` , `[<ffff000008089a48>] dump_backtrace+0x0/0x270`
// and `[<(____ptrval____)>] func+0x1/0x2`
const BRACKET_ADDR_RE = /^\[<([0-9a-fA-Fx]+|\(_*ptrval_*\))>\] (.*)$/;

// The symbolic part, all forms:
//   `drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]`
//   `func+0x1d/0x80 [mod 3f2a...buildid]`
//   `__mutex_lock+0x1a/0x30 kernel/locking/mutex.c:747`           (syzbot)
//   `__mutex_lock_common kernel/locking/mutex.c:603 [inline]`      (syzbot)
//   `drm_gem_shmem_evict (drivers/gpu/drm/drm_gem_shmem_helper.c:123) drm_shmem_helper` (decode_stacktrace)
//   `dump_stack_lvl (lib/dump_stack.c:107 (discriminator 1))`
//   `__switch_to+0x2b0/0x6e0 (T)`                                  (arm64, 6.13+)
const SYMBOLIC_RE = new RegExp(
  String.raw`^(${SYM})(?:\+(${HEX})(?:\/(${HEX}))?)?` + // function, offset/size
    String.raw`(?: \[([\w-]+)(?: [0-9a-fA-F]+)?\])?` + // [module buildid]
    // (file:line) decoded, possibly followed by the inlined-into locations: `(lib/dump_stack.c:94 lib/dump_stack.c:120)`
    // (an unknown line is `?`: ` ? __pfx_bochs_pci_driver_init (bochs.c:?) bochs`)
    String.raw`(?: \(([^\s():]+):(\d+|\?)(?: \(discriminator \d+\))?(?: [^\s():]+:\d+(?: \(discriminator \d+\))?)*\))?` +
    String.raw`(?: ([^\s():[]+):(\d+))?` + // file:line   syzbot
    String.raw`( \[inline\])?` +
    String.raw`(?: \[?([\w-]+)\]?)?` + // trailing module (decoded form)
    // arm64 (6.13+) says where the unwinder found the frame: `__switch_to+0x2b0/0x6e0 (T)`
    // (C caller, T task, P/L the PC/LR of pt_regs, U unknown; F through fgraph, K a kretprobe)
    String.raw`(?: \((?:[CTPLU]F?K?|FK?|K)\))?` +
    String.raw`(?: \(unreliable\))?$`,
);

/** Every regex of this file (the ReDoS test checks them). */
export const FRAME_REGEXES: readonly RegExp[] = [
  MARKER_RE,
  ARM32_OLD_RE,
  ARM32_NEW_RE,
  PPC_RE,
  BRACKET_ADDR_RE,
  SYMBOLIC_RE,
];

/** The Frame of `fn+off/size [module]` with nothing else known (what parseSymbolic gives it). */
function symbolFrame(
  fn: string,
  offset: number | null,
  size: number | null,
  module: string | null,
  unreliable: boolean,
): Frame {
  return {
    function: fn,
    offset,
    size,
    module,
    file: null,
    line: null,
    inline: false,
    unreliable,
    address: null,
  };
}

// Character classes of the frame regexes, as bits of one ASCII table.
const SYMBOL_START = 1; // `[A-Za-z_$]`
const SYMBOL = 2; // `[\w.$]`
const HEX_DIGIT = 4; // `[0-9a-fA-F]`
const MODULE = 8; // `[\w-]`
const BLANK = 16; // ` `, TAB
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CLASSES[c] =
    (/[A-Za-z_$]/.test(ch) ? SYMBOL_START : 0) |
    (/[\w.$]/.test(ch) ? SYMBOL : 0) |
    (/[0-9a-fA-F]/.test(ch) ? HEX_DIGIT : 0) |
    (/[\w-]/.test(ch) ? MODULE : 0) |
    (ch === ' ' || ch === '\t' ? BLANK : 0);
}
/** Is `c` (a char code) in the class? */
const is = (c: number, cls: number) => c < 128 && ((CLASSES[c] as number) & cls) !== 0;
const isBlank = (c: number) => is(c, BLANK);

// The readers below test `i < n` before each character they read: a read past the end (NaN)
// deoptimizes the reader the first time it happens, and plainFrame, read for every frame line,
// was compiled four times so. (A helper returning -1 past the end did the same, but as it was
// not inlined everywhere, parseFrame ran 1.8x slower.)

/** Index after the `0x`-prefixed hex number at `i` (`n`: the length of `s`), or -1. */
function hexEnd(s: string, i: number, n: number): number {
  if (i + 1 >= n || s.charCodeAt(i) !== 0x30 || s.charCodeAt(i + 1) !== 0x78 /* x */) return -1;
  let j = i + 2;
  while (j < n && is(s.charCodeAt(j), HEX_DIGIT)) j++;
  return j === i + 2 ? -1 : j;
}

/**
 * The shapes almost every x86 frame line has, read without a regex: ` func+0x1d/0x80`,
 * ` ? func+0x1d/0x80`, ` func+0x1d/0x80 [mod]` (blanks around). Returns the frame, null for a
 * line no regex of parseFrame could read (register dumps, hex dumps, prose starting with a digit
 * or a sign), or undefined when the regexes must decide (they give the same frame for the shapes
 * read here).
 */
function plainFrame(s: string): Frame | null | undefined {
  const n = s.length;
  let i = 0;
  while (i < n && isBlank(s.charCodeAt(i))) i++;
  let unreliable = false;
  if (i + 1 < n && s.charCodeAt(i) === 0x3f /* ? */ && s.charCodeAt(i + 1) === 0x20) {
    unreliable = true;
    i += 2;
    while (i < n && isBlank(s.charCodeAt(i))) i++;
  }
  const fnStart = i;
  if (i === n) return undefined;
  const c0 = s.charCodeAt(i);
  if (!is(c0, SYMBOL_START)) {
    // Every frame parseFrame reads starts with a symbol, `[` or `? ` (a `<IRQ>` marker is no frame):
    // another printable ASCII character starts no frame. Other blanks are left to trim().
    return c0 > 0x20 && c0 < 0x80 && c0 !== 0x5b /* [ */ && c0 !== 0x3f /* ? */ ? null : undefined;
  }
  i++;
  while (i < n && is(s.charCodeAt(i), SYMBOL)) i++;
  const fnEnd = i;
  if (i === n) return undefined;
  const after = s.charCodeAt(i);
  if (after !== 0x2b /* + */) {
    // A symbol is followed by `+0x`, a blank or nothing in every frame shape (`RIP: 0010:...`,
    // `R13: ...`, `Code: 48 89 ...` are registers): the regexes would fail; the blank cases go to them.
    return after === 0x20 ? undefined : null;
  }
  const offEnd = hexEnd(s, i + 1, n);
  if (offEnd < 0 || offEnd === n || s.charCodeAt(offEnd) !== 0x2f /* / */) return undefined;
  const sizeEnd = hexEnd(s, offEnd + 1, n);
  if (sizeEnd < 0) return undefined;
  i = sizeEnd;
  let module: string | null = null;
  if (i + 1 < n && s.charCodeAt(i) === 0x20 && s.charCodeAt(i + 1) === 0x5b /* [ */) {
    const modStart = i + 2;
    let j = modStart;
    while (j < n && is(s.charCodeAt(j), MODULE)) j++;
    if (j === modStart || j === n || s.charCodeAt(j) !== 0x5d /* ] */) return undefined;
    module = s.slice(modStart, j);
    // `[inline]` right after an offset is the regex's module group, then dropped.
    if (module === 'inline') return undefined;
    i = j + 1;
  }
  while (i < n && isBlank(s.charCodeAt(i))) i++;
  if (i !== n) return undefined;
  return symbolFrame(
    s.slice(fnStart, fnEnd),
    hexValue(s, fnEnd + 1, offEnd),
    hexValue(s, offEnd + 1, sizeEnd),
    module,
    unreliable,
  );
}

/** The value of the `0x...` number in s[from, to) (as hex() computes it). */
function hexValue(s: string, from: number, to: number): number | null {
  if (to - from > 15) return hex(s.slice(from, to));
  let n = 0;
  for (let k = from + 2; k < to; k++) {
    const c = s.charCodeAt(k);
    n = n * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return n;
}

function hex(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number.parseInt(s.slice(2), 16);
  return Number.isFinite(n) ? n : null;
}

const emptyFrame = (fn: string): Frame => makeFrame({ function: fn });

function normalizeAddress(a: string): string | null {
  return a.includes('ptrval') ? null : a.replace(/^0x/i, '').toLowerCase();
}

function moduleOf(bracket: string | undefined): string | null {
  if (!bracket) return null;
  return bracket.replace(/^ \[/, '').replace(/\]$/, '');
}

/** The symbolic part of a frame line (`func+0x1/0x2 [mod]`, `func file.c:12 [inline]`, ...). */
function parseSymbolic(text: string): Frame | null {
  const m = SYMBOLIC_RE.exec(text);
  if (!m) return null;
  const [, fn, off, size, mod, dfile, dline, sfile, sline, inl, tmod] = m;
  // A bare word is prose, not a frame: require an offset, a file or a marker.
  if (off === undefined && dfile === undefined && sfile === undefined) return null;
  const f = emptyFrame(fn as string);
  f.offset = hex(off);
  f.size = hex(size);
  f.module = mod ?? tmod ?? null;
  const file = dfile ?? sfile;
  const line = dline ?? sline;
  f.file = file ?? null;
  f.line = line !== undefined && line !== '?' ? Number(line) : null;
  f.inline = inl !== undefined;
  if (f.module === 'inline') f.module = null;
  return f;
}

export function parseFrame(text: string): Frame | null {
  if (text.length > MAX_FRAME_LINE) return null;
  const quick = plainFrame(text);
  return quick !== undefined ? quick : parseFrameByRegex(text);
}

/** parseFrame through the regexes alone (the reading the fast path must agree with; tests compare them). */
export function parseFrameByRegex(text: string): Frame | null {
  if (text.length > MAX_FRAME_LINE) return null;
  let t = text.trim();
  if (t.length === 0) return null;
  if (MARKER_RE.test(t)) return null;

  let m = ARM32_OLD_RE.exec(t);
  if (m) {
    const f = emptyFrame(m[2] as string);
    f.address = normalizeAddress(m[1] as string);
    f.offset = hex(m[3]);
    f.size = hex(m[4]);
    f.module = moduleOf(m[5]);
    return f;
  }

  m = PPC_RE.exec(t);
  if (m) {
    const f = parseSymbolic((m[2] as string).trim());
    if (!f) return null;
    f.address = normalizeAddress(m[1] as string);
    f.unreliable = t.endsWith('(unreliable)');
    return f;
  }

  let address: string | null = null;
  m = BRACKET_ADDR_RE.exec(t);
  if (m) {
    address = normalizeAddress(m[1] as string);
    t = (m[2] as string).trim();
  }

  let unreliable = false;
  if (t.startsWith('? ')) {
    unreliable = true;
    t = t.slice(2).trimStart();
  }

  m = ARM32_NEW_RE.exec(t);
  if (m) {
    const f = emptyFrame(m[1] as string);
    f.offset = hex(m[2]);
    f.size = hex(m[3]);
    f.module = moduleOf(m[4]);
    f.address = address;
    f.unreliable = unreliable;
    return f;
  }

  const f = parseSymbolic(t);
  if (!f) return null;
  f.address = address;
  f.unreliable = unreliable;
  return f;
}

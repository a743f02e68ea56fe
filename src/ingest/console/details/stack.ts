import { type Frame, makeFrame } from '../../../model/frame.js';
import { parseFrame } from '../frame.js';

/**
 * Lines of a call trace that are not frames but do not end it either: unwinder markers,
 * register dumps, `Code:` bytes, hex stack dumps, the `[...]` elisions posters insert.
 */
const STACK_NOISE_RES: readonly RegExp[] = [
  // ` <IRQ>`, `</TASK>`, `<NMI>`
  /^<\/?[A-Z]{2,10}>$/,
  // `RIP: 0033:0x47fbe9`, `RSP: 002b:00007ffe6ba683c8 EFLAGS: 00000246 ORIG_RAX: 0000000000000139`
  /^(?:RIP|RSP|RAX|RBX|RCX|RDX|RSI|RDI|RBP|R\d{1,2}|FS|CS|CR2|DR\d|Code|EIP|EAX|ESI|EBP|DS|CR0):/,
  // `Code starting with the faulting instruction`, `All code`, `========`
  /^(?:Code starting with|All code|={3,}|-{3,}$)/,
  // `ffff8800458dfa38 ffffffff82d383a9 ffffffff00000000 fffffbfff1097248` (4.x stack dump)
  /^[0-9a-f]{8,16}(?: [0-9a-f]{8,16}){1,7}$/,
  // `[...]`, `[..]`, `...`, `<>` (elided by the poster)
  /^(?:\[\.{2,3}\]|\.{3}|<>)$/,
  // arm64 `pc : ...`, `lr : ...`, `sp : ...`, `x29: ffff80000a9b3a20 x28: ...`, `pstate: 60400009 (...)`
  /^(?:pc|lr|sp|pstate) ?:|^x\d{1,2}: [0-9a-f]{16}/,
  // `Exception stack(0xc8b53f00 to 0xc8b53f48)`
  /^Exception stack\(/,
  // ARM32 registers printed under a frame: ` r7:85334cb0 r6:85334c00 r5:85334cb0 r4:824c4af8`
  /^r\d{1,2}:[0-9a-f]{8}(?: r\d{1,2}:[0-9a-f]{8}){0,7}$/,
];

export function isStackNoise(t: string): boolean {
  for (const re of STACK_NOISE_RES) if (re.test(t)) return true;
  return false;
}

// A frame that is only an address: `0xffffffffa0005056` (module init code, no symbol), `? 0xffffffffa0005000`
const BARE_ADDRESS_RE = /^(\? )?0x([0-9a-f]{1,16})$/;

// `...  __lock_acquire+0x8bc/0x1a94`
const ELLIPSIS_RE = /^\.{3}\s{1,8}/;

/**
 * A line shaped like a frame that parseFrame did not take (`func (a.c:1 b.c:2)`): it stays in the
 * stack as a diagnostic instead of ending it.
 *   `validate_chain (locking/lockdep.c:3093 locking/lockdep.c:3895)`
 */
const FRAME_LIKE_RE = /^(?:\? )?[A-Za-z_][\w.]{0,200}(?:\+0x[0-9a-f]|\s\()/;

export function looksLikeFrame(t: string): boolean {
  return FRAME_LIKE_RE.test(t);
}

/** parseFrame, plus the symbol-less `0xffffffffa0005056` frames lockdep stacks hold. */
export function parseStackLine(text: string): Frame | null {
  // `...  __lock_acquire+0x8bc/0x1a94`: lockdep marks a stack it had to cut short
  const t = text.startsWith('...') ? text.replace(ELLIPSIS_RE, '') : text;
  const f = parseFrame(t);
  if (f) return f;
  const m = BARE_ADDRESS_RE.exec(t);
  if (!m) return null;
  return makeFrame({ unreliable: m[1] !== undefined, address: m[2] as string });
}

export const STACK_REGEXES: readonly RegExp[] = [
  ...STACK_NOISE_RES,
  BARE_ADDRESS_RE,
  ELLIPSIS_RE,
  FRAME_LIKE_RE,
];

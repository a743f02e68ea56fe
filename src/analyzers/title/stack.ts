import { mayHoldOne, needed, UNREAD } from '../../util/line-chars.js';
import { codeAt } from '../../util/string-calls.js';
import { demangle } from './demangle.js';
import { CALL_TRACE } from './macros.js';
import { skipMatcher, stripFramePrefix } from './skip.js';
import { PARSE_STACK, type StackPart, type StackSpec } from './types.js';

/** Lines that start a stack trace (or an allocation/free stack) in a report. */
export const STACK_STARTS: readonly RegExp[] = [
  // `Call Trace:`, `Call trace:`
  /Call (?:T|t)race/,
  // KASAN: `Allocated:`, `Allocated by task 5531:`, `Freed by task 5531:`
  /Allocated:/,
  /Allocated by task \d+:/,
  /Freed:/,
  /Freed by task \d+:/,
  // kmemleak `  backtrace (crc 8c1a5a0e):` but not lockdep's `stack backtrace:`
  /[^k] backtrace(?: \(crc [0-9a-fA-F]*\))?:/,
  // arm32 `Backtrace:`
  /Backtrace:/,
  // KMSAN
  /Uninit was stored to memory at/,
  // riscv show_regs() tail: `status: 0000000200000120 badaddr: 0000000000000000 cause: 000000000000000f`
  RISCV_STACK_START(),
];

function RISCV_STACK_START(): RegExp {
  return /status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}/;
}
export const RISCV_START = STACK_STARTS[STACK_STARTS.length - 1] as RegExp;

// A word every row of STACK_STARTS holds (`Call Trace`, `Allocated`, `Freed`, ` backtrace`, `Backtrace`,
// `Uninit was`, `badaddr`): one scan of a line instead of one per row, as most lines start no stack.
const STACK_START_WORDS = /race|Allocated|Freed|acktrace|Uninit was|badaddr/;
// What every row of STACK_STARTS needs one of (see line-chars.ts): `C` (Call), `A` (Allocated),
// `F` (Freed), `U` (Uninit), or a `:` (the backtrace rows and the riscv registers).
const STACK_START_CHARS = needed('CAFU:');

/**
 * Does a stack trace (or an allocation/free stack) start on this line? `chars`: the line's
 * summary (see line-chars.ts), when read.
 */
export function isStackStart(line: string, chars = UNREAD): boolean {
  return mayHoldOne(chars, STACK_START_CHARS) && STACK_START_WORDS.test(line) && anyMatch(line, STACK_STARTS);
}

/** Frame lines, capturing the function name(s). */
export const FRAME_LINES: readonly RegExp[] = [
  // ` drm_gem_shmem_evict+0x1d5/0x580 [drm_shmem_helper]`, ` [<ffffffff81234567>] func+0x1/0x2`
  /^ *(?:\[<?(?:0x)?[0-9a-f]+>?\] ){0,2}([a-zA-Z0-9_]+)[.+]/,
  // `[<c010f0c0>] (unwind_backtrace) from [<c010b4a8>] (show_stack+0x10/0x14)`: callee and caller
  /^ *\[<?(?:0x)?[0-9a-f]+>?\] \(([a-zA-Z0-9_.]+)\) from \[<?(?:0x)?[0-9a-f]+>?\] \(([a-zA-Z0-9_]+)[.+]/,
];

/** Fault-injection stacks are often intermixed with reports: seeing one marks the report corrupted. */
// ` should_failslab+0x5/0x10`, ` [<ffffffff81>] should_fail.cold+0x1/0x2`
export const CORRUPTED_LINES: readonly RegExp[] = [
  /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/,
];

/** A line of a fault-injection stack (CORRUPTED_LINES), which starts ` s` or ` [`: the others are not tried. */
function isCorruptedLine(line: string): boolean {
  if (codeAt(line, 0) !== 0x20) return false;
  const c1 = codeAt(line, 1);
  return (c1 === 0x73 /* s */ || c1 === 0x5b) /* [ */ && anyMatch(line, CORRUPTED_LINES);
}

const MAX_LINE = 2048;

export function clip(line: string): string {
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
}

/** Match a stack part (one regex or a list tried in order) against a line. */
function execPart(part: StackPart, line: string): RegExpExecArray | null {
  if (part instanceof RegExp) return part.exec(line);
  for (const re of part) {
    const m = re.exec(line);
    if (m) return m;
  }
  return null;
}

function anyMatch(line: string, res: readonly RegExp[]): boolean {
  for (const re of res) if (re.test(line)) return true;
  return false;
}

export interface GuiltyFrame {
  /** Name used in the title (syscall prefixes stripped). */
  canonical: string;
  /** Name as found in the trace. */
  raw: string;
  /** Index (into the lines given) of the line it came from, or -1. */
  line: number;
}

interface Candidate {
  name: string;
  line: number;
}

function collect(
  out: Candidate[],
  m: RegExpExecArray,
  skip: (name: string) => boolean,
  line: number,
  firstOnly: boolean,
): void {
  for (let i = 1; i < m.length; i++) {
    // With the default picker only the first usable frame of a stack matters.
    if (firstOnly && out.length > 0) return;
    const found = m[i];
    if (found === undefined) continue;
    const name = demangle(found);
    if (!skip(name)) out.push({ name, line });
  }
}

/**
 * Walk the report lines following a row's stack parts and return the guilty
 * frame of each stack (null entries mean "no usable frame": the report is
 * corrupted). `lines[0]` is the report text from the match start; `chars`, when given, the
 * summary of each line (see line-chars.ts).
 */
export function extractFrames(
  spec: StackSpec,
  lines: string[],
  chars?: ArrayLike<number>,
): { frames: GuiltyFrame[]; ok: boolean } {
  const first = walk(spec, spec.parts, lines, chars);
  if (first.ok || !spec.parts2) return first;
  return walk(spec, spec.parts2, lines, chars);
}

function pick(spec: StackSpec, cands: Candidate[]): GuiltyFrame | null {
  if (cands.length === 0) return null;
  const stripped: string[] = [];
  for (const c of cands) stripped.push(stripFramePrefix(c.name));
  if (!spec.extractor) {
    const c = cands[0] as Candidate;
    return { canonical: stripped[0] as string, raw: c.name, line: c.line };
  }
  const r = spec.extractor(stripped);
  if (!r || r.frame === '') return null;
  const c = cands[r.index] as Candidate;
  return { canonical: r.frame, raw: c.name, line: c.line };
}

function walk(
  spec: StackSpec,
  parts: StackPart[],
  lines: string[],
  chars?: ArrayLike<number>,
): { frames: GuiltyFrame[]; ok: boolean } {
  const skip = skipMatcher(spec.skip);
  const firstOnly = spec.extractor === undefined;
  const frames: GuiltyFrame[] = [];
  let cands: Candidate[] = [];
  let ok = true;
  let stacks = 0;
  let pos = 0;
  const flush = () => {
    const f = pick(spec, cands);
    if (f) frames.push(f);
    else {
      frames.push({ canonical: 'corrupted', raw: 'corrupted', line: -1 });
      ok = false;
    }
    cands = [];
  };
  for (let partIdx = 0; ; partIdx++) {
    if (partIdx === parts.length || (parts[partIdx] === PARSE_STACK && stacks > 0)) flush();
    if (partIdx === parts.length) break;
    const part = parts[partIdx] as StackPart;
    if (part === PARSE_STACK) {
      stacks++;
      while (pos < lines.length) {
        const ln = clip(lines[pos] as string);
        const lnChars = chars?.[pos] ?? UNREAD;
        pos++;
        if (isCorruptedLine(ln)) {
          ok = false;
          break;
        }
        if (isStackStart(ln, lnChars)) break;
        const next = parts[partIdx + 1];
        if (next !== undefined) {
          const m = execPart(next, ln);
          if (m) {
            collect(cands, m, skip, pos - 1, firstOnly);
            partIdx++;
            break;
          }
        }
        // With the default picker, the frames after the first usable one are not looked at.
        if (firstOnly && cands.length > 0) continue;
        for (const re of FRAME_LINES) {
          const m = re.exec(ln);
          if (m) {
            collect(cands, m, skip, pos - 1, firstOnly);
            break;
          }
        }
      }
    } else {
      while (pos < lines.length) {
        const ln = clip(lines[pos++] as string);
        if (isCorruptedLine(ln)) {
          ok = false;
          break;
        }
        const m = execPart(part, ln);
        if (!m) continue;
        collect(cands, m, skip, pos - 1, firstOnly);
        break;
      }
    }
  }
  return { frames, ok };
}

/** Is there a stack-trace header in these lines (used by the corruption rules)? */
export { CALL_TRACE, demangle };

import { CALL_TRACE, mayHoldCallTrace } from '../../analyzers/title/macros.js';
import { clip } from '../../analyzers/title/stack.js';
import type { Oops } from '../../analyzers/title/types.js';
import { mayHold, needed, UNREAD } from '../../util/line-chars.js';
import { ownText } from '../../util/own-text.js';
import { charCodeAt, codeAt, endsWith, includes, indexOf } from '../../util/string-calls.js';
import { joinContinuations } from './details/join.js';
import { parseFrame } from './frame.js';
import { lineContext, type NormalizedLine } from './line-normalizer.js';
import { HANGUP_MARKER, INFO_WITH_STACK, matchOops, startsNewReport } from './oops/index.js';

/**
 * Splits a stream of normalized console lines into reports: a banner line
 * (see `oops/`) opens a report; its lines are those printed by the same
 * caller (`[T123]`/`[C4]`) when caller ids are present, plus other CPUs'
 * lines once an all-CPU backtrace (`Sending NMI from CPU`) starts. A report
 * ends at the next banner, at an `---[ end trace` marker, after a long quiet
 * gap in timestamps, or at a size cap (memory stays bounded).
 */
export interface ScannedReport {
  oops: Oops;
  context: string;
  lines: NormalizedLine[];
  /** True when the report was cut at the size cap. */
  capped: boolean;
}

export const MAX_REPORT_LINES = 4000;
/** printk prints this when it re-emits a message it had cut: `INFO: t` / `** replaying previous printk message **`. */
const REPLAY_MARKER = '** replaying previous printk message **';
/** Seconds of silence (in the report's own context) after which a report is over. */
const QUIET_GAP = 30;

interface Open {
  oops: Oops;
  context: string;
  quoteDepth: number;
  /** The report ends with its call trace (lockdep-style reports). */
  endsWithStack: boolean;
  /** Inside that final call trace, and how many frames it had so far. */
  inStack: boolean;
  frames: number;
  lines: NormalizedLine[];
  cpuTraceback: boolean;
  lastTs: number | null;
  /** Its lines are copied (see copyLines and HUNG_TASK_BANNER). */
  copy: boolean;
}

/**
 * `INFO: task kworker/0:1:12 blocked for more than 120 seconds.`: a hung-task report may be held
 * back until the lock listing that follows a series of them, so its lines are always copied. (A
 * report is a hung task only when its banner holds these words: a later line holding them starts
 * a report of its own, but for `INFO: task X is blocked on a mutex ...`, which no hung-task row
 * takes.)
 */
const HUNG_TASK_BANNER = 'INFO: task ';
/**
 * Input lines a report may span before its later lines are copied even when copyLines is off: the
 * lines of a report interleaved with other callers' output, one every piece, would each keep
 * their own piece alive until the report ends (up to MAX_REPORT_LINES of them).
 */
const WIDE_REPORT_LINES = 2048;

export class ReportScanner {
  private open: Open | null = null;

  /**
   * `copyLines`: copy each line of a report out of the decoded piece it was cut from (see
   * ownText), so that a report kept by its consumer does not keep its pieces alive. A consumer
   * that is done with each report soon after it is handed over (the triage stream) may do without;
   * hung-task reports and the later lines of a report spread wide over the input are copied anyway.
   */
  constructor(private readonly copyLines = true) {}

  /** Lines since the last report closed (see AFTERMATH_LINES). */
  private sinceClose = Number.POSITIVE_INFINITY;

  /**
   * The report this line ends, if any (a line ends at most one: the one open before it). `found`:
   * the banner this line carries (`matchOops(line.text)`), passed in so it is computed once.
   */
  push(line: NormalizedLine, found: Oops | null = matchOops(line.text)): ScannedReport | null {
    if (this.bannerAlone() && line.text.includes(REPLAY_MARKER)) {
      // The banner was cut and is printed again on the next line.
      this.open = null;
      return null;
    }
    const oops = found && !isProse(line.text, found) ? found : null;
    const ctx = lineContext(line);
    this.sinceClose++;
    // die()'s panic right after the oops it ends: not a crash of its own
    if (oops && this.open === null && this.sinceClose <= AFTERMATH_LINES && FATAL_PANIC_RE.test(line.text))
      return null;
    if (oops && (this.open === null || (startsNewReport(line.text) && !continuesReport(line.text)))) {
      const done = this.open ? this.close(false) : null;
      const copy = this.copyLines || line.text.includes(HUNG_TASK_BANNER);
      this.open = {
        oops,
        context: ctx,
        quoteDepth: line.quoteDepth,
        endsWithStack: STACK_END_BANNERS.some((re) => re.test(line.text)),
        inStack: false,
        frames: 0,
        lines: [copy ? own(line) : line],
        cpuTraceback: false,
        lastTs: line.ts,
        copy,
      };
      return done;
    }
    const cur = this.open;
    if (cur === null || !belongs(cur, ctx, line.quoteDepth)) return null;
    if (line.ts !== null && cur.lastTs !== null && line.ts - cur.lastTs > QUIET_GAP) {
      return this.close(false);
    }
    // The line is the report's from here on (or the one that ends it): its text is copied first
    // (when the report's lines are), so that nothing read from it (the frame below) holds on to
    // its decoded piece.
    if (cur.copy || line.line - (cur.lines[0] as NormalizedLine).line > WIDE_REPORT_LINES) own(line);
    if (startsCpuTraceback(line.text, line.chars)) cur.cpuTraceback = true;
    if (cur.endsWithStack && ctx !== '') {
      // A line of the final trace is read as a frame once (the lock details take it from the line).
      if (cur.inStack) line.frame = parseFrame(line.text);
      const frame = cur.inStack && line.frame !== null;
      if (
        cur.inStack &&
        cur.frames > 0 &&
        !frame &&
        !TRACE_EXTRA_RE.test(line.text) &&
        !WRAPPED_FRAME_RE.test(line.text)
      ) {
        // The first line after the final trace that is not part of it: the report is over.
        return this.close(false);
      }
      if (mayHoldCallTrace(line.chars) && CALL_TRACE.test(line.text)) cur.inStack = true;
      else if (frame) cur.frames++;
    }
    cur.lines.push(line);
    if (line.ts !== null) cur.lastTs = line.ts;
    const endOfTask =
      cur.endsWithStack && cur.inStack && mayHold(line.chars, TASK_END) && line.text.trim() === TASK_END_LINE;
    if (endOfTask || endMarker(line.text, line.chars)) return this.close(false);
    if (cur.lines.length >= MAX_REPORT_LINES) return this.close(true);
    return null;
  }

  end(): ScannedReport[] {
    return this.open ? [this.close(false)] : [];
  }

  /**
   * `push` of a stamped line of context `ctx` without a banner (at no quote depth) would only count
   * it towards AFTERMATH_LINES (see `passed`): no report is open, or one past its banner line
   * (REPLAY_MARKER would undo that alone) that the line does not belong to.
   */
  ignoresPlainLine(ctx: string): boolean {
    const cur = this.open;
    return cur === null || (!this.bannerAlone() && !belongs(cur, ctx, 0));
  }

  /** `ignoresPlainLine` holds for a line of any context: no report is open. */
  ignoresPlainLines(): boolean {
    return this.open === null;
  }

  /** The open report is its banner line alone (a REPLAY_MARKER line undoes it). */
  private bannerAlone(): boolean {
    return this.open !== null && this.open.lines.length === 1;
  }

  /** What `push` does with `n` lines it ignores, without the lines. */
  passed(n = 1): void {
    this.sinceClose += n;
  }

  private close(capped: boolean): ScannedReport {
    const cur = this.open as Open;
    this.open = null;
    this.sinceClose = 0;
    return { oops: cur.oops, context: cur.context, lines: cur.lines, capped };
  }
}

const TASK_END_LINE = '</TASK>';
const TASK_END = needed(TASK_END_LINE);

/** `---[ end trace ...`, `---[ end Kernel panic ...` (one scan for the common part first). */
function endMarker(text: string, chars: number): boolean {
  return (
    mayHold(chars, END_MARKER) &&
    includes(text, '---[ end ') &&
    (includes(text, '---[ end trace') || includes(text, '---[ end Kernel panic'))
  );
}
const END_MARKER = needed('---[ end ');

/** `Sending NMI from CPU 0 to CPUs 1:`: other CPUs' backtraces follow (their lines are the report's). */
function startsCpuTraceback(text: string, chars: number): boolean {
  return mayHold(chars, CPU_TRACEBACK) && includes(text, CPU_TRACEBACK_TEXT);
}
const CPU_TRACEBACK_TEXT = 'Sending NMI from CPU';
const CPU_TRACEBACK = needed(CPU_TRACEBACK_TEXT);

/** A report's line with its text copied (see ownText): the report keeps its lines and strings cut from them. */
function own(line: NormalizedLine): NormalizedLine {
  line.text = ownText(line.text);
  return line;
}

/**
 * A banner keyword glued to a word is mail prose, not a kernel banner:
 * LKP's `kernel test robot noticed "WARNING:possible_recursive_locking_detected" on:`.
 */
function isProse(text: string, oops: Oops): boolean {
  if (!oops.header.endsWith(':')) return false;
  const next = codeAt(text, text.indexOf(oops.header) + oops.header.length);
  return next !== -1 && next !== 0x20 && next !== 0x09;
}

/**
 * Banners of reports whose last part is the call trace (lockdep and the
 * atomic-context checks): such a report ends with its trace, so it can be
 * emitted then rather than at the next banner.
 */
// `WARNING: possible circular locking dependency detected`, `BUG: sleeping function called from invalid context at ...`
export const STACK_END_BANNERS: readonly RegExp[] = [
  /possible (?:circular locking dependency|recursive locking|irq lock inversion dependency) detected/,
  /inconsistent lock state|-safe -> \S+-unsafe lock order detected|suspicious RCU usage/,
  /bad unlock balance detected|held lock freed|Nested lock was not taken|Invalid wait context/,
  /BUG: (?:sleeping function called from invalid context|scheduling while atomic|using \w+\(\) in preemptible)/,
];

// Lines that belong to a call trace: frames, `<IRQ>`/`</TASK>` markers, bare addresses (` ? 0xffffffffa0005000`),
// the registers of an interrupted frame, or (ARM32) those each frame saved.
// `RIP: 0010:lock_acquire+0x1f/0x40`, `RSP: 0018:ffffc90000b6fbb8 EFLAGS: 00000246`, `Code: 48 89 ...`,
// ` r9:60000193 r8:ffffffff r7:00000000 r6:00000080 r5:8101acf4 r4:00000000`
export const TRACE_EXTRA_RE =
  /^\s*(?:<\/?[A-Z]{2,10}>|(?:\? )?0x[0-9a-f]+\s*$|(?:RIP|RSP|RAX|RBX|RDX|RBP|R\d{1,2}|FS|CS|CR2|DR\d|Code|\.\.\.):?\s|r\d{1,2}:[0-9a-f]{8}(?:\s|$))/;

// A frame whose decoded location a mail client moved to the next line: ` dma_resv_add_excl_fence`
// then `(linux/./include/linux/dma-resv.h:246` (a bare symbol is no other line of a report), or
// cut inside it: `lock_release (linux/kernel/locking/lockdep.c:4243` then `linux/...:4503)`.
export const WRAPPED_FRAME_RE =
  /^\s*(?:\? )?[A-Za-z_][\w.]{0,200}(?: \([\w./-]{1,300}:\d{1,6}(?: \(discriminator \d{1,4}\)| [\w./-]{1,300}:\d{1,6})*)?$/;

// `INFO: task ring0:155 is blocked on a mutex likely owned by task gpu-worker:154.` (part of a hung-task report)
// `Kernel panic - not syncing: Fatal exception` (what die() does after an oops: the oops's end)
const FATAL_PANIC_RE = /Kernel panic - not syncing: (?:Oops[\w -]*: )?Fatal exception/;
export const CONTINUATION_BANNERS: readonly RegExp[] = [/INFO: task \S+ is blocked on a /, FATAL_PANIC_RE];

/** Lines after a report's end within which a `Fatal exception` panic is still that report's. */
const AFTERMATH_LINES = 16;

function continuesReport(text: string): boolean {
  return CONTINUATION_BANNERS.some((re) => re.test(text));
}

/** A line of context `ctx`, quoted `quoteDepth` deep, is the open report's. */
function belongs(cur: Open, ctx: string, quoteDepth: number): boolean {
  if (quoteDepth !== cur.quoteDepth) return false;
  if (ctx === cur.context) return true;
  // Unstamped lines inside a stamped log: mail-wrapped continuations and pr_cont pieces
  // (kept for the lock structure; the titled text leaves them out, as syzkaller does).
  if (ctx === '') return true;
  return cur.cpuTraceback && ctx.startsWith('C');
}

/**
 * syzkaller drops `? ` frames and powerpc `(unreliable)` frames from a report's text. `chars`: the
 * line's summary (see line-chars.ts), when read.
 */
export function isQuestionable(text: string, ctx: string, chars = UNREAD): boolean {
  if (ctx === '') return false;
  return (
    ((mayHold(chars, QUESTION_MARK) && hasSpacedQuestionMark(text)) ||
      (mayHold(chars, UNRELIABLE) && endsWith(text, UNRELIABLE_TEXT))) &&
    !includes(text, '<EOI>')
  );
}
const QUESTION_MARK = needed('?');
const UNRELIABLE_TEXT = ' (unreliable)';
const UNRELIABLE = needed(UNRELIABLE_TEXT);

/** `text.includes(' ? ')`, found from the rare `?`. */
function hasSpacedQuestionMark(text: string): boolean {
  for (let at = indexOf(text, '?', 1); at !== -1; at = indexOf(text, '?', at + 1)) {
    if (charCodeAt(text, at - 1) === 0x20 && charCodeAt(text, at + 1) === 0x20) return true;
  }
  return false;
}

/** A report's lines as syzkaller titles them, with the summary of each (see line-chars.ts). */
export interface TitleText {
  texts: string[];
  chars: number[];
}

/** The lines of a report syzkaller would title: same context, no questionable frames. */
export function titleLines(report: ScannedReport): TitleText {
  const texts: string[] = [];
  const chars: number[] = [];
  let cpuTraceback = false;
  report.lines.forEach((l, i) => {
    const ctx = lineContext(l);
    if (i > 0) {
      const same = ctx === report.context || (cpuTraceback && ctx.startsWith('C'));
      if (!same || isQuestionable(l.text, ctx, l.chars)) return;
    }
    if (startsCpuTraceback(l.text, l.chars)) cpuTraceback = true;
    texts.push(l.text);
    chars.push(l.chars);
  });
  return { texts, chars };
}

// A decoded frame (scripts/decode_stacktrace.sh), rewritten into the raw form the title rows
// read: ` dump_stack (lib/dump_stack.c:120)` → ` dump_stack+0x0/0x0 (lib/dump_stack.c:120)`
export const DECODED_FRAME_RE = /(?<![\w.])([A-Za-z_][\w.]*) \((?=[\w/.-]+:\d)/g;
const PTRVAL = '(____ptrval____)';
// A line that a mail client cut before its end: `WARNING: CPU: 0 PID: 1869 at`, `... pid:`
export const WRAPPED_TAIL_RE = /(?: at| \/|:)$/;

/**
 * The report's lines as a reader sees them, for titling reports that the
 * strict (syzkaller) reading cannot title: mail-wrapped and pr_cont-broken
 * lines joined, decoded frames and hashed pointers put in raw form. Used only
 * when it gives a clean title where the strict reading gave none.
 */
export function lenientLines(report: ScannedReport): string[] {
  const kept: NormalizedLine[] = [];
  for (const [i, l] of report.lines.entries()) {
    const ctx = lineContext(l);
    if (i > 0 && isQuestionable(l.text, ctx, l.chars)) continue;
    const prev = kept[kept.length - 1];
    // A banner wrapped by a mail client: `BUG: KCSAN: data-race in do_page_fault /` + `spectre_v4_...`
    if (
      prev &&
      ctx === '' &&
      report.context !== '' &&
      (kept.length === 1 || WRAPPED_TAIL_RE.test(prev.text))
    ) {
      // (written out in the normalizer's order: the line has the shape of the others it is read with)
      const { ts, caller, level, line, quoteDepth, stamped } = prev;
      const text = `${prev.text.trimEnd()} ${l.text.trim()}`;
      kept[kept.length - 1] = {
        text,
        ts,
        caller,
        level,
        line,
        quoteDepth,
        stamped,
        frame: undefined,
        chars: prev.chars | l.chars,
      };
      continue;
    }
    kept.push(l);
  }
  // (pushed into a literal, as titleLines does: sameLines and the title rows see one kind of array)
  const joined: string[] = [];
  for (const l of joinContinuations(kept)) {
    let t = l.text;
    if (t.includes(PTRVAL)) t = t.split(PTRVAL).join('0');
    // decoded frames and lock sites: `dump_stack (lib/dump_stack.c:120)`, `at: foo (drm_prime.c:195) drm`
    joined.push(t.includes(' (') ? t.replace(DECODED_FRAME_RE, '$1+0x0/0x0 (') : t);
  }
  // ARM32 prints its unwind right after lockdep's `stack backtrace:`, with no `Call trace:` header.
  if (!joined.some((t) => CALL_TRACE.test(t))) {
    const at = joined.findIndex((t) => t.trim() === 'stack backtrace:');
    if (at >= 0) joined[at] = 'Call Trace:';
  }
  return joined;
}

/** A line that ends what the verdict reads of a log without callers: a new report, or a message with a stack. */
function startsSecondReport(text: string, found: Oops | null): boolean {
  return (found !== null && startsNewReport(text)) || INFO_WITH_STACK.some((m) => text.includes(m));
}

/**
 * Collects the first report the way syzkaller reads a whole log, for the
 * log's verdict: from the first banner to the end of the log (bounded), same
 * context only, cut at a second report when there are no caller ids, without
 * the panic/circular-dependency tails that an oops itself provokes.
 */
export class VerdictCollector {
  oops: Oops | null = null;
  /** The report text, and how much of it counts for the title. */
  readonly text: string[] = [];
  reportEnd = 0;
  consoleHangup = false;
  private context = '';
  private minLines = 22;
  private textLines = 0;
  private cpuTraceback = false;
  private secondReport = false;
  /** No later line can change the verdict (only the console hang-up is still looked for). */
  private settled = false;

  /** `mayHangUp`: false when the line is known not to hold HANGUP_MARKER (its text is not searched). */
  push(line: NormalizedLine, found: Oops | null = matchOops(line.text), mayHangUp = true): void {
    if (mayHangUp && line.text.includes(HANGUP_MARKER)) this.consoleHangup = true;
    // A cut banner printed again undoes it, even once what followed it has settled the verdict.
    if (this.bannerAlone() && line.text.includes(REPLAY_MARKER)) {
      this.reset();
      return;
    }
    if (this.settled) return;
    const ctx = lineContext(line);
    const text = line.text;
    if (this.oops === null) {
      if (!found) return;
      this.oops = found;
      this.context = ctx;
      this.minLines = text.includes('BUG: KMSAN:') ? 16 : 22;
      this.add(text, true);
      return;
    }
    if (!this.secondReport && startsSecondReport(text, found)) this.secondReport = true;
    if (isQuestionable(text, ctx)) return;
    if (!this.reads(ctx)) return;
    this.add(text, false);
  }

  /**
   * `push` of a line of context `ctx` without a banner that cannot hold HANGUP_MARKER would change
   * nothing: no banner seen yet; or, unless the report so far is its banner alone (REPLAY_MARKER
   * would undo it), the verdict is settled, or the line is another context's and cannot start a
   * second report (`text`: the line or more, see INFO_WITH_STACK).
   */
  ignoresPlainLine(ctx: string, text: string): boolean {
    if (this.ignoresPlainLines()) return true;
    if (this.bannerAlone()) return false;
    return !this.reads(ctx) && (this.secondReport || !startsSecondReport(text, null));
  }

  /** `ignoresPlainLine` holds for a line of any context and text. */
  ignoresPlainLines(): boolean {
    return this.oops === null || (this.settled && !this.bannerAlone());
  }

  /** The report so far is its banner line alone (a REPLAY_MARKER line undoes it). */
  private bannerAlone(): boolean {
    return this.text.length === 1;
  }

  /** The report's lines are those of its context, and, once it sent NMIs, every CPU's. */
  private reads(ctx: string): boolean {
    return ctx === this.context || (this.cpuTraceback && ctx.startsWith('C'));
  }

  private reset(): void {
    this.oops = null;
    this.text.length = 0;
    this.reportEnd = 0;
    this.textLines = 0;
    this.cpuTraceback = false;
    this.secondReport = false;
    this.settled = false;
  }

  private add(text: string, isOopsLine: boolean): void {
    this.textLines++;
    let skipLine = false;
    if (text.includes('Disabling lock debugging due to kernel taint')) skipLine = true;
    else if (startsCpuTraceback(text, UNREAD)) this.cpuTraceback = true;
    else if (
      (text.includes('Kernel panic - not syncing') ||
        text.includes('WARNING: possible circular locking dependency detected')) &&
      this.textLines > this.minLines
    ) {
      // The panic or splat that the first report provoked: nothing from here on counts.
      this.settled = true;
      skipLine = true;
    }
    if (!isOopsLine && skipLine) return;
    // Kept to the end of the log, so copied: a slice would keep its whole chunk alive.
    this.text.push(ownText(clip(text)));
    if (!this.secondReport || (this.context !== '' && this.context !== 'console'))
      this.reportEnd = this.text.length;
    if (this.text.length >= MAX_REPORT_LINES * 4) this.settled = true;
  }
}

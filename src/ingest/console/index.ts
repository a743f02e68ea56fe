import { reportSignature } from '../../analyzers/signature.js';
import { corruptionOf } from '../../analyzers/title/corrupted.js';
import {
  CORRUPTED_NO_FRAMES,
  CORRUPTED_NO_REPORT,
  type Description,
  describe,
} from '../../analyzers/title/describe.js';
import { normalizeTitle } from '../../analyzers/title/sanitize.js';
import { titleToType } from '../../analyzers/title/title-to-type.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { type Frame, makeFrame } from '../../model/frame.js';
import type { LogVerdict, Report, ReportKind } from '../../model/report.js';
import { excerpt } from '../ftrace/diagnostics.js';
import { openInput } from '../input.js';
import { KernelLogSniffer, MAIL_HEADER } from '../kernel-log.js';
import { type LineSink, type LineSkipper, LineSplitter } from '../line-splitter.js';
import { parseFrame } from './frame.js';
import { ConsoleNormalizer, MAX_LINE_CHARS, type NormalizedLine } from './line-normalizer.js';
import { extractLockDetails } from './lockdep-details.js';
import { HeaderCandidates, matchOops } from './oops/index.js';
import { refineKind } from './oops/kinds.js';
import { plainRunInJs } from './piece-scan.js';
import {
  lenientLines,
  ReportScanner,
  type ScannedReport,
  titleLines,
  VerdictCollector,
} from './report-scanner.js';

export { parseFrame } from './frame.js';
export { ConsoleNormalizer, type NormalizedLine } from './line-normalizer.js';

/**
 * Streaming console-log parser: bytes in, reports out as soon as each one is
 * complete (a series of hung-task reports once khungtaskd's lock listing after
 * the last one is read), plus syzkaller's verdict for the whole log
 * (title/type/corrupted of its first crash). Never throws on any input.
 */
export class ConsoleLogParser {
  readonly diagnostics: Diagnostic[] = [];
  readonly stats = { lines: 0, reportLines: 0, skipped: 0 };
  private readonly splitter = new LineSplitter();
  private readonly normalizer = new ConsoleNormalizer();
  private readonly scanner: ReportScanner;
  private readonly verdictCollector = new VerdictCollector();
  private readonly sniffer = new KernelLogSniffer();
  private reportCount = 0;
  private cachedVerdict: LogVerdict | null = null;
  private ended = false;
  /** Where the reports of the chunk being split go. */
  private chunkOut: Report[] = [];
  /** Takes each line of the chunk (one function for every chunk: the splitter's call stays monomorphic). */
  private readonly sink: LineSink = (text, line, clean, bytes, at) => {
    // A clean line with its bytes lies in the piece being split, as it was decoded: the piece-wide
    // search for banners and the hang-up marker answers for it (its message is a part of it:
    // ConsoleNormalizer cuts a clean line's front, and a long one's end; and no part of a line
    // without a candidate holds either, see mayHaveHeader).
    if (bytes === null || !clean) {
      this.line(this.normalizer.lineOf(text, line, clean, bytes, at), this.chunkOut);
      return;
    }
    const candidate = this.headers.within(at, at + text.length);
    const close = this.normalizer.plainClose(text, bytes, at);
    if (close < 0) {
      this.line(this.normalizer.lineOf(text, line, clean, bytes, at), this.chunkOut, candidate);
      return;
    }
    // A plainly stamped line: read in its bytes, and maybe not at all.
    const caller = this.normalizer.plainCaller(text, bytes, at, close);
    if (!candidate && this.plainLineIgnored(caller ?? 'console', text)) {
      this.stats.lines++;
      this.scanner.passed();
      return;
    }
    const l = this.normalizer.plainLine(text, line, bytes, at, close, caller);
    this.line(l, this.chunkOut, candidate);
  };

  /**
   * Most lines of a long console are boot and driver chatter outside any report: a plainly stamped
   * line (of context `ctx`) without a banner (or the hang-up marker) that neither the scanner nor
   * the verdict takes changes nothing but the scanner's count, and is not normalized at all.
   */
  private plainLineIgnored(ctx: string, text: string): boolean {
    return this.scanner.ignoresPlainLine(ctx) && this.verdictCollector.ignoresPlainLine(ctx, text);
  }

  /** The banner prefilter over the piece being split (a line with bytes lies in it from `at`). */
  private readonly headers = new HeaderCandidates();
  private readonly onPiece = (text: string, bytes: Uint8Array | null) => this.headers.reset(text, bytes);

  /** Takes the lines plainLineIgnored would ignore, a run at a time (see ignoredRun). */
  private readonly skipper: LineSkipper = {
    taken: 0,
    take: (text, bytes, from, control) => this.ignoredRun(text, bytes, from, control),
  };

  /**
   * While no report is open and the log's verdict takes no more lines (most of a long console),
   * plainLineIgnored ignores every plainly stamped line without a candidate (see the sink),
   * whatever its caller and text: such lines are taken a run at a time, from `from` to the first
   * line that is not one, holds a control character (from `control` on) or the piece's next candidate,
   * only counted, never cut out of the piece. Returns where the run ends (see LineSkipper).
   */
  private ignoredRun(text: string, bytes: Uint8Array, from: number, control: number): number {
    let start = from;
    let n = 0;
    if (
      this.normalizer.readsPlainLines &&
      this.scanner.ignoresPlainLines() &&
      this.verdictCollector.ignoresPlainLines()
    ) {
      const stop = Math.min(control, this.headers.next(from));
      // (in WebAssembly over the copy of the piece the headers' search reads, when there is one)
      const scan = this.headers.scan;
      if (scan !== null) {
        start = scan.plainRun(from, Math.min(stop, text.length), text.length, MAX_LINE_CHARS);
        n = scan.taken;
      } else {
        ({ end: start, taken: n } = plainRunInJs(text, bytes, from, stop, MAX_LINE_CHARS));
      }
      this.stats.lines += n;
      this.scanner.passed(n);
    }
    this.skipper.taken = n;
    return start;
  }

  /**
   * `onReport`: each report is handed over as soon as it is built, and `push`/`end` return none
   * (a streaming consumer then holds no chunk's worth of reports: they die young, memory stays low).
   */
  constructor(
    readonly options: {
      path?: string;
      onReport?: (report: Report) => void;
      /**
       * False for an `onReport` that keeps no report once it returns (only copies of its strings,
       * see ownText): the reports' lines are then not copied out of the decoded input, a copy of
       * every report line saved. A report kept anyway keeps the 64 KiB pieces its strings were cut
       * from alive. Default true.
       */
      copyReportLines?: boolean;
    } = {},
  ) {
    this.scanner = new ReportScanner(options.copyReportLines ?? true);
  }

  push(chunk: Uint8Array): Report[] {
    if (this.ended) return [];
    this.sniffer.push(chunk);
    const out: Report[] = [];
    this.chunkOut = out;
    this.splitter.each(chunk, this.sink, this.onPiece, this.skipper);
    // (the last piece dies young, like the others)
    this.headers.reset('');
    this.chunkOut = [];
    return out;
  }

  /**
   * False for an empty input or one without any kernel output (after `end()`; a
   * diagnostic says which): such an input is the wrong file, not a clean log.
   */
  get usable(): boolean {
    return this.sniffer.size > 0 && (this.reportCount > 0 || this.sniffer.isKernelLog);
  }

  end(): Report[] {
    if (this.ended) return [];
    const out: Report[] = [];
    for (const raw of this.splitter.end()) this.line(this.normalizer.one(raw), out);
    for (const l of this.normalizer.end()) this.line(l, out);
    for (const s of this.scanner.end()) this.emit(this.build(s), out);
    this.flushHung(out);
    this.ended = true;
    if (!this.usable) this.diagnostics.unshift(this.unusable());
    this.stats.skipped = this.stats.lines - this.stats.reportLines;
    if (this.stats.skipped > 0) {
      this.diagnostics.push({
        code: 'LINES_OUTSIDE_REPORTS',
        message: `${this.stats.skipped} of ${this.stats.lines} lines are outside any report (boot and console noise)`,
        line: null,
        severity: 'info',
      });
    }
    if (this.normalizer.clipped > 0) {
      this.diagnostics.push({
        code: 'LINE_TOO_LONG',
        message: `${this.normalizer.clipped} lines longer than ${MAX_LINE_CHARS} characters were cut`,
        line: null,
      });
    }
    if (this.normalizer.repaired > 0) {
      this.diagnostics.push({
        code: 'CONSOLE_STAMPS_REPAIRED',
        message: `${this.normalizer.repaired} lines had a timestamp cut or glued by another console writer; repaired`,
        line: null,
        severity: 'info',
      });
    }
    return out;
  }

  /** syzkaller's verdict for the log; final once `end()` was called. */
  verdict(): LogVerdict {
    if (this.cachedVerdict && this.ended) return this.cachedVerdict;
    const v = computeVerdict(this.verdictCollector);
    if (this.ended) this.cachedVerdict = v;
    return v;
  }

  /**
   * `candidate`: the line may hold a banner or the console hang-up marker (false only when the
   * piece's search found neither in it, see HeaderCandidates).
   */
  private line(l: NormalizedLine, out: Report[], candidate = true): void {
    this.stats.lines++;
    const oops = candidate ? matchOops(l.text) : null;
    this.verdictCollector.push(l, oops, candidate);
    const done = this.scanner.push(l, oops);
    if (done !== null) this.emit(this.build(done), out);
  }

  /**
   * Hung-task reports of one series, held back until it ends: khungtaskd prints "Showing all locks
   * held in the system" once, after the last task, and each earlier task's own block is in it.
   */
  private hung: Report[] = [];

  private emit(report: Report | null, out: Report[]): void {
    if (report === null) return;
    if (report.kind === 'hung-task') {
      this.hung.push(report);
      if (report.heldLocks.length > 0) this.flushHung(out);
      return;
    }
    this.flushHung(out);
    this.deliver(report, out);
  }

  /** The held series, each task given its own block of the lock listing that closed it. */
  private flushHung(out: Report[]): void {
    if (this.hung.length === 0) return;
    const listing = this.hung[this.hung.length - 1]!.heldLocks;
    for (const r of this.hung) {
      if (r.heldLocks.length > 0 || r.task === null) continue;
      const { comm, pid } = r.task;
      const own = listing.find((b) => b.task !== null && b.task.pid === pid && b.task.comm === comm);
      if (own) r.heldLocks = [own];
    }
    const series = this.hung;
    this.hung = [];
    for (const r of series) this.deliver(r, out);
  }

  private deliver(report: Report, out: Report[]): void {
    if (this.options.onReport) this.options.onReport(report);
    else out.push(report);
  }

  private unusable(): Diagnostic {
    if (this.sniffer.size === 0) return { code: 'EMPTY_INPUT', message: 'the input is empty', line: null };
    return {
      code: 'NOT_A_CONSOLE_LOG',
      message: 'no kernel console output in the first 64 KiB (no printk timestamps, no kernel banners)',
      line: 1,
    };
  }

  /** The report of `s`, or null for a banner some prose names (see bannerInProse). */
  private build(s: ScannedReport): Report | null {
    const { report, diagnostics } = buildReport(s);
    if (bannerInProse(report, s.oops.header)) {
      this.diagnostics.push({
        code: 'BANNER_IN_PROSE',
        message: `a banner inside other text, and no report after it: ${excerpt(report.headline)}`,
        line: report.startLine,
        severity: 'info',
      });
      return null;
    }
    this.reportCount++;
    this.stats.reportLines += s.lines.length;
    if (s.capped) {
      this.diagnostics.push({
        code: 'REPORT_TOO_LONG',
        message: `report cut after ${s.lines.length} lines`,
        line: s.lines[s.lines.length - 1]?.line ?? null,
      });
    }
    this.diagnostics.push(...diagnostics);
    return report;
  }
}

// What the kernel prints before a banner on its line: nothing but decoration (`[ BUG: ...`), or a
// message prefix (pr_fmt: `usb 5-1: WARNING: ...`, `rcu: INFO: ...`, `NMI watchdog: BUG: ...`),
// but a mail's `Subject: ` or `Re: ` (`Subject: Re: WARNING: ...`). Other words make a sentence:
// `With the v6 series I get this WARNING: ...`, `Subject: [BUG] WARNING: ...`.
const KERNEL_BEFORE_RE = /^(?:[^A-Za-z]*|(?:[\w./ -]{1,40}: )+)$/;
const MAIL_HEADER_RE = new RegExp(`^${MAIL_HEADER}`);

/**
 * A banner inside a sentence of a mail or a note (`I get this WARNING: possible circular locking
 * dependency detected on boot:`), with nothing of a report after it: no frame, no lock, no chain.
 * The kernel starts a report on a line of its own; the log's verdict still reads such a line as
 * syzkaller does, but it is no report of its own.
 */
function bannerInProse(report: Report, header: string): boolean {
  const at = report.headline.indexOf(header.trim());
  if (at <= 0) return false;
  const before = report.headline.slice(0, at);
  if (KERNEL_BEFORE_RE.test(before) && !MAIL_HEADER_RE.test(before)) return false;
  return (
    report.stack.length === 0 &&
    report.chain.length === 0 &&
    report.acquiring === null &&
    report.held.length === 0 &&
    report.heldLocks.length === 0 &&
    report.guiltyFrame?.offset == null
  );
}

function computeVerdict(c: VerdictCollector): LogVerdict {
  if (c.oops === null) return { title: null, type: null, corrupted: false };
  const d = describe(c.text.slice(0, Math.max(1, c.reportEnd)), c.oops);
  const reason = d.corruptedReason ?? corruptionOf(d.title, c.text, d.format);
  return {
    title: normalizeTitle(d.title),
    type: titleToType(d.title),
    corrupted: reason !== null || c.consoleHangup,
  };
}

interface Titled {
  texts: string[];
  d: Description;
  corruptedReason: string | null;
}

const unusable = (r: string | null) => r === CORRUPTED_NO_FRAMES || r === CORRUPTED_NO_REPORT;

/** The report titled from syzkaller's lines, or from a reader's when only those give a clean title. */
function titleReport(s: ScannedReport): Titled {
  const { texts, chars } = titleLines(s);
  const d = describe(texts, s.oops, chars);
  const corruptedReason = d.corruptedReason ?? corruptionOf(d.title, texts, d.format, chars);
  // A title cut by a line wrap (`... in do_page_fault /`, `... invalid context at`) or a banner no row matched.
  if (corruptedReason === null && d.format !== null && !/ (?:\/|at)$/.test(d.title)) {
    return { texts, d, corruptedReason };
  }
  // Wrapped, decoded or hashed-pointer reports: title them as a reader would.
  const lenient = lenientLines(s);
  // Most often the reader's lines are syzkaller's (nothing wrapped, decoded or hashed): same verdict.
  if (sameLines(lenient, texts)) return { texts, d, corruptedReason };
  const d2 = describe(lenient, s.oops);
  if (d2.format === null) return { texts, d, corruptedReason };
  const reason2 = d2.corruptedReason ?? corruptionOf(d2.title, lenient, d2.format);
  if (reason2 === null || d.format === null || (unusable(corruptedReason) && !unusable(reason2))) {
    return { texts: lenient, d: d2, corruptedReason: reason2 };
  }
  return { texts, d, corruptedReason };
}

/** Title, kind, lock structure and signature of one scanned report. */
export function buildReport(s: ScannedReport): { report: Report; diagnostics: Diagnostic[] } {
  const { texts, d, corruptedReason } = titleReport(s);
  const headline = (s.lines[0]?.text ?? '').trim();
  const kind: ReportKind = refineKind(
    headline,
    d.format?.kind ?? d.matchedFormat?.kind ?? s.oops.fallbackKind,
  );
  const details = extractLockDetails(kind, s.lines);
  const guiltyFrame = guiltyOf(d.frames[0] ?? frameNamedByTitle(d.title, texts), texts);
  const last = lastNonEmpty(s.lines);
  const title = normalizeTitle(d.title);
  const report: Report = {
    kind,
    headline,
    title,
    altTitles: otherTitles(d.altTitles, title),
    corrupted: corruptedReason !== null || s.capped,
    corruptedReason: corruptedReason ?? (s.capped ? 'report cut at the size limit' : null),
    startLine: s.lines[0]?.line ?? 0,
    endLine: last,
    task: details.task,
    kernelRelease: details.kernelRelease,
    taint: details.taint,
    hardware: details.hardware,
    acquiring: details.acquiring,
    held: details.held,
    chain: details.chain,
    heldLocks: details.heldLocks,
    stack: details.stack,
    guiltyFrame,
    scenario: details.scenario,
    irqStates: details.irqStates,
    inconsistentUsage: details.inconsistentUsage,
    // Filled in below, from the fields above (last in the JSON, as always).
    signature: '',
  };
  report.signature = reportSignature(report);
  return { report, diagnostics: details.diagnostics };
}

/** The alternative titles, normalized, but the title itself, sorted. */
function otherTitles(alts: readonly string[], title: string): string[] {
  const out: string[] = [];
  for (const alt of alts) {
    const t = normalizeTitle(alt);
    if (t !== title) out.push(t);
  }
  return out.sort();
}

function lastNonEmpty(lines: NormalizedLine[]): number {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i] as NormalizedLine;
    if (l.text.trim() !== '') return l.line;
  }
  return lines[0]?.line ?? 0;
}

/**
 * Rows that name the function from a report line (`at: foo+0x1/0x2`) rather than
 * from a stack: the title ends in `in <function>`; find the line it came from.
 */
function frameNamedByTitle(
  title: string,
  texts: string[],
): { canonical: string; raw: string; line: number } | undefined {
  const at = title.lastIndexOf(' in ');
  if (at < 0) return undefined;
  // KCSAN names both accesses, `data-race in find_next_bit / rcu_report_exp_cpu_mult`: the first
  const name = title.slice(at + 4).split(' / ')[0]!;
  if (!/^[A-Za-z_][\w]*$/.test(name)) return undefined;
  const line = texts.findIndex(
    (t) => t.includes(`${name}+0x`) || t.includes(`${name}.`) || t.includes(`${name} `),
  );
  return { canonical: name, raw: name, line };
}

function guiltyOf(
  g: { canonical: string; raw: string; line: number } | undefined,
  texts: string[],
): Frame | null {
  if (!g || g.canonical === 'corrupted') return null;
  const text = g.line >= 0 ? (texts[g.line] ?? '') : '';
  const at = text.lastIndexOf('at: ');
  const parsed =
    parseFrame(at >= 0 ? text.slice(at + 4) : text) ??
    parseFrame(text.replace(/^.*?(?:IP|PC is at|pc ):? (?:\d+:)?/, ''));
  if (parsed?.function?.startsWith(g.raw)) {
    const frame = { ...parsed, function: g.canonical === g.raw ? parsed.function : g.canonical };
    // `+0x0/0x0` is what lenientLines writes into a decoded frame (no symbol has size 0)
    if (frame.size === 0) {
      frame.offset = null;
      frame.size = null;
    }
    return frame;
  }
  return makeFrame({ function: g.canonical });
}

/** Parse a whole console log file (`-` = stdin; gzip detected). */
export async function parseConsoleLog(
  path: string,
): Promise<{ reports: Report[]; verdict: LogVerdict; diagnostics: Diagnostic[]; usable: boolean }> {
  const parser = new ConsoleLogParser({ path });
  const reports: Report[] = [];
  // The parser keeps none of a chunk's bytes: one read buffer will do.
  for await (const chunk of openInput(path, undefined, { reuseBuffer: true }))
    reports.push(...parser.push(chunk));
  reports.push(...parser.end());
  return { reports, verdict: parser.verdict(), diagnostics: parser.diagnostics, usable: parser.usable };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

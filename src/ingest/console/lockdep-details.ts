import type { ConsoleLine } from '../../model/console-line.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { Frame } from '../../model/frame.js';
import type { DependencyLink, HeldLocks, Lock } from '../../model/lock.js';
import type { IrqStateUse, Report, ReportKind } from '../../model/report.js';
import { ownText } from '../../util/own-text.js';
import { charCodeAt, endsWith, includes, startsWith } from '../../util/string-calls.js';
import {
  type LockSlot,
  parseBannerTask,
  parseKernelId,
  parseReleaseLine,
  parseTaskLine,
  taskFromCommPid,
} from './details/header.js';
import { ContinuationReader, type LogicalLine } from './details/join.js';
import {
  CALL_TRACE_RE,
  CHAIN_ARROW,
  CHAIN_ENTRY_RE,
  CHAIN_EXISTS,
  HARDWARE_RE,
  HELD_ENTRY_RE,
  HELD_HEADER_RE,
  HELD_LOCK_INTROS,
  INCONSISTENT_USAGE_RE,
  INVERSION_HELD_RE,
  IRQ_BLOCK_END_RE,
  IRQ_PAIR_RE,
  IRQ_STATE_RE,
  KCSAN_ACCESS_RE,
  mayBeHeader,
  NO_HELD_RE,
  SCENARIO_RE,
  WRAPPED_RELEASE_RE,
} from './details/sections.js';
import { isStackNoise, looksLikeFrame, parseStackLine } from './details/stack.js';
import { lockFromName, parseLock } from './lock-line.js';

/** The structured lock data of one report (see issue 2 for the JSON contract). */
export type LockDetails = Pick<
  Report,
  | 'task'
  | 'kernelRelease'
  | 'taint'
  | 'hardware'
  | 'acquiring'
  | 'held'
  | 'chain'
  | 'heldLocks'
  | 'stack'
  | 'scenario'
  | 'irqStates'
  | 'inconsistentUsage'
> & { diagnostics: Diagnostic[] };

type Mode = 'none' | 'chain' | 'irq' | 'scenario' | 'held' | 'stack' | 'other-stack' | 'chain-exists';

/** What the next lock line is, besides acquiring/held: one end of an irq safe -> unsafe dependency. */
type Pending = LockSlot | 'irq-safe' | 'irq-unsafe';

class DetailsBuilder {
  readonly d: LockDetails = {
    task: null,
    kernelRelease: null,
    taint: null,
    hardware: null,
    acquiring: null,
    held: [],
    chain: [],
    heldLocks: [],
    stack: [],
    scenario: [],
    irqStates: [],
    inconsistentUsage: null,
    diagnostics: [],
  };
  private mode: Mode = 'none';
  private pending: Pending = null;
  /** A blank line came inside the main trace: it ends there unless a frame follows. */
  private stackGap = false;
  /** The single lock (acquiring, held, irq pair) set by the line before, whose site may be refined. */
  private lastLock: Lock | null = null;
  /** `Chain exists of:` locks, in printed order. */
  private chainExists: Lock[] | null = null;
  /** The irq-safe and irq-unsafe locks of a `*-safe -> *-unsafe` report. */
  private irqPair: { safe: Lock | null; unsafe: Lock | null } = { safe: null, unsafe: null };
  /** A CPU line without its release (mail wrap): the next line may be it. */
  private releaseNext = false;
  private link: DependencyLink | null = null;
  private irq: IrqStateUse | null = null;
  private block: HeldLocks | null = null;
  private lastIndex = -1;
  private stackArmed = false;
  private stackDone = false;
  private taintSeen = false;
  /** Input line of the current `N locks held by` header. */
  private blockLine = 0;
  /** Lines of other CPUs skipped inside the open held-lock list. */
  private blockSkipped = false;

  /**
   * The kind is not needed to walk the lines (every report prints its sections the same way), but
   * for the usage line only inconsistent-lock-state reports print.
   */
  constructor(readonly kind: ReportKind) {}

  private diag(code: string, message: string, line: number): void {
    // (the message quotes the line: a copy, as the diagnostic outlives the report's lines)
    if (this.d.diagnostics.length < 200) this.d.diagnostics.push({ code, message: ownText(message), line });
  }

  /**
   * `listEnd`: the line that ends a held-lock list is one that may follow a complete list (the
   * next task's `N locks held by`, a blank line, the `====` rule, the end of the report).
   */
  private setMode(mode: Mode, listEnd = false): void {
    if (this.mode === 'stack' && mode !== 'stack' && this.d.stack.length > 0) this.stackDone = true;
    if (this.mode === 'held' && mode !== 'held') this.closeBlock(listEnd);
    this.mode = mode;
  }

  private closeBlock(listEnd: boolean): void {
    const b = this.block;
    // The count alone, and nothing between it and what may follow a list: the kernel printed no
    // lock (a running task), which is no parsing gap.
    if (b && b.count > 0 && b.locks.length === 0 && listEnd && !this.blockSkipped) b.printed = false;
    else if (b && b.locks.length !== b.count) {
      this.diag(
        'HELD_LOCKS_COUNT',
        `${b.count} held locks announced, ${b.locks.length} parsed`,
        this.blockLine,
      );
    }
    this.block = null;
  }

  private setLock(slot: Exclude<Pending, null>, lock: Lock): void {
    if (slot === 'acquiring') this.d.acquiring ??= lock;
    else if (slot === 'held') this.d.held.push(lock);
    else if (slot === 'irq-safe') this.irqPair.safe ??= lock;
    else this.irqPair.unsafe ??= lock;
  }

  /**
   * Reports without `-> #N` entries (irq safe -> unsafe, irq inversion) still name their cycle:
   * the chain is then the `Chain exists of:` locks, else the irq-safe and irq-unsafe locks, with
   * lockdep's numbering (the last printed is #0) and no stacks (those are in irqStates).
   */
  finish(): LockDetails {
    this.setMode('none', true);
    if (this.d.chain.length === 0) {
      const { safe, unsafe } = this.irqPair;
      const locks = this.chainExists ?? (safe && unsafe ? [safe, unsafe] : null);
      if (locks !== null)
        for (const [i, lock] of locks.entries())
          this.d.chain.push({ index: locks.length - 1 - i, lock, stack: [] });
    }
    return this.d;
  }

  /** Lines that start a section or carry header facts, in any mode. True when consumed. */
  private header(l: LogicalLine): boolean {
    const t = l.t;
    // `inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.`, looked for in those reports alone
    if (
      this.kind === 'inconsistent-lock-state' &&
      this.d.inconsistentUsage === null &&
      charCodeAt(t, 0) === 0x69
    ) {
      const m = INCONSISTENT_USAGE_RE.exec(t);
      if (m) {
        this.d.inconsistentUsage = { from: m[1] as string, to: m[2] as string };
        return true;
      }
    }
    if (!mayBeHeader(t, l.chars)) return false;
    const taskLine = parseTaskLine(t);
    if (taskLine) {
      this.d.task ??= taskLine.task;
      this.pending = taskLine.next;
      this.setMode('none');
      return true;
    }
    const release = parseReleaseLine(t);
    if (release) {
      this.d.task ??= release.task;
      this.d.acquiring ??= lockFromName(release.name, release.site ? parseStackLine(release.site) : null);
      this.pending = null;
      this.setMode('none');
      return true;
    }
    if (t === CHAIN_EXISTS) {
      this.setMode('chain-exists');
      return true;
    }
    // Each regex below is tried only when a cheap necessary condition (its literal start or end) holds.
    const c0 = charCodeAt(t, 0);
    const endsColon = charCodeAt(t, t.length - 1) === 0x3a; /* : */
    const pair = endsColon && (c0 === 0x62 /* b */ || c0 === 0x74) /* t */ ? IRQ_PAIR_RE.exec(t) : null;
    if (pair) {
      this.pending = pair[1] ? 'irq-unsafe' : 'irq-safe';
      this.setMode('none');
      return true;
    }
    if (endsColon && (HELD_LOCK_INTROS.includes(t) || (c0 === 0x62 /* b */ && INVERSION_HELD_RE.test(t)))) {
      this.pending = 'held';
      this.setMode('none');
      return true;
    }
    let m = c0 === 0x2d /* - */ ? CHAIN_ENTRY_RE.exec(t) : null;
    if (m) {
      this.setMode('none');
      const lock = parseLock(t);
      if (!lock) {
        this.diag(
          'CHAIN_ENTRY_UNPARSED',
          `dependency chain entry not understood: ${t.slice(0, 120)}`,
          l.line,
        );
        return true;
      }
      this.link = { index: Number(m[1]), lock, stack: [] };
      this.d.chain.push(this.link);
      this.mode = 'chain';
      return true;
    }
    m = endsColon && c0 >= 0x30 && c0 <= 0x39 ? HELD_HEADER_RE.exec(t) : null;
    if (m) {
      this.setMode('none', true);
      this.block = { task: taskFromCommPid(m[2] as string), count: Number(m[1]), locks: [], printed: true };
      this.blockLine = l.line;
      this.blockSkipped = false;
      this.d.heldLocks.push(this.block);
      this.lastIndex = -1;
      this.mode = 'held';
      return true;
    }
    m = c0 === 0x6e /* n */ ? NO_HELD_RE.exec(t) : null;
    if (m) {
      this.setMode('none', true);
      this.d.heldLocks.push({ task: taskFromCommPid(m[1] as string), count: 0, locks: [], printed: true });
      return true;
    }
    if (endsColon && c0 === 0x50 /* P */ && SCENARIO_RE.test(t)) {
      this.setMode('scenario');
      return true;
    }
    if (endsColon && (c0 === 0x43 /* C */ || c0 === 0x42) /* B */ && CALL_TRACE_RE.test(t)) {
      this.setMode(this.stackDone || this.d.stack.length > 0 ? 'other-stack' : 'stack');
      return true;
    }
    if (
      (c0 === 0x69 /* i */ ||
        c0 === 0x68 /* h */ ||
        c0 === 0x73 /* s */ ||
        c0 === 0x2e /* . */ ||
        c0 === 0x7d) /* } */ &&
      IRQ_BLOCK_END_RE.test(t)
    ) {
      this.setMode('none');
      return true;
    }
    m = endsColon && endsWith(t, ' at:') ? IRQ_STATE_RE.exec(t) : null;
    if (m) {
      this.setMode('none');
      this.irq = { state: m[1] as string, stack: [] };
      this.d.irqStates.push(this.irq);
      this.mode = 'irq';
      return true;
    }
    const id = parseKernelId(t, l.chars);
    if (id) {
      this.d.task ??= id.task;
      this.d.kernelRelease ??= id.kernelRelease;
      if (!this.taintSeen) {
        this.d.taint = id.taint;
        this.taintSeen = true;
      }
      if (startsWith(t, 'CPU:')) {
        this.stackArmed = true;
        this.releaseNext = id.kernelRelease === null;
      }
      if (this.mode === 'stack' || this.mode === 'held') this.setMode('none');
      return true;
    }
    m = c0 === 0x48 /* H */ ? HARDWARE_RE.exec(t) : null;
    if (m) {
      this.d.hardware ??= (m[1] as string).trim();
      this.stackArmed = true;
      return true;
    }
    if (
      t === 'stack backtrace:' ||
      (endsColon && (c0 === 0x72 || c0 === 0x77) /* r w */ && KCSAN_ACCESS_RE.test(t))
    ) {
      this.setMode('none');
      this.stackArmed = true;
      return true;
    }
    const bannerTask = parseBannerTask(t);
    if (bannerTask) {
      this.d.task ??= bannerTask;
      return true;
    }
    return false;
  }

  private heldEntry(l: LogicalLine): boolean {
    const m = HELD_ENTRY_RE.exec(l.t);
    if (!m || !this.block) return false;
    const index = Number(m[1]);
    const lock = parseLock(l.t);
    if (!lock) {
      this.diag('HELD_LOCK_UNPARSED', `held lock not understood: ${l.t.slice(0, 120)}`, l.line);
      return true;
    }
    this.checkSite(lock, l);
    const last = this.block.locks.at(-1);
    if (index === this.lastIndex && last) {
      // syzbot prints one line per inlined frame of the same lock: keep the real (non-inline) site.
      if (lock.site && !lock.site.inline && (last.site === null || last.site.inline)) last.site = lock.site;
      return true;
    }
    this.lastIndex = index;
    this.block.locks.push(lock);
    return true;
  }

  /** A line of a chain entry's or irq state's stack. */
  /** A lock whose `at:` site is printed but not understood is kept, with a diagnostic. */
  private checkSite(lock: Lock, l: LogicalLine): void {
    if (lock.site !== null) return;
    const at = l.t.lastIndexOf(' at: ');
    if (at >= 0 && l.t.length > at + 5) {
      this.diag('LOCK_SITE_UNPARSED', `lock site not understood: ${l.t.slice(at + 5, at + 125)}`, l.line);
    }
  }

  private frame(l: LogicalLine, into: Frame[]): void {
    const f = stackLine(l);
    if (f) {
      into.push(f);
      return;
    }
    if (isStackNoise(l.t)) return;
    // A frame in a shape we do not know is reported and skipped; anything else (a lock, a section
    // header such as `to a HARDIRQ-irq-unsafe lock:`, a panic line) ends the stack.
    if (looksLikeFrame(l.t) && !parseLock(l.t)) {
      this.diag('FRAME_UNPARSED', `stack line not understood: ${l.t.slice(0, 120)}`, l.line);
      return;
    }
    this.setMode('none');
  }

  push(l: LogicalLine): void {
    const t = l.t;
    if (this.releaseNext) {
      this.releaseNext = false;
      const m = WRAPPED_RELEASE_RE.exec(t);
      if (m) {
        this.d.kernelRelease ??= m[2] as string;
        if (m[1] && this.d.taint) this.d.taint = `${this.d.taint} ${m[1].trim()}`;
        return;
      }
    }
    if (this.mode === 'chain-exists' && includes(t, CHAIN_ARROW)) {
      // (pushed into a literal, not a map result: one kind of array where it is read)
      const locks: Lock[] = [];
      for (const name of t.split(CHAIN_ARROW)) locks.push(lockFromName(name.trim()));
      this.chainExists = locks;
      this.setMode('none');
      return;
    }
    if (t === '') {
      if (this.mode === 'scenario') return;
      if (this.mode === 'stack' && this.d.stack.length > 0) {
        // The end of the trace, or a blank line a mail or serial capture put inside it (030):
        // the next line says which.
        this.stackGap = true;
        return;
      }
      if (this.mode !== 'stack' && this.mode !== 'other-stack') this.setMode('none', true);
      else if (this.d.stack.length > 0) this.setMode('none');
      return;
    }
    if (this.stackGap) {
      this.stackGap = false;
      if (this.mode === 'stack' && stackLine(l) === null) this.setMode('none');
    }
    if (this.mode === 'scenario') {
      if (
        !HELD_HEADER_RE.test(t) &&
        !NO_HELD_RE.test(t) &&
        t !== 'stack backtrace:' &&
        !CALL_TRACE_RE.test(t)
      ) {
        this.d.scenario.push(l.text.trimEnd());
        if (t === '*** DEADLOCK ***') this.setMode('none');
        return;
      }
      this.setMode('none');
    }
    if (this.pending) {
      const lock = parseLock(t);
      if (lock) {
        this.checkSite(lock, l);
        this.setLock(this.pending, lock);
        this.lastLock = lock;
        this.pending = null;
        return;
      }
    }
    const single = this.lastLock;
    this.lastLock = null;
    // syzbot prints the lock line again for each inlined frame of its site: the same lock, whose
    // real (non-inline) site is the last line.
    if (single?.site?.inline) {
      const again = parseLock(t);
      if (again && again.name === single.name && again.address === single.address) {
        if (again.site !== null) single.site = again.site;
        this.lastLock = single;
        return;
      }
    }
    if (this.header(l)) return;
    if (this.pending) {
      this.diag('LOCK_LINE_UNPARSED', `expected a lock line: ${t.slice(0, 120)}`, l.line);
      this.pending = null;
    }
    switch (this.mode) {
      case 'held':
        if (this.heldEntry(l)) return;
        // Another CPU's stack lines interleaved into a list that still expects locks: skip them.
        if (this.block && this.block.locks.length < this.block.count && (stackLine(l) || isStackNoise(t))) {
          this.blockSkipped = true;
          return;
        }
        this.setMode('none', startsWith(t, '====='));
        break;
      case 'chain':
        this.frame(l, (this.link as DependencyLink).stack);
        return;
      case 'irq':
        this.frame(l, (this.irq as IrqStateUse).stack);
        return;
      case 'stack': {
        const f = stackLine(l);
        if (f) this.d.stack.push(f);
        else if (looksLikeFrame(t))
          this.diag('FRAME_UNPARSED', `stack line not understood: ${t.slice(0, 120)}`, l.line);
        else if (!isStackNoise(t) && this.d.stack.length > 0) this.setMode('none');
        return;
      }
      case 'chain-exists':
        this.setMode('none');
        break;
      case 'other-stack':
        if (!stackLine(l) && !isStackNoise(t)) this.setMode('none');
        return;
      default:
        break;
    }
    if (this.stackArmed && !this.stackDone && this.d.stack.length === 0) {
      const f = stackLine(l);
      if (f) {
        this.d.stack.push(f);
        this.mode = 'stack';
      }
    }
  }
}

/**
 * parseStackLine of a logical line, taking the frame the report scanner already read when there is
 * one (the scanner's parseFrame of the untrimmed text is parseStackLine's frame for it: a line
 * starting `...` or holding a bare address reads as no frame there, and is read here).
 */
function stackLine(l: LogicalLine): Frame | null {
  return l.frame ? l.frame : parseStackLine(l.t);
}

/**
 * Structure the lines of one recognized report (banner to last line, prefixes already removed):
 * task, kernel release, taint, hardware, the lock being acquired and those held, the dependency
 * chain, held-lock lists, the unsafe scenario, irq-state blocks and the main call trace.
 * Never throws: what cannot be understood becomes a diagnostic (codes: LOCK_LINE_UNPARSED,
 * LOCK_SITE_UNPARSED, CHAIN_ENTRY_UNPARSED, HELD_LOCK_UNPARSED, HELD_LOCKS_COUNT, FRAME_UNPARSED).
 *
 * Field by field:
 * - `acquiring`: the lock the report is about: `is trying to acquire lock:` / `is trying to lock:`,
 *   `takes:` (inconsistent state), `just changed the state of lock:` (inversion), `is trying to
 *   release lock (X)` (bad unlock balance), `with a lock still held there!` (held lock freed).
 * - `held`: `but task is already holding lock:`, `and this task is already holding:`, `but this
 *   task is not holding:`, `but this lock took another, ... lock in the past:`.
 * - `chain`: the `-> #N` entries with their stacks; without any (irq safe -> unsafe, inversion),
 *   the `Chain exists of:` locks or the irq-safe and irq-unsafe locks, stackless.
 * - `heldLocks`: one entry per `N locks held by comm/pid:` / `no locks held by comm/pid.` block.
 * - `irqStates`: `{IN-HARDIRQ-W} state was registered at:`, `INITIAL USE at:`, `... which became
 *   HARDIRQ-irq-safe at:`, `... acquired at:`, `Preemption disabled at:` ... with their stacks.
 * - `stack`: the first call trace after `Call Trace:` (or the CPU/Hardware lines); later ones
 *   (NMI backtraces of other CPUs) are not the report's.
 * - `taint`: the flags as printed after `Tainted:` (`G           O`), null when `Not tainted`.
 */
export function extractLockDetails(kind: ReportKind, lines: ConsoleLine[]): LockDetails {
  const b = new DetailsBuilder(kind);
  try {
    const reader = new ContinuationReader(lines);
    for (let l = reader.next(); l !== null; l = reader.next()) b.push(l);
  } catch (e) {
    // A bug of ours must not lose the report: keep what was found and say so.
    b.d.diagnostics.push({ code: 'LOCK_DETAILS_INTERNAL', message: String(e), line: lines[0]?.line ?? null });
  }
  return b.finish();
}

export { SECTION_REGEXES as DETAILS_REGEXES } from './details/sections.js';

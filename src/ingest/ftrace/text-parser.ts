import { isAscii } from 'node:buffer';
import type { Diagnostic } from '../../model/diagnostic.js';
import {
  COUNTED_EVENT,
  type EventColumns,
  FUNCTION_CALL,
  lockOpOf,
  OTHER_EVENT,
} from '../../model/event-columns.js';
import type { TraceEvent } from '../../model/trace-event.js';
import type { ColumnsBuilder } from '../columns-builder.js';
import { readAsciiHead, readAsciiName } from './ascii-line.js';
import { ByteKeyTable } from './byte-key-table.js';
import { BoundedDiagnostics, type DiagnosticsPart, excerpt } from './diagnostics.js';
import { type EventLine, newEventLine, parseEventLine } from './event-line.js';
import { FAST_BYTE_PAYLOADS, FAST_PAYLOADS, REPEATING_PAYLOADS } from './fast-payloads.js';
import { parseFunctionGraphLine } from './function-graph.js';
import { parseKeyValues } from './key-values.js';
import { parseLatencyLine } from './latency-line.js';
import { matchLineKind } from './line-kinds.js';
import { type PayloadCheck, payloadCheckOf } from './payload-check.js';
import { parsePayloadByTable, systemOf } from './payload-table.js';
import {
  type AsciiKey,
  asciiKey,
  detach,
  Interner,
  isBlank,
  RegionCache,
  type RegionEntry,
  regionEquals,
  sameKey,
} from './scan.js';

export interface FtraceTextStats {
  /** Input lines seen. */
  lines: number;
  /** Events emitted. */
  events: number;
  /** Lines that are neither an event nor a known structural line (each has a diagnostic, bounded). */
  skipped: number;
  /** Structural lines: `#` headers, blank lines, trace-cmd banners, stack frames, graph banners, HTML. */
  headerLines: number;
  /** Events the ring buffer lost: `[LOST N EVENTS]` notes plus entries-written − entries-in-buffer. */
  lost: number;
}

export interface FtraceTextParserOptions {
  /** Diagnostics kept per code (the rest are counted). Default 20. */
  maxDiagnosticsPerCode?: number;
  /** Use the hand-written readers for hot events (default true; tests compare both ways). */
  fastPath?: boolean;
  /**
   * A line that grows past this many bytes across pushes is dropped (counted
   * as skipped, `ftrace-line-too-long`), so input without newlines cannot fill
   * memory. Default 64 MiB.
   */
  maxLineBytes?: number;
  /**
   * Lock and contention events become rows of this builder (no TraceEvent
   * object); every other event joins it whole. Read with `pushColumns` /
   * `endColumns` instead of `push` / `end`.
   */
  columns?: ColumnsBuilder;
  /**
   * Columns mode: the events whose fields the consumer reads (e.g. the trace
   * analyzer's FIELDS_READ). Any other event becomes a COUNTED_EVENT row: its
   * payload is only checked against the table (the same diagnostics), no
   * fields are read. Default: every event's fields are read.
   */
  fieldsRead?: ReadonlySet<string>;
  /** The state a range of a file starts in (see FtraceContext); default: the start of a file. */
  context?: FtraceContext;
  /** What earlier parsers of the same trace learnt of its strings (see FtraceParserCaches). */
  caches?: FtraceParserCaches;
}

/**
 * What a parser learns of a trace's strings: event kinds (and each kind's
 * distinct lock and function payloads, as builder ids), task names, interned
 * strings. The parsers that read the ranges of one file into one
 * ColumnsBuilder share it, so a range does not learn them all again (on the
 * lab mix, 85–550 distinct lock payloads per 4 MiB range). Only parsers of the
 * same options and builder may share it (the first one binds it).
 */
export class FtraceParserCaches {
  readonly strings = new Interner();
  readonly kinds = new Map<string, EventKind>();
  /** Event kinds by the hash of the printed name (checked against the line, so no slice per event). */
  readonly kindsByHash = new Map<number, EventKind[]>();
  /** Last comm seen per pid (checked against the line, so a known comm costs no slice). */
  readonly commByPid = new Map<number, CommEntry>();
  /** In front of commByPid: the entry last used per `pid % COMM_SLOTS` (no hash lookup per line). */
  readonly commSlots = new Array<CommEntry | undefined>(COMM_SLOTS).fill(undefined);
  /** In front of kindsByHash: the kind last seen per `hash % KIND_SLOTS`. */
  readonly kindSlots = new Array<EventKind | undefined>(KIND_SLOTS).fill(undefined);
  /** Columns mode: rows by the line's text after the timestamp (see FtraceTextParser.tails). */
  readonly tails = new ByteKeyTable<RowIds | EventTemplate>();
  private owner: {
    cols: ColumnsBuilder | null;
    fast: boolean;
    fieldsRead: ReadonlySet<string> | null;
  } | null = null;

  /** Ties these caches to a parser's builder and options (what their cached ids and readers depend on). */
  bind(cols: ColumnsBuilder | null, fast: boolean, fieldsRead: ReadonlySet<string> | null): void {
    const o = this.owner;
    if (o === null) this.owner = { cols, fast, fieldsRead };
    else if (o.cols !== cols || o.fast !== fast || o.fieldsRead !== fieldsRead)
      throw new Error('FtraceParserCaches shared by parsers of another builder or options');
  }
}

/**
 * The parser state that crosses lines (apart from stack blocks, which a
 * reader of byte ranges keeps inside one range): the function_graph task per
 * CPU, the last timestamp (for graph lines without one) and the systrace HTML
 * mode. A reader that parses ranges of a file apart composes it across ranges.
 */
export interface FtraceContext {
  /** function_graph `=>` switch lines: CPU → task. */
  graphTask: [cpu: number, comm: string, pid: number][];
  lastTs: number;
  /** Whether any line set `lastTs`. */
  sawTs: boolean;
  htmlMode: boolean;
  inTraceData: boolean;
}

/** The row of one distinct payload text (a lock event's, a function call's) as builder ids (see EventColumns). */
interface RowIds {
  /** The EventColumns op of its kind. */
  op: number;
  name: number;
  addr: number;
  arg: number;
}

/**
 * Columns mode: an event kept whole (a shrinker event) as the tails table holds it: a line of
 * the same text after its timestamp is the same event but for its task, CPU, flags, time and
 * line. Its payload and (frozen) fields are shared by those events.
 */
interface EventTemplate {
  op: typeof OTHER_EVENT;
  kind: EventKind;
  payload: string;
  fields: TraceEvent['fields'];
}

/** Old kernels print trace_marker writes as event `0:`; tracefs prints `tracing_mark_write:`. Both are `print`. */
const MARKER_NAMES = new Set(['tracing_mark_write', '0']);
const NL = 0x0a;
/** Bytes of lines decoded to one string (see parseBytes). */
const PIECE_BYTES = 64 * 1024;
/** Longest line kept (a 10 MB lock name still parses; a file without newlines does not fill memory). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const COMM_SLOTS = 4096;
const KIND_SLOTS = 256;
/** Placeholder until an event's fields are known (replaced before the event is emitted). */
const EMPTY: TraceEvent['fields'] = Object.freeze({}) as TraceEvent['fields'];

interface EventKind {
  printed: string;
  /** `printed` as an AsciiKey when it is ASCII (compared with the bytes of ASCII chunks), else null. */
  printedKey: AsciiKey | null;
  name: string;
  system: string | null;
  fast: ((payload: string) => TraceEvent['fields'] | null) | null;
  /** The same reader over an ASCII chunk's bytes in place (payloads that never repeat: no string to read). */
  fastBytes: ((u: Uint8Array, start: number, end: number) => TraceEvent['fields'] | null) | null;
  marker: boolean;
  stack: boolean;
  /** Distinct payloads already read → their fields (null: the fast reader declined), for REPEATING_PAYLOADS. */
  payloads: RegionCache<TraceEvent['fields'] | null> | null;
  /** EventColumns op of its rows (OTHER_EVENT for events that are never rows). */
  op: number;
  /**
   * Columns mode, lock and contention events and function tracer calls: distinct payloads →
   * their row's builder ids (null: the payload is read as an object).
   */
  rows: RegionCache<RowIds | null> | null;
  /** Columns mode, an event the consumer only counts: how its payload is checked (see `countedRow`). */
  counted: { check: PayloadCheck | null; nameId: number; row: RowIds | null } | null;
  /** Columns mode, an event kept whole whose lines the tails table may keep as an EventTemplate. */
  template: boolean;
}

interface CommEntry {
  pid: number;
  comm: string;
  key: AsciiKey | null;
  /** Its builder id in columns mode (-1 until first used). */
  id: number;
}

/**
 * Streaming reader of ftrace text in all its dialects (tracefs `trace` and
 * `trace_pipe`, `trace-cmd report` 2.x/3.x, function and function_graph
 * tracers, latency format, systrace/atrace dumps). `push(bytes)` returns the
 * events completed so far and keeps the partial last line; the result never
 * depends on where chunks split. Never throws on input: every line is an
 * event, a structural line, or counted in `stats.skipped` with a diagnostic.
 *
 * Stack traces (`<stack trace>` + ` => frame` lines) become one
 * `kernel_stack` (or `user_stack`) event of the same task/CPU/timestamp,
 * emitted after its last frame: payload = frames joined by `\n`,
 * fields `{ depth, caller }` (caller = first frame).
 */
export class FtraceTextParser {
  readonly stats: FtraceTextStats = { lines: 0, events: 0, skipped: 0, headerLines: 0, lost: 0 };
  private readonly diag: BoundedDiagnostics;
  private readonly fast: boolean;
  private tailParts: Uint8Array[] = [];
  private tailLength = 0;
  private oversized = false;
  private readonly maxLineBytes: number;
  private lineNo = 0;
  private lastTs = 0;
  private pendingStack: TraceEvent | null = null;
  private stackFrames: string[] = [];
  private htmlMode = false;
  private inTraceData = false;
  private readonly graphTask = new Map<number, { comm: string; pid: number }>();
  /** What it learnt of the trace's strings (see FtraceParserCaches), maybe with other parsers. */
  private readonly strings: Interner;
  private readonly kinds: Map<string, EventKind>;
  private readonly kindsByHash: Map<number, EventKind[]>;
  private readonly commByPid: Map<number, CommEntry>;
  private readonly commSlots: (CommEntry | undefined)[];
  private readonly kindSlots: (EventKind | undefined)[];
  private readonly scratch: EventLine = newEventLine();
  /**
   * Columns mode: the rows of lines by their text after the timestamp (`name: payload`), for
   * the lines that became a cached row (lock, contention and function events): such a line's
   * event name and payload are one lookup. Null in objects mode.
   */
  private readonly tails: ByteKeyTable<RowIds | EventTemplate> | null;
  /** Whether the last fieldsOf read its payload without a diagnostic. */
  private fieldsClean = false;
  /** What emitEvent made of the line just read that a line of the same tail repeats (see tails), else null. */
  private tailRead: RowIds | EventTemplate | null = null;
  /** Columns mode: the builder, the batches it filled, and the flags column last given an id. */
  private readonly cols: ColumnsBuilder | null;
  private readonly fieldsRead: ReadonlySet<string> | null;
  private readonly filled: EventColumns[] = [];
  private lastFlagsText: string | null = null;
  private lastFlagsId = -1;
  private prevFlagsText: string | null = null;
  private prevFlagsId = -1;
  private sawTs = false;
  /**
   * True once a line was read with state this parser did not set itself (a
   * function_graph line whose CPU task or time came from before, an HTML
   * wrapper line): a range read from the start of a file would have read it
   * the same, a range read apart maybe not (see FtraceContext).
   */
  contextual = false;

  constructor(options: FtraceTextParserOptions = {}) {
    this.diag = new BoundedDiagnostics(options.maxDiagnosticsPerCode ?? 20);
    this.fast = options.fastPath ?? true;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.cols = options.columns ?? null;
    this.fieldsRead = options.fieldsRead ?? null;
    const caches = options.caches ?? new FtraceParserCaches();
    caches.bind(this.cols, this.fast, this.fieldsRead);
    this.strings = caches.strings;
    this.kinds = caches.kinds;
    this.kindsByHash = caches.kindsByHash;
    this.commByPid = caches.commByPid;
    this.commSlots = caches.commSlots;
    this.kindSlots = caches.kindSlots;
    this.tails = this.cols !== null ? caches.tails : null;
    const c = options.context;
    if (c) {
      for (const [cpu, comm, pid] of c.graphTask) this.graphTask.set(cpu, { comm, pid });
      this.lastTs = c.lastTs;
      this.sawTs = c.sawTs;
      this.htmlMode = c.htmlMode;
      this.inTraceData = c.inTraceData;
    }
  }

  get diagnostics(): Diagnostic[] {
    return this.diag.list;
  }

  /** The diagnostics so far without the end-of-input summaries, to be merged into another reader's. */
  diagnosticsPart(): DiagnosticsPart {
    return this.diag.part();
  }

  /** The cross-line state now (after `end`: at the end of the input). */
  context(): FtraceContext {
    return {
      graphTask: [...this.graphTask].map(([cpu, t]) => [cpu, t.comm, t.pid]),
      lastTs: this.lastTs,
      sawTs: this.sawTs,
      htmlMode: this.htmlMode,
      inTraceData: this.inTraceData,
    };
  }

  /** Columns mode (`columns` option): the batches the builder filled with these bytes. */
  pushColumns(chunk: Uint8Array): EventColumns[] {
    this.push(chunk);
    return this.filled.splice(0);
  }

  /** Columns mode: the rest, the last batch partly filled. */
  endColumns(): EventColumns[] {
    this.end();
    const cols = this.cols!;
    if (cols.count > 0) this.filled.push(cols.take());
    return this.filled.splice(0);
  }

  /** In columns mode events go to the builder (and `out` stays empty). */
  private emit(ev: TraceEvent, out: TraceEvent[], op: number): void {
    const cols = this.cols;
    if (cols === null) {
      out.push(ev);
      return;
    }
    if (op === OTHER_EVENT) cols.other(ev);
    else cols.addEvent(ev);
    if (cols.full) this.filled.push(cols.take());
  }

  push(chunk: Uint8Array): TraceEvent[] {
    const out: TraceEvent[] = [];
    let data = chunk;
    if (this.oversized) {
      // Drop the rest of a line longer than maxLineBytes, then carry on after its end.
      const nl = data.indexOf(NL);
      if (nl < 0) return out;
      this.flushStack(out);
      this.skipOversized();
      data = data.subarray(nl + 1);
    }
    if (this.tailLength > 0) {
      // Finish the line the previous chunk left open (joining only that line, not the whole chunk).
      const nl = data.indexOf(NL);
      if (nl < 0) {
        this.keepTail(data);
        return out;
      }
      const line = Buffer.concat([...this.tailParts, data.subarray(0, nl)]);
      this.tailParts = [];
      this.tailLength = 0;
      this.parseBytes(line, out);
      data = data.subarray(nl + 1);
    }
    const last = data.lastIndexOf(NL);
    if (last < 0) {
      this.keepTail(data);
      return out;
    }
    this.keepTail(data.subarray(last + 1));
    this.parseBytes(data.subarray(0, last), out);
    return out;
  }

  end(): TraceEvent[] {
    const out: TraceEvent[] = [];
    if (this.oversized) {
      this.flushStack(out);
      this.skipOversized();
    }
    if (this.tailLength > 0) {
      const bytes = Buffer.concat(this.tailParts);
      this.tailParts = [];
      this.tailLength = 0;
      this.parseLine(stripCr(decode(bytes)), out);
    }
    this.flushStack(out);
    this.diag.finish();
    return out;
  }

  /** Keeps the bytes of an unfinished line, up to maxLineBytes (memory stays bounded on a file without newlines). */
  private keepTail(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.tailLength + bytes.length > this.maxLineBytes) {
      this.tailParts = [];
      this.tailLength = 0;
      this.oversized = true;
      return;
    }
    this.tailParts.push(Uint8Array.from(bytes));
    this.tailLength += bytes.length;
  }

  private skipOversized(): void {
    this.oversized = false;
    this.lineNo++;
    this.stats.lines++;
    this.skip(this.lineNo, 'ftrace-line-too-long', `line longer than ${this.maxLineBytes} bytes: not read`);
  }

  /**
   * Decodes whole lines of bytes and reads them (an all-ASCII piece through its bytes, see
   * ascii-line.ts), PIECE_BYTES of lines at a time: a piece's text stays a young object (V8
   * puts strings over 128 KiB in the old generation, which only full collections free: a
   * 1 MiB read decoded whole made one every few MB of input).
   */
  private parseBytes(bytes: Uint8Array, out: TraceEvent[]): void {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    while (b.length - start > PIECE_BYTES) {
      // the lines up to the last newline within the piece (a longer line: up to its end)
      let cut = b.lastIndexOf(NL, start + PIECE_BYTES - 1);
      if (cut < start) cut = b.indexOf(NL, start + PIECE_BYTES);
      if (cut < 0) break;
      this.parsePiece(b.subarray(start, cut), out);
      start = cut + 1;
    }
    this.parsePiece(b.subarray(start), out);
  }

  private parsePiece(b: Buffer, out: TraceEvent[]): void {
    if (isAscii(b)) this.parseText(b.toString('latin1'), b, out);
    else this.parseText(b.toString('utf8'), null, out);
  }

  /** Reads the lines of text; `u` is its bytes when it is all ASCII (u[i] = text.charCodeAt(i)), else null. */
  private parseText(text: string, u: Uint8Array | null, out: TraceEvent[]): void {
    const len = text.length;
    let start = 0;
    while (start <= len) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = len;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 0x0d) end--;
      if (!this.fastLine(text, u, start, end, out)) this.parseLine(text.slice(start, end), out);
      start = nl + 1;
    }
  }

  /** The common case, read in place in the decoded chunk: an event line with no pending stack or HTML context. */
  private fastLine(
    text: string,
    u: Uint8Array | null,
    start: number,
    end: number,
    out: TraceEvent[],
  ): boolean {
    if (this.pendingStack !== null || this.htmlMode || start === end) return false;
    const c0 = text.charCodeAt(start);
    if (c0 === 0x23 /* # */ || text.charCodeAt(end - 1) === 0x5c /* \ */) return false;
    if (u !== null) {
      const ev = this.scratch;
      const tsEnd = readAsciiHead(u, ev, start, end);
      if (tsEnd >= 0) {
        // columns mode: a line whose `name: payload` was a row before is that row again
        const tails = this.tails;
        const tail = tails?.lookup(u, tsEnd + 1, end);
        if (tail !== undefined) {
          const lineNo = ++this.lineNo;
          this.stats.lines++;
          if (tail.op === OTHER_EVENT) this.fromTemplate(tail as EventTemplate, ev, text, u, lineNo, out);
          else {
            const row = tail as RowIds;
            this.addRow(row.op, ev, text, u, lineNo, row.name, row.addr, row.arg);
          }
          return true;
        }
        if (readAsciiName(u, ev, tsEnd, end)) {
          const lineNo = ++this.lineNo;
          this.stats.lines++;
          this.tailRead = null;
          this.emitEvent(ev, text, u, end, lineNo, out);
          const read = this.tailRead as RowIds | EventTemplate | null;
          if (read !== null && tails !== null) tails.add(u, tsEnd + 1, end, tails.missHash, read);
          return true;
        }
      }
    }
    if (!parseEventLine(text, this.scratch, start, end)) return false;
    const lineNo = ++this.lineNo;
    this.stats.lines++;
    this.emitEvent(this.scratch, text, null, end, lineNo, out);
    return true;
  }

  private parseLine(raw: string, out: TraceEvent[]): void {
    const lineNo = ++this.lineNo;
    this.stats.lines++;
    let line = raw;
    // Legacy systrace HTML embeds the trace as a JS string with `\n\` line ends.
    if (line.endsWith('\\n\\')) line = line.slice(0, -3);

    if (this.pendingStack && isFrameLine(line)) {
      this.stackFrames.push(line.slice(line.indexOf('=>') + 2).trim());
      this.stats.headerLines++;
      return;
    }
    this.flushStack(out);

    if (this.htmlMode && !this.inTraceData) {
      this.stats.headerLines++;
      if (/<script class="trace-data"/i.test(line)) this.inTraceData = true;
      else if (/<\/html>/i.test(line)) this.htmlMode = false;
      return;
    }

    const c0 = line.charCodeAt(0);
    if (c0 !== 0x23 /* # */ && parseEventLine(line, this.scratch)) {
      this.emitEvent(this.scratch, line, null, line.length, lineNo, out);
      return;
    }
    const kind = matchLineKind(line);
    if (kind) {
      this.structural(kind.kind, kind.groups, line, lineNo);
      return;
    }
    const graph = parseFunctionGraphLine(line);
    if (graph) {
      this.graphLine(graph, lineNo, out);
      return;
    }
    const lat = parseLatencyLine(line);
    if (lat) {
      this.emitEvent(lat, line, null, line.length, lineNo, out);
      return;
    }
    this.skip(lineNo, 'ftrace-unrecognized-line', `not an ftrace event line: ${excerpt(line)}`);
  }

  private skip(lineNo: number, code: string, message: string): void {
    this.stats.skipped++;
    this.diag.add(code, message, lineNo);
  }

  private structural(kind: string, groups: string[], line: string, lineNo: number): void {
    this.stats.headerLines++;
    switch (kind) {
      case 'header': {
        if (line.startsWith('# entries-in-buffer/entries-written:')) {
          const m = /: (\d+)\/(\d+)/.exec(line);
          if (m) {
            const lost = Number(m[2]) - Number(m[1]);
            if (lost > 0) {
              this.stats.lost += lost;
              this.diag.add(
                'ftrace-events-overwritten',
                `the ring buffer overwrote ${lost} of ${m[2]} events: spans at the start of the trace may be cut`,
                lineNo,
                lost,
              );
            }
          }
        }
        return;
      }
      case 'lost': {
        const n = groups[1] === '' ? 0 : Number(groups[1]);
        this.stats.lost += n;
        const cpu = groups[0] === '' ? '' : ` on CPU ${groups[0]}`;
        this.diag.lostEvents(n, cpu, lineNo);
        return;
      }
      case 'stack-frame':
        this.stats.headerLines--;
        this.skip(lineNo, 'ftrace-orphan-stack-frame', `stack frame without a preceding <stack trace> line`);
        return;
      case 'html':
        this.contextual = true;
        this.htmlMode = !/<\/html>/i.test(line);
        if (/<script class="trace-data"/i.test(line)) this.inTraceData = true;
        else if (/<\/script>/i.test(line)) this.inTraceData = false;
        return;
      default:
        return;
    }
  }

  private graphLine(
    g: NonNullable<ReturnType<typeof parseFunctionGraphLine>>,
    lineNo: number,
    out: TraceEvent[],
  ) {
    if (g.kind === 'structural') {
      this.stats.headerLines++;
      return;
    }
    if (g.kind === 'switch') {
      this.stats.headerLines++;
      this.graphTask.set(g.cpu, { comm: g.comm, pid: g.pid });
      return;
    }
    const task = g.comm !== null ? { comm: g.comm, pid: g.pid } : this.graphTask.get(g.cpu);
    if (task === undefined) this.contextual = true;
    const fields = g.fields;
    let ts = g.ts;
    if (ts < 0) {
      if (!this.sawTs) this.contextual = true;
      ts = this.lastTs;
      fields.ts_estimated = true;
    } else {
      this.lastTs = ts;
      this.sawTs = true;
    }
    this.stats.events++;
    const cols = this.cols;
    if (cols !== null && this.fieldsRead !== null && !this.fieldsRead.has(g.name)) {
      // an event the consumer only counts (see countedRow)
      const comm = task ? cols.id(this.strings.get(task.comm)) : cols.id('');
      this.pushRow(COUNTED_EVENT, lineNo, g.cpu, task?.pid ?? -1, comm, -1, cols.id(g.name), -1, 0);
      return;
    }
    this.emit(
      {
        line: lineNo,
        ts,
        cpu: g.cpu,
        pid: task?.pid ?? -1,
        tgid: null,
        comm: task ? this.strings.get(task.comm) : '',
        flags: null,
        system: 'ftrace',
        name: g.name,
        payload: g.payload,
        fields,
      },
      out,
      OTHER_EVENT,
    );
  }

  /** Per event name as printed: its name as emitted, system and fast reader. */
  private kindOf(printed: string): EventKind {
    let k = this.kinds.get(printed);
    if (k === undefined) {
      const name = MARKER_NAMES.has(printed) ? 'print' : printed;
      const stack = name === 'kernel_stack' || name === 'user_stack';
      const fast = this.fast ? (FAST_PAYLOADS.get(name) ?? null) : null;
      const repeating = fast !== null && name === printed && REPEATING_PAYLOADS.has(name);
      const cols = this.cols !== null;
      const counted =
        cols && !stack && fast === null && this.fieldsRead !== null && !this.fieldsRead.has(name);
      const calls = cols && !counted && name === 'function' && name === printed;
      const op = calls ? FUNCTION_CALL : name === printed ? lockOpOf(name) : OTHER_EVENT;
      const system = stack ? 'ftrace' : systemOf(name);
      k = {
        printed: this.strings.get(printed),
        printedKey: asciiKey(printed),
        name: this.strings.get(name),
        system,
        fast,
        fastBytes: fast !== null && name === printed ? (FAST_BYTE_PAYLOADS.get(name) ?? null) : null,
        marker: name !== printed,
        stack,
        payloads: repeating && this.cols === null ? new RegionCache() : null,
        op,
        rows: (repeating && cols) || calls ? new RegionCache() : null,
        counted: counted
          ? { check: name === printed ? payloadCheckOf(name) : null, nameId: -1, row: null }
          : null,
        template: cols && !stack && op === OTHER_EVENT && system !== 'lock',
      };
      if (this.kinds.size < 10_000) this.kinds.set(k.printed, k);
    }
    return k;
  }

  /** The kind of the event named line[start, end) with hash h. */
  private kindAt(line: string, u: Uint8Array | null, start: number, end: number, h: number): EventKind {
    const len = end - start;
    const slot = h & (KIND_SLOTS - 1);
    const last = this.kindSlots[slot];
    if (
      last !== undefined &&
      last.printed.length === len &&
      (u !== null
        ? last.printedKey !== null && sameKey(u, start, last.printedKey)
        : regionEquals(line, start, last.printed))
    )
      return last;
    const k = this.kindByHash(line, u, start, end, h);
    this.kindSlots[slot] = k;
    return k;
  }

  private kindByHash(line: string, u: Uint8Array | null, start: number, end: number, h: number): EventKind {
    const bucket = this.kindsByHash.get(h);
    const len = end - start;
    if (bucket !== undefined) {
      for (const k of bucket)
        if (
          k.printed.length === len &&
          (u !== null
            ? k.printedKey !== null && sameKey(u, start, k.printedKey)
            : regionEquals(line, start, k.printed))
        )
          return k;
    }
    const k = this.kindOf(line.slice(start, end));
    if (this.kinds.size < 10_000) {
      if (bucket) bucket.push(k);
      else this.kindsByHash.set(h, [k]);
    }
    return k;
  }

  private commAt(line: string, u: Uint8Array | null, ev: EventLine): CommEntry {
    const slot = ev.pid & (COMM_SLOTS - 1);
    const cached = this.commSlots[slot] ?? this.commByPid.get(ev.pid);
    const len = ev.commEnd - ev.commStart;
    if (
      cached !== undefined &&
      cached.comm.length === len &&
      (u !== null
        ? cached.key !== null && sameKey(u, ev.commStart, cached.key)
        : regionEquals(line, ev.commStart, cached.comm))
    ) {
      if (cached.pid === ev.pid) return cached;
      this.commSlots[slot] = cached; // back from the map, or another pid of the same comm
      return cached;
    }
    const comm = this.strings.get(line.slice(ev.commStart, ev.commEnd));
    if (this.commByPid.size >= 100_000) this.commByPid.clear();
    const entry: CommEntry = { pid: ev.pid, comm, key: asciiKey(comm), id: -1 };
    this.commByPid.set(ev.pid, entry);
    this.commSlots[slot] = entry;
    return entry;
  }

  /** Columns mode: a line whose payload repeats (a lock event's, a function call's), as one builder row. */
  private cachedRow(
    kind: EventKind,
    rows: RegionCache<RowIds | null>,
    ev: EventLine,
    line: string,
    u: Uint8Array | null,
    end: number,
    lineNo: number,
  ): boolean {
    const ps = ev.payloadStart;
    const entry = rows.lookup(line, u, ps, end) ?? this.readRow(kind, rows, line, ps, end, rows.missHash);
    const row = entry.value;
    if (row === null) return false; // its reader declined: the table reads it (as an object)
    this.addRow(kind.op, ev, line, u, lineNo, row.name, row.addr, row.arg);
    this.tailRead = row;
    return true;
  }

  /**
   * Columns mode: an event the consumer only counts, as a COUNTED_EVENT row. Its payload gets
   * the diagnostics `fieldsOf` would give it (checked in place when the table allows), no fields.
   */
  private countedRow(
    kind: EventKind,
    counted: NonNullable<EventKind['counted']>,
    ev: EventLine,
    line: string,
    u: Uint8Array | null,
    end: number,
    lineNo: number,
  ): void {
    const ps = ev.payloadStart;
    const checked =
      !line.startsWith('[FAILED TO PARSE]', ps) && counted.check !== null && counted.check(line, ps, end);
    if (!checked) this.fieldsOf(kind.name, this.payloadOf(kind, line, ps, end), lineNo);
    if (counted.nameId < 0) counted.nameId = this.cols!.id(kind.name);
    this.addRow(COUNTED_EVENT, ev, line, u, lineNo, counted.nameId, -1, 0);
    // no diagnostic for it: a line of the same tail is the same row (see tails)
    if (checked)
      this.tailRead = counted.row ??= { op: COUNTED_EVENT, name: counted.nameId, addr: -1, arg: 0 };
  }

  /** Columns mode: one row of the builder for the event line `ev` (task, flags and time from it). */
  private addRow(
    op: number,
    ev: EventLine,
    line: string,
    u: Uint8Array | null,
    lineNo: number,
    name: number,
    addr: number,
    arg: number,
  ): void {
    const cols = this.cols!;
    const c = this.commAt(line, u, ev);
    if (c.id < 0) c.id = cols.id(c.comm);
    const f = ev.flags;
    let flags = this.lastFlagsId;
    if (f !== this.lastFlagsText) {
      // the two columns seen last (a trace's lines alternate between a few, `...2.` and `d..4.`)
      if (f === this.prevFlagsText) flags = this.prevFlagsId;
      else flags = f === null ? -1 : cols.id(f);
      this.prevFlagsText = this.lastFlagsText;
      this.prevFlagsId = this.lastFlagsId;
      this.lastFlagsText = f;
      this.lastFlagsId = flags;
    }
    this.lastTs = ev.ts;
    this.sawTs = true;
    this.stats.events++;
    this.pushRow(op, lineNo, ev.cpu, ev.pid, c.id, flags, name, addr, arg);
  }

  /**
   * Columns mode: a row into the builder, its batch handed over once full. Its time is the
   * line's, which the caller has just put in `lastTs` (not passed: see ColumnsBuilder.nextTs).
   */
  private pushRow(
    op: number,
    lineNo: number,
    cpu: number,
    pid: number,
    comm: number,
    flags: number,
    name: number,
    addr: number,
    arg: number,
  ): void {
    const cols = this.cols!;
    cols.nextTs[0] = this.lastTs;
    cols.addRow(op, lineNo, cpu, pid, comm, flags, name, addr, arg);
    if (cols.full) this.filled.push(cols.take());
  }

  /**
   * Reads a repeating payload line[ps, end) for the first time: a lock event's ids as
   * ColumnsBuilder.addEvent gives them, a function call's `ip` as the table reads it.
   */
  private readRow(
    kind: EventKind,
    rows: RegionCache<RowIds | null>,
    line: string,
    ps: number,
    end: number,
    h: number,
  ): RegionEntry<RowIds | null> {
    const entry = rows.add(line, ps, end, h, null);
    if (kind.op === FUNCTION_CALL) {
      if (entry.key.startsWith('[FAILED TO PARSE]')) return entry;
      const r = parsePayloadByTable('function', entry.key);
      if (r.matched && typeof r.fields.ip === 'string')
        entry.value = { op: FUNCTION_CALL, name: this.cols!.id(r.fields.ip), addr: -1, arg: 0 };
      return entry;
    }
    const fields = kind.fast?.(entry.key) ?? null;
    if (fields === null) return entry;
    const ids = this.cols!.rowIds(kind.op, { name: kind.name, payload: entry.key, fields } as TraceEvent);
    entry.value = { op: kind.op, ...ids };
    return entry;
  }

  /** Emits the event of a line whose tail is `t`'s (see EventTemplate), as emitEvent would. */
  private fromTemplate(
    t: EventTemplate,
    ev: EventLine,
    line: string,
    u: Uint8Array,
    lineNo: number,
    out: TraceEvent[],
  ): void {
    const event = this.newEvent(t.kind, ev, line, u, lineNo, t.payload, t.fields);
    this.stats.events++;
    this.emit(event, out, t.kind.op);
  }

  /** The event of the line read into ev (task, CPU, flags, time), whose time is now the last one seen. */
  private newEvent(
    kind: EventKind,
    ev: EventLine,
    line: string,
    u: Uint8Array | null,
    lineNo: number,
    payload: string,
    fields: TraceEvent['fields'],
  ): TraceEvent {
    this.lastTs = ev.ts;
    this.sawTs = true;
    return {
      line: lineNo,
      ts: ev.ts,
      cpu: ev.cpu,
      pid: ev.pid,
      tgid: ev.tgid,
      comm: this.commAt(line, u, ev).comm,
      flags: ev.flags,
      system: kind.system,
      name: kind.name,
      payload,
      fields,
    };
  }

  /** Emits the event of line s[…, end) described by ev. */
  private emitEvent(
    ev: EventLine,
    line: string,
    u: Uint8Array | null,
    end: number,
    lineNo: number,
    out: TraceEvent[],
  ): void {
    const kind =
      ev.name !== ''
        ? this.kindOf(ev.name)
        : ev.nameEnd > ev.nameStart
          ? this.kindAt(line, u, ev.nameStart, ev.nameEnd, ev.nameHash)
          : null;
    if (kind === null) {
      this.skip(lineNo, 'ftrace-empty-event', 'event line without an event name or payload');
      return;
    }
    const ps = ev.payloadStart;
    const counted = kind.counted;
    if (counted !== null) {
      this.countedRow(kind, counted, ev, line, u, end, lineNo);
      return;
    }
    const rows = kind.rows;
    if (
      rows !== null &&
      ps < end &&
      !isBlank(line.charCodeAt(end - 1)) &&
      this.cachedRow(kind, rows, ev, line, u, end, lineNo)
    )
      return;
    const cache = kind.payloads;
    let cached: TraceEvent['fields'] | null = null;
    let viaCache = false;
    let payload: string;
    if (cache !== null && ps < end && !isBlank(line.charCodeAt(end - 1))) {
      // A repeating payload (lock and contention events): read once, shared afterwards.
      const entry =
        cache.lookup(line, u, ps, end) ?? this.readPayload(kind, cache, line, ps, end, cache.missHash);
      payload = entry.key;
      cached = entry.value;
      viaCache = true;
    } else payload = this.payloadOf(kind, line, ps, end);
    // a kept-whole event the tails table may keep (see below): its payload, and the fields read
    // from it, must not be slices of the decoded piece, which they would keep alive with it
    const templated = kind.template && u !== null;
    if (templated) payload = detach(payload);
    const event = this.newEvent(kind, ev, line, u, lineNo, payload, EMPTY);
    if (kind.stack) {
      this.pendingStack = event;
      this.stackFrames = [];
      return;
    }
    let fields: TraceEvent['fields'];
    if (cached !== null) fields = { ...cached };
    else {
      const fast =
        viaCache || kind.fast === null
          ? null
          : u !== null && kind.fastBytes !== null
            ? kind.fastBytes(u, ps, ps + payload.length) // `payload` is u[ps, …) less its trailing blanks
            : kind.fast(payload);
      let clean = true;
      if (fast !== null) fields = fast;
      else {
        fields = this.fieldsOf(kind.name, payload, lineNo);
        clean = this.fieldsClean;
      }
      // read without a diagnostic: a line of the same tail is this event again (see tails)
      if (clean && templated)
        this.tailRead = { op: OTHER_EVENT, kind, payload, fields: Object.freeze(fields) };
      if (kind.system === 'lock' && typeof fields.name === 'string')
        fields.name = this.strings.get(fields.name);
    }
    event.fields = fields;
    this.stats.events++;
    this.emit(event, out, kind.op);
  }

  /** The payload text of an event line: line[ps, end) without trailing blanks (a marker's with its name). */
  private payloadOf(kind: EventKind, line: string, ps: number, end: number): string {
    let payload = ps < end ? line.slice(ps, end) : '';
    if (payload.length > 0 && isBlank(payload.charCodeAt(payload.length - 1))) payload = payload.trimEnd();
    if (kind.marker) payload = `${kind.printed}:${payload === '' ? '' : ' '}${payload}`;
    return payload;
  }

  /** Reads a repeating payload line[ps, end) for the first time and caches its fast-read fields. */
  private readPayload(
    kind: EventKind,
    cache: RegionCache<TraceEvent['fields'] | null>,
    line: string,
    ps: number,
    end: number,
    h: number,
  ) {
    const entry = cache.add(line, ps, end, h, null);
    const fields = kind.fast?.(entry.key) ?? null;
    if (fields !== null && kind.system === 'lock' && typeof fields.name === 'string')
      fields.name = this.strings.get(fields.name);
    entry.value = fields;
    return entry;
  }

  /** The typed fields of one payload from the table, else `key=value`. */
  private fieldsOf(name: string, payload: string, lineNo: number): TraceEvent['fields'] {
    if (payload.startsWith('[FAILED TO PARSE]')) {
      this.diag.add('ftrace-failed-to-parse', `trace-cmd could not format this ${name} event`, lineNo);
      const fields = parseKeyValues(payload.slice(17));
      fields.failed_to_parse = true;
      this.fieldsClean = false;
      return fields;
    }
    const r = parsePayloadByTable(name, payload);
    this.fieldsClean = r.matched;
    if (!r.matched)
      this.diag.add(
        'ftrace-payload-mismatch',
        `${name} payload does not match any known format: ${excerpt(payload)}`,
        lineNo,
      );
    return r.fields;
  }

  private flushStack(out: TraceEvent[]): void {
    const ev = this.pendingStack;
    if (!ev) return;
    this.pendingStack = null;
    ev.payload = this.stackFrames.join('\n');
    ev.fields = { depth: this.stackFrames.length, caller: this.stackFrames[0] ?? null };
    this.stackFrames = [];
    this.stats.events++;
    this.emit(ev, out, OTHER_EVENT);
  }
}

function isFrameLine(line: string): boolean {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return line.charCodeAt(i) === 0x3d && line.charCodeAt(i + 1) === 0x3e;
}

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 0x0d ? s.slice(0, -1) : s;
}

/** UTF-8 text of bytes; an all-ASCII chunk (nearly every trace) takes the cheaper latin1 decoder, same result. */
function decode(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString(isAscii(b) ? 'latin1' : 'utf8');
}

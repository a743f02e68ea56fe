import type { Diagnostic } from '../../model/diagnostic.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { BoundedDiagnostics, excerpt } from './diagnostics.js';
import { type EventLine, parseEventLine } from './event-line.js';
import { FAST_PAYLOADS } from './fast-payloads.js';
import { parseFunctionGraphLine } from './function-graph.js';
import { parseKeyValues } from './key-values.js';
import { parseLatencyLine } from './latency-line.js';
import { matchLineKind } from './line-kinds.js';
import { parsePayloadByTable, systemOf } from './payload-table.js';
import { Interner, isBlank } from './scan.js';

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
}

/** Old kernels print trace_marker writes as event `0:`; tracefs prints `tracing_mark_write:`. Both are `print`. */
const MARKER_NAMES = new Set(['tracing_mark_write', '0']);
const NL = 0x0a;

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
  private lineNo = 0;
  private lastTs = 0;
  private pendingStack: TraceEvent | null = null;
  private stackFrames: string[] = [];
  private htmlMode = false;
  private inTraceData = false;
  private readonly graphTask = new Map<number, { comm: string; pid: number }>();
  private readonly strings = new Interner();

  constructor(options: FtraceTextParserOptions = {}) {
    this.diag = new BoundedDiagnostics(options.maxDiagnosticsPerCode ?? 20);
    this.fast = options.fastPath ?? true;
  }

  get diagnostics(): Diagnostic[] {
    return this.diag.list;
  }

  push(chunk: Uint8Array): TraceEvent[] {
    const out: TraceEvent[] = [];
    const last = chunk.lastIndexOf(NL);
    if (last < 0) {
      if (chunk.length > 0) {
        this.tailParts.push(Uint8Array.from(chunk));
        this.tailLength += chunk.length;
      }
      return out;
    }
    let bytes: Uint8Array = chunk.subarray(0, last);
    if (this.tailLength > 0) {
      bytes = Buffer.concat([...this.tailParts, bytes]);
      this.tailParts = [];
      this.tailLength = 0;
    }
    if (last + 1 < chunk.length) {
      this.tailParts.push(Uint8Array.from(chunk.subarray(last + 1)));
      this.tailLength = chunk.length - last - 1;
    }
    this.parseText(decode(bytes), out);
    return out;
  }

  end(): TraceEvent[] {
    const out: TraceEvent[] = [];
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

  private parseText(text: string, out: TraceEvent[]): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const line = nl < 0 ? text.slice(start) : text.slice(start, nl);
      this.parseLine(stripCr(line), out);
      if (nl < 0) break;
      start = nl + 1;
    }
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
    if (c0 !== 0x23 /* # */) {
      const ev = parseEventLine(line);
      if (ev) {
        this.emitEvent(ev, line, lineNo, out);
        return;
      }
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
      this.emitEvent(lat, line, lineNo, out);
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
        this.diag.add('ftrace-lost-events', `${n > 0 ? n : 'some'} events lost${cpu}`, lineNo);
        return;
      }
      case 'stack-frame':
        this.stats.headerLines--;
        this.skip(lineNo, 'ftrace-orphan-stack-frame', `stack frame without a preceding <stack trace> line`);
        return;
      case 'html':
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
    const fields = g.fields;
    let ts = g.ts;
    if (ts < 0) {
      ts = this.lastTs;
      fields.ts_estimated = true;
    } else {
      this.lastTs = ts;
    }
    this.stats.events++;
    out.push({
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
    });
  }

  private emitEvent(ev: EventLine, line: string, lineNo: number, out: TraceEvent[]): void {
    let name = ev.name;
    let payload = ev.payloadStart < line.length ? line.slice(ev.payloadStart) : '';
    if (payload.length > 0 && isBlank(payload.charCodeAt(payload.length - 1))) payload = payload.trimEnd();
    if (name === '') {
      this.skip(lineNo, 'ftrace-empty-event', 'event line without an event name or payload');
      return;
    }
    if (MARKER_NAMES.has(name)) {
      payload = `${name}:${payload === '' ? '' : ' '}${payload}`;
      name = 'print';
    }
    this.lastTs = ev.ts;
    const event: TraceEvent = {
      line: lineNo,
      ts: ev.ts,
      cpu: ev.cpu,
      pid: ev.pid,
      tgid: ev.tgid,
      comm: this.strings.get(ev.comm),
      flags: ev.flags,
      system: null,
      name: this.strings.get(name),
      payload,
      fields: {},
    };
    if (name === 'kernel_stack' || name === 'user_stack') {
      event.system = 'ftrace';
      this.pendingStack = event;
      this.stackFrames = [];
      return;
    }
    event.system = systemOf(name);
    event.fields = this.fieldsOf(name, payload, lineNo);
    if (typeof event.fields.name === 'string' && event.system === 'lock')
      event.fields.name = this.strings.get(event.fields.name);
    this.stats.events++;
    out.push(event);
  }

  /** The typed fields of one payload: fast path, else the table, else `key=value`. */
  private fieldsOf(name: string, payload: string, lineNo: number): TraceEvent['fields'] {
    if (this.fast) {
      const f = FAST_PAYLOADS.get(name)?.(payload);
      if (f) return f;
    }
    if (payload.startsWith('[FAILED TO PARSE]')) {
      this.diag.add('ftrace-failed-to-parse', `trace-cmd could not format this ${name} event`, lineNo);
      const fields = parseKeyValues(payload.slice(17));
      fields.failed_to_parse = true;
      return fields;
    }
    const r = parsePayloadByTable(name, payload);
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
    out.push(ev);
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

function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

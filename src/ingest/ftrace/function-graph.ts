import type { TraceEvent } from '../../model/trace-event.js';
import { isBlank, isDigit, parseUint, skipBlanks } from './scan.js';
import { parseTimestampNs } from './timestamp.js';

type Fields = TraceEvent['fields'];

/** The few regexes used on function_graph lines (exported for the ReDoS check). */
export const GRAPH_PATTERNS = {
  // `} /* drm_gem_shmem_evict */`, `} /* func = -22 */`
  exitComment: /^\}\s*\/\*\s*([^\s*=]+)?/,
  // `(); /* = 0x0 */` after a leaf call with funcgraph-args: `(arg=1);`
  leafCall: /^\([^)]*\);/,
  // `stub_complete [usbip_host]`
  moduleSuffix: / \[([^\]\s]+)\]$/,
  // ` ------------------------------------------`
  dashes: /^\s*-{10,}\s*$/,
  // `  d..1 ` latency flags column
  flagsColumn: /^\s*\S{4,7}\s*$/,
  // `  ==========> ` irq entry/exit column
  irqMarker: /={10}>|<={10}/,
} as const;

/**
 * function_graph output (kernel/trace/trace_functions_graph.c), both the
 * tracer's own lines and trace-cmd's `funcgraph_entry`/`funcgraph_exit`
 * payloads. Columns are read by hand (no regex): the duration column's width
 * shrinks its precision as the value grows (`0.378 us`, `33998.59 us`,
 * `3594274 us`), and comments after the body may hold `|`.
 */
export type GraphBody =
  | { kind: 'entry' | 'exit'; fields: Fields }
  | { kind: 'comment' | 'irq'; text: string };

/** Duration column `! 130.781 us  ` → ns; null when blank; undefined when not a duration column. */
function parseDuration(col: string): number | null | undefined {
  let i = skipBlanks(col, 0);
  const n = col.length;
  if (i === n) return null;
  const c = col.charCodeAt(i);
  if (c === 0x2b || c === 0x21 || c === 0x23 || c === 0x2a || c === 0x40 || c === 0x24)
    i = skipBlanks(col, i + 1);
  if (col.startsWith('==========>', i) || col.startsWith('<==========', i)) return null;
  const start = i;
  while (i < n && isDigit(col.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === start) return undefined;
  let frac = 0;
  let scale = 1000;
  if (col.charCodeAt(i) === 0x2e) {
    i++;
    const fs = i;
    while (i < n && isDigit(col.charCodeAt(i))) i++;
    if (i === fs || i - fs > 3) return undefined;
    for (let k = fs; k < i; k++) {
      scale /= 10;
      frac += (col.charCodeAt(k) - 0x30) * scale;
    }
  }
  if (!col.startsWith(' us', i)) return undefined;
  if (col.slice(i + 3).trim() !== '') return undefined;
  return parseUint(col, start, intEnd) * 1000 + frac;
}

/** The part after the duration column's `|`: indentation, then `f() {`, `f();`, `}`, `} /* f *\/`, `/* text *\/`. */
export function parseGraphText(body: string, durationNs: number | null): GraphBody | null {
  let indent = 0;
  while (indent < body.length && body.charCodeAt(indent) === 0x20) indent++;
  const depth = indent >= 2 ? (indent - 2) >> 1 : 0;
  const text = body.slice(indent).trimEnd();
  if (text === '') return null;
  if (text.startsWith('==========>') || text.startsWith('<==========')) return { kind: 'irq', text };
  if (text.charCodeAt(0) === 0x7d /* } */) {
    const comment = GRAPH_PATTERNS.exitComment.exec(text);
    return {
      kind: 'exit',
      fields: { func: comment?.[1] ?? null, depth, duration_ns: durationNs },
    };
  }
  if (text.startsWith('/*')) return { kind: 'comment', text };
  const paren = text.indexOf('(');
  if (paren <= 0) return null;
  const rest = text.slice(paren);
  const leaf = rest.startsWith('();') || GRAPH_PATTERNS.leafCall.test(rest);
  const opens = rest.endsWith('{');
  if (!leaf && !opens) return null;
  let func = text.slice(0, paren).trimEnd();
  let module: string | null = null;
  const mod = GRAPH_PATTERNS.moduleSuffix.exec(func);
  if (mod) {
    module = mod[1]!;
    func = func.slice(0, mod.index);
  }
  const fields: Fields = { func, depth, duration_ns: durationNs, leaf };
  if (module !== null) fields.module = module;
  return { kind: 'entry', fields };
}

/** trace-cmd payload: `                 |  do_IRQ() {` / `+ 36.358 us |  }`. */
export function parseFunctionGraphBody(payload: string): Fields | null {
  const bar = payload.indexOf('|');
  if (bar < 0) return null;
  const d = parseDuration(payload.slice(0, bar));
  if (d === undefined) return null;
  const g = parseGraphText(payload.slice(bar + 1), d);
  return g && 'fields' in g ? g.fields : null;
}

export type GraphLine =
  | {
      kind: 'event';
      name: 'funcgraph_entry' | 'funcgraph_exit';
      cpu: number;
      ts: number;
      comm: string | null;
      pid: number;
      fields: Fields;
      payload: string;
    }
  | { kind: 'switch'; cpu: number; comm: string; pid: number }
  | { kind: 'structural' };

/**
 * A function_graph tracer line:
 *   ` 0)               |  sys_open() {`
 *   ` 3) * 33998.59 us |  } /* schedule_preempt_disabled *\/`
 *   `  360.774522 |   1)   <idle>-0    |               |  }` (abstime + proc columns)
 *   ` 0)    <idle>-0    =>  stub_tx-300  ` (task switch banner)
 * ts is -1 when the line has no abstime column.
 */
export function parseFunctionGraphLine(s: string): GraphLine | null {
  const n = s.length;
  let i = skipBlanks(s, 0);
  if (i === n) return null;
  if (s.charCodeAt(i) === 0x2d /* - */ && GRAPH_PATTERNS.dashes.test(s.slice(0, 200)) && n < 200)
    return { kind: 'structural' };
  let ts = -1;
  // abstime column: "%5lu.%06lu | "
  let j = i;
  while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 0x2e)) j++;
  if (j > i && s.charCodeAt(j) !== 0x29) {
    // `%5lu.%06lu | ` (funcgraph-abstime) or `  306 us | ` (latency tracers: µs since the trace start)
    const relative = s.startsWith(' us', j);
    const k = skipBlanks(s, relative ? j + 3 : j);
    if (s.charCodeAt(k) !== 0x7c /* | */) return null;
    ts = relative ? parseUint(s, i, j) * 1000 : parseTimestampNs(s, i, j);
    if (ts < 0) return null;
    i = skipBlanks(s, k + 1);
    j = i;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
  }
  if (j === i || s.charCodeAt(j) !== 0x29 /* ) */) return null;
  const cpu = parseUint(s, i, j);
  i = j + 1;
  if (i < n && !isBlank(s.charCodeAt(i))) return null;
  let comm: string | null = null;
  let pid = -1;
  for (let col = 0; col < 4; col++) {
    const bar = s.indexOf('|', i);
    if (bar < 0) {
      if (col === 0) {
        const arrow = s.indexOf(' => ', i);
        if (arrow < 0) return null;
        const next = splitCommPid(s.slice(arrow + 4).trim());
        return next ? { kind: 'switch', cpu, comm: next.comm, pid: next.pid } : null;
      }
      return null;
    }
    const column = s.slice(i, bar);
    const d = parseDuration(column);
    if (d !== undefined) {
      const g = parseGraphText(s.slice(bar + 1), d);
      if (!g) return GRAPH_PATTERNS.irqMarker.test(column) ? { kind: 'structural' } : null;
      if ('text' in g) return { kind: 'structural' };
      return {
        kind: 'event',
        name: g.kind === 'entry' ? 'funcgraph_entry' : 'funcgraph_exit',
        cpu,
        ts,
        comm,
        pid,
        fields: g.fields,
        payload: s.slice(i).trim(),
      };
    }
    const proc = splitCommPid(column.trim());
    if (proc && comm === null) {
      comm = proc.comm;
      pid = proc.pid;
    } else if (!GRAPH_PATTERNS.flagsColumn.test(column)) {
      return null;
    }
    i = bar + 1;
  }
  return null;
}

function splitCommPid(t: string): { comm: string; pid: number } | null {
  const dash = t.lastIndexOf('-');
  if (dash <= 0) return null;
  const pid = parseUint(t, dash + 1, t.length);
  return pid < 0 ? null : { comm: t.slice(0, dash), pid };
}

import type { TraceEvent } from '../../model/trace-event.js';
import { i32, u32 } from './byte-reader.js';
import type { EventFormat, FieldFormat } from './event-format.js';
import type { HexCache, StringInterner } from './interning.js';
import type { Kallsyms } from './kallsyms.js';
import { type FlagTable, flagTables, renderFlags } from './print-flags.js';

type FieldValue = string | number | boolean | null;

/** Fields printed through `%pS`/`%ps` (resolved with kallsyms), per event. */
const SYMBOL_FIELDS: Record<string, Record<string, 'pS' | 'ps'>> = {
  mm_shrink_slab_start: { shrink: 'pS' },
  mm_shrink_slab_end: { shrink: 'pS' },
  function: { ip: 'ps', parent_ip: 'ps' },
  print: { ip: 'ps' },
  bprint: { ip: 'ps' },
  bputs: { ip: 'ps' },
};

export interface DecodeContext {
  bigEndian: boolean;
  hex: HexCache;
  strings: StringInterner;
  cmdlines: Map<number, string>;
  /** Loaded on first use (parsing kallsyms costs tens of ms). */
  kallsyms: () => Kallsyms | null;
}

/** Reads one field of a record (payload at `off`, `len` bytes in `buf`). */
export type FieldReader = (buf: Buffer, off: number, len: number) => FieldValue;

/**
 * A function building the `fields` object of one format as a single object
 * literal, so every event of the format shares one hidden class (filling a
 * `{}` key by key costs several times more on the hot path). Field names come
 * from the format file and are checked to be C identifiers before use; a
 * format with odd or duplicate names falls back to the loop.
 */
function fieldsFactory(names: string[], readers: FieldReader[]) {
  const identifiers =
    names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) && new Set(names).size === names.length;
  if (!identifiers) {
    return (buf: Buffer, off: number, len: number) => {
      const fields: Record<string, FieldValue> = {};
      names.forEach((n, i) => {
        fields[n] = readers[i]!(buf, off, len);
      });
      return fields;
    };
  }
  const body = `return (buf, off, len) => ({ ${names.map((n, i) => `${JSON.stringify(n)}: r[${i}](buf, off, len)`).join(', ')} });`;
  return new Function('r', body)(readers) as (
    buf: Buffer,
    off: number,
    len: number,
  ) => Record<string, FieldValue>;
}

type PayloadRenderer = (fields: Record<string, FieldValue>) => string;

/** `key=value` pairs in format order; compiled like `fieldsFactory` (string concatenation is cheap until read). */
function payloadRenderer(names: string[]): PayloadRenderer {
  if (names.length === 0) return () => '';
  if (!names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
    return (fields) => names.map((n) => `${n}=${fields[n] ?? ''}`).join(' ');
  }
  const parts = names.map(
    (n, i) => `${JSON.stringify(`${i ? ' ' : ''}${n}=`)} + (f[${JSON.stringify(n)}] ?? '')`,
  );
  return new Function('f', `return ${parts.join(' + ')};`) as PayloadRenderer;
}

/** The compiled decoder of one event format: pid/flags readers and one reader per field. */
export class EventDecoder {
  readonly name: string;
  readonly system: string;
  private readonly readFields: (buf: Buffer, off: number, len: number) => Record<string, FieldValue>;
  /** The compiled reader of each field, by name (what `fields` holds, one field at a time). */
  readonly readers: ReadonlyMap<string, FieldReader>;
  private readonly kind: EventKind;
  private lastPid = Number.NaN;
  private lastComm = '';
  /** Offsets of `common_pid`, `common_flags`, `common_preempt_count` (−1: the format has none). */
  readonly pidAt: number;
  readonly flagsAt: number;
  readonly preemptAt: number;

  constructor(
    readonly format: EventFormat,
    private readonly ctx: DecodeContext,
  ) {
    this.name = format.name;
    this.system = format.system;
    const at = (n: string) => format.common.find((f) => f.name === n)?.offset ?? -1;
    this.pidAt = at('common_pid');
    this.flagsAt = at('common_flags');
    this.preemptAt = at('common_preempt_count');
    const symbols = SYMBOL_FIELDS[format.name] ?? {};
    const tables = flagTables(format.printFmt);
    const readers = format.fields.map((f) => compileField(f, ctx, symbols[f.name], tables.get(f.name)));
    this.readers = new Map(format.fields.map((f, i) => [f.name, readers[i]!]));
    const render = payloadRenderer(format.fields.map((f) => f.name));
    this.kind = { system: format.system, name: format.name, tgid: null, render };
    this.readFields = fieldsFactory(
      format.fields.map((f) => f.name),
      readers,
    );
  }

  /** A TraceEvent for the record; `ts` already in ns. */
  decode(buf: Buffer, off: number, len: number, ts: number, cpu: number, line: number): TraceEvent {
    const pid = this.pid(buf, off, len);
    const fields = this.readFields(buf, off, len);
    const key = this.latencyKey(buf, off, len);
    const flags = key < 0 ? null : cachedLatencyFlags(key >> 8, key & 255);
    return new DatTraceEvent(line, ts, cpu, pid, this.comm(pid), flags, fields, this.kind);
  }

  /** `common_pid`, or −1 when the record has none. */
  pid(buf: Buffer, off: number, len: number): number {
    if (this.pidAt < 0 || this.pidAt + 4 > len) return -1;
    return i32(buf, off + this.pidAt, this.ctx.bigEndian);
  }

  /** `common_flags << 8 | common_preempt_count` (what the latency-flags column is made of), or −1. */
  latencyKey(buf: Buffer, off: number, len: number): number {
    if (this.flagsAt < 0 || this.preemptAt < 0 || this.preemptAt >= len) return -1;
    return (buf[off + this.flagsAt]! << 8) | buf[off + this.preemptAt]!;
  }

  /** The task name (events come in runs from one task: the last lookup is kept). */
  comm(pid: number): string {
    if (pid === this.lastPid) return this.lastComm;
    const comm = pid === 0 ? '<idle>' : (this.ctx.cmdlines.get(pid) ?? '<...>');
    this.lastPid = pid;
    this.lastComm = comm;
    return comm;
  }
}

/** What every event of one format shares. */
interface EventKind {
  system: string | null;
  name: string;
  tgid: number | null;
  render: PayloadRenderer;
}

/**
 * A trace.dat event. `payload` (a `key=value` rendering of the fields) is
 * computed on first read, since most consumers never look at it; `toJSON`
 * includes it. What all events of a format share (`system`, `name`, `tgid`,
 * the renderer) is one `kind` reference read through getters, so an event
 * object holds only its own values: smaller objects, less garbage (setting
 * one of them gives the event its own kind). A spread `{...event}` copies own
 * properties only: use `toJSON`.
 */
class DatTraceEvent implements TraceEvent {
  private rendered: string | null = null;

  constructor(
    public line: number,
    public ts: number,
    public cpu: number,
    public pid: number,
    public comm: string,
    public flags: string | null,
    public fields: Record<string, FieldValue>,
    private kind: EventKind,
  ) {}

  get system(): string | null {
    return this.kind.system;
  }

  set system(system: string | null) {
    this.kind = { ...this.kind, system };
  }

  get name(): string {
    return this.kind.name;
  }

  set name(name: string) {
    this.kind = { ...this.kind, name };
  }

  get tgid(): number | null {
    return this.kind.tgid;
  }

  set tgid(tgid: number | null) {
    this.kind = { ...this.kind, tgid };
  }

  get payload(): string {
    this.rendered ??= this.kind.render(this.fields);
    return this.rendered;
  }

  set payload(value: string) {
    this.rendered = value;
  }

  toJSON(): TraceEvent {
    const { line, ts, cpu, pid, tgid, comm, flags, system, name, payload, fields } = this;
    return { line, ts, cpu, pid, tgid, comm, flags, system, name, payload, fields };
  }
}

/** An ftrace event with no format in the file: kept by id. */
export function unknownEvent(
  id: number,
  buf: Buffer,
  off: number,
  len: number,
  ts: number,
  cpu: number,
  line: number,
  ctx: DecodeContext,
): TraceEvent {
  const pid = len >= 8 ? (ctx.bigEndian ? buf.readInt32BE(off + 4) : buf.readInt32LE(off + 4)) : -1;
  const comm = pid === 0 ? '<idle>' : (ctx.cmdlines.get(pid) ?? '<...>');
  const kind = { system: null, name: `unknown_event_${id}`, tgid: null, render: () => '' };
  const event = new DatTraceEvent(line, ts, cpu, pid, comm, null, {}, kind);
  event.payload = buf.toString('hex', off, off + Math.min(len, 64));
  return event;
}

/** By `flags << 8 | preempt_count`; filled up front so the array keeps fast elements (a sparse one becomes a hash table). */
const FLAG_COLUMNS: (string | undefined)[] = new Array<string | undefined>(1 << 16).fill(undefined);

export function cachedLatencyFlags(flags: number, preempt: number): string {
  const key = (flags << 8) | preempt;
  let text = FLAG_COLUMNS[key];
  if (text === undefined) {
    text = latencyFlags(flags, preempt);
    FLAG_COLUMNS[key] = text;
  }
  return text;
}

/** The kernel's latency flags column (`trace_print_lat_fmt`): irqs, need-resched, irq context, depths. */
export function latencyFlags(flags: number, preempt: number): string {
  const irqsOff = flags & 0x01;
  const bhOff = flags & 0x80;
  const irq = irqsOff && bhOff ? 'D' : irqsOff ? 'd' : bhOff ? 'b' : flags & 0x02 ? 'X' : '.';
  const nr = flags & 0x04;
  const pr = flags & 0x20;
  const resched = nr && pr ? 'N' : nr ? 'n' : pr ? 'p' : '.';
  const nmi = flags & 0x40;
  const hard = flags & 0x08;
  const soft = flags & 0x10;
  const ctx = nmi && hard ? 'Z' : nmi ? 'z' : hard && soft ? 'H' : hard ? 'h' : soft ? 's' : '.';
  const depth = preempt & 0x0f ? (preempt & 0x0f).toString(16) : '.';
  const migrate = preempt >> 4 ? (preempt >> 4).toString(16) : '.';
  return `${irq}${resched}${ctx}${depth}${migrate}`;
}

function compileField(
  f: FieldFormat,
  ctx: DecodeContext,
  symbol: 'pS' | 'ps' | undefined,
  table: FlagTable | undefined,
): FieldReader {
  const be = ctx.bigEndian;
  const { offset, size } = f;
  switch (f.kind) {
    case 'int':
    case 'pointer': {
      if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return () => null;
      const int = intReader(size, f.signed && f.kind === 'int', be);
      if (f.kind === 'int' && table) {
        // rendered as the kernel prints it (`SPIN|MUTEX`, `GFP_KERNEL`); values repeat, so cache them
        const rendered = new Map<number | string, string>();
        return (buf, off, len) => {
          if (offset + size > len) return null;
          const v = int(buf, off + offset);
          let text: string | undefined = rendered.get(v);
          if (text === undefined) {
            text = renderFlags(table, BigInt.asUintN(64, BigInt(v)));
            if (rendered.size < 4096) rendered.set(v, text);
          }
          return text;
        };
      }
      if (f.kind === 'int' && !symbol)
        return (buf, off, len) => (offset + size <= len ? int(buf, off + offset) : null);
      if (!symbol)
        return (buf, off, len) => (offset + size > len ? null : hexOf(buf, off + offset, size, be, ctx.hex));
      // a handful of shrinker/function addresses repeat: symbolize each once
      const symbols = new Map<string, string>();
      return (buf, off, len) => {
        if (offset + size > len) return null;
        const hex = hexOf(buf, off + offset, size, be, ctx.hex);
        let text = symbols.get(hex);
        if (text === undefined) {
          const sym = ctx.kallsyms()?.format(BigInt(`0x${hex}`)) ?? null;
          text = sym === null ? `0x${hex}` : symbol === 'pS' ? sym : sym.slice(0, sym.indexOf('+'));
          if (symbols.size >= 4096) symbols.clear();
          symbols.set(hex, text);
        }
        return text;
      };
    }
    case 'char-array':
      return (buf, off, len) => {
        const end = size === 0 ? len : Math.min(len, offset + size);
        // `print` buffers end in the newline the writer gave them; trace-cmd shows the line without it
        return offset <= end ? cString(ctx.strings, buf, off + offset, off + end, true) : null;
      };
    case 'data-loc-string':
    case 'rel-loc-string':
    case 'data-loc':
    case 'rel-loc': {
      const rel = f.kind.startsWith('rel');
      const str = f.kind.endsWith('string');
      return (buf, off, len) => {
        if (offset + 4 > len) return null;
        const v = u32(buf, off + offset, be);
        const start = (v & 0xffff) + (rel ? offset + size : 0);
        const end = start + (v >>> 16);
        if (end > len) return null;
        return str
          ? cString(ctx.strings, buf, off + start, off + end)
          : buf.toString('hex', off + start, off + end);
      };
    }
    case 'array': {
      const el = f.elementSize;
      if (el !== 1 && el !== 2 && el !== 4 && el !== 8) return () => null;
      const int = intReader(el, f.signed, be);
      return (buf, off, len) => {
        const end = size === 0 ? len : Math.min(len, offset + size);
        const out: (number | string)[] = [];
        for (let p = offset; p + el <= end; p += el) out.push(int(buf, off + p));
        return out.join(',');
      };
    }
  }
}

function intReader(size: number, signed: boolean, be: boolean): (buf: Buffer, at: number) => number | string {
  switch (size) {
    case 1:
      return signed ? (b, at) => b.readInt8(at) : (b, at) => b[at]!;
    case 2:
      if (signed) return be ? (b, at) => b.readInt16BE(at) : (b, at) => b.readInt16LE(at);
      return be ? (b, at) => b.readUInt16BE(at) : (b, at) => b.readUInt16LE(at);
    case 4:
      if (signed) return (b, at) => i32(b, at, be);
      return (b, at) => u32(b, at, be);
    default:
      return (b, at) => {
        const hi = be ? b.readUInt32BE(at) : b.readUInt32LE(at + 4);
        const lo = be ? b.readUInt32BE(at + 4) : b.readUInt32LE(at);
        if (hi < 0x200000) return hi * 0x100000000 + lo;
        if (signed && hi >= 0xffe00000) return (hi - 0x100000000) * 0x100000000 + lo;
        const big = be ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
        return (signed ? BigInt.asIntN(64, big) : big).toString();
      };
  }
}

function hexOf(buf: Buffer, at: number, size: number, be: boolean, cache: HexCache): string {
  if (size === 1) return cache.hex(0, buf[at]!);
  if (size === 2) return cache.hex(0, be ? buf.readUInt16BE(at) : buf.readUInt16LE(at));
  if (size === 4) return cache.hex(0, be ? u32be(buf, at) : u32le(buf, at));
  return be ? cache.hex(u32be(buf, at), u32be(buf, at + 4)) : cache.hex(u32le(buf, at + 4), u32le(buf, at));
}

// bounds are checked by the callers: plain byte arithmetic is cheaper than Buffer's checked reads
function u32le(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

function u32be(b: Buffer, at: number): number {
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

function cString(
  strings: StringInterner,
  buf: Buffer,
  start: number,
  end: number,
  trimNewlines = false,
): string {
  if (!trimNewlines) return strings.cstring(buf, start, end);
  let p = start;
  while (p < end && buf[p] !== 0) p++;
  while (p > start && buf[p - 1] === 0x0a) p--;
  return strings.get(buf, start, p);
}

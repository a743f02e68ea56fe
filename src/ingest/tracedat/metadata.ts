import type { Diagnostic } from '../../model/diagnostic.js';
import { ByteCursor, type FileSource, MalformedError, readU64, TruncatedError } from './byte-reader.js';
import { type Decompressor, decompressorFor } from './decompress.js';
import { type EventFormat, type HeaderPage, parseEventFormat, parseHeaderPage } from './event-format.js';

/** Where one CPU's ring-buffer pages live in the file. */
export interface CpuData {
  cpu: number;
  offset: number;
  size: number;
}

/** Everything before the ring-buffer pages: what the reader needs to decode them. */
export interface TraceDatMeta {
  version: number;
  bigEndian: boolean;
  /** User-space long size from the file header. */
  longSize: number;
  pageSize: number;
  header: HeaderPage;
  /** Decompressor of the per-CPU data, null when it is stored plain. */
  cpuDecompressor: Decompressor | null;
  /** Its algorithm (`zstd`, `zlib`), null when plain: what a worker thread needs to build its own. */
  cpuCompression: string | null;
  formats: Map<number, EventFormat>;
  /** Reads `/proc/kallsyms` as saved in the file, on demand (it is megabytes, often compressed). */
  kallsyms: () => string | null;
  cmdlines: Map<number, string>;
  cpus: CpuData[];
  clock: string | null;
  /** Added to every timestamp (OFFSET option), ns. */
  tsOffset: number;
  tsc2nsec: { mult: number; shift: number; offset: bigint } | null;
}

const MAGIC = Buffer.from([0x17, 0x08, 0x44, ...Buffer.from('tracing')]);

const OPT = {
  DONE: 0,
  BUFFER: 3,
  TRACECLOCK: 4,
  OFFSET: 7,
  CPUCOUNT: 8,
  TIME_SHIFT: 12,
  TSC2NSEC: 14,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  KALLSYMS: 19,
  CMDLINES: 21,
  BUFFER_TEXT: 22,
} as const;

/** Sequential reads from the file itself (v6 metadata is laid out one item after another). */
class FileCursor {
  constructor(
    readonly file: FileSource,
    public pos: number,
    readonly bigEndian: boolean,
  ) {}

  private cursor(n: number, what: string): ByteCursor {
    const c = new ByteCursor(this.file.readExact(this.pos, n, what), this.bigEndian, what);
    this.pos += n;
    return c;
  }
  u16(what: string): number {
    return this.cursor(2, what).u16();
  }
  u32(what: string): number {
    return this.cursor(4, what).u32();
  }
  u64(what: string): number {
    return this.cursor(8, what).u64();
  }
  bytes(n: number, what: string): Buffer {
    if (n > this.file.size - this.pos) throw new TruncatedError(what);
    return this.cursor(n, what).buf;
  }
  cstring(what: string): string {
    const parts: Buffer[] = [];
    for (;;) {
      const chunk = this.file.read(this.pos, 256);
      if (chunk.length === 0) throw new TruncatedError(what);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        parts.push(chunk.subarray(0, nul));
        this.pos += nul + 1;
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(chunk);
      this.pos += chunk.length;
    }
  }
}

/** Reads the trace.dat header and metadata (v6 or v7); throws TruncatedError/MalformedError. */
export function readMetadata(file: FileSource, diagnostics: Diagnostic[]): TraceDatMeta {
  const magic = file.readExact(0, MAGIC.length, 'the file magic');
  if (!magic.equals(MAGIC)) throw new MalformedError('not a trace.dat file (bad magic)');
  const pre = new FileCursor(file, MAGIC.length, false);
  const versionText = pre.cstring('the version string');
  const version = Number.parseInt(versionText, 10);
  const fixed = file.readExact(pre.pos, 6, 'the file header');
  const bigEndian = fixed[0] === 1;
  const longSize = fixed[1]!;
  const pageSize = bigEndian ? fixed.readUInt32BE(2) : fixed.readUInt32LE(2);
  if (pageSize < 64 || pageSize > 1 << 24 || (pageSize & (pageSize - 1)) !== 0) {
    throw new MalformedError(`implausible page size ${pageSize}`);
  }
  const cur = new FileCursor(file, pre.pos + 6, bigEndian);
  const meta: TraceDatMeta = {
    version,
    bigEndian,
    longSize,
    pageSize,
    header: { commitSize: longSize, dataOffset: 8 + longSize },
    cpuDecompressor: null,
    cpuCompression: null,
    formats: new Map(),
    kallsyms: () => null,
    cmdlines: new Map(),
    cpus: [],
    clock: null,
    tsOffset: 0,
    tsc2nsec: null,
  };
  if (version === 6) readV6(cur, meta, diagnostics);
  else if (version === 7) readV7(cur, meta, diagnostics);
  else throw new MalformedError(`trace.dat version "${versionText}" is not supported (6 and 7 are)`);
  return meta;
}

function readHeaderInfo(r: FileCursor | ByteCursor, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  const tag1 = cstr(r, 'the header_page tag');
  if (tag1 !== 'header_page') throw new MalformedError(`expected "header_page", found "${tag1}"`);
  const page = bytes(r, u64(r, 'the header_page size'), 'header_page').toString('utf8');
  const header = parseHeaderPage(page);
  if (header) meta.header = header;
  else
    diag(
      diagnostics,
      'tracedat-header-page',
      'header_page does not describe commit/data; assuming long size',
    );
  const tag2 = cstr(r, 'the header_event tag');
  if (tag2 !== 'header_event') throw new MalformedError(`expected "header_event", found "${tag2}"`);
  bytes(r, u64(r, 'the header_event size'), 'header_event');
}

function readFtraceFormats(r: FileCursor | ByteCursor, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  const count = u32(r, 'the ftrace format count');
  for (let i = 0; i < count; i++) {
    addFormat(bytes(r, u64(r, 'an ftrace format size'), 'an ftrace format'), 'ftrace', meta, diagnostics);
  }
}

function readEventFormats(r: FileCursor | ByteCursor, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  const systems = u32(r, 'the event system count');
  for (let s = 0; s < systems; s++) {
    const system = cstr(r, 'an event system name');
    const count = u32(r, 'an event count');
    for (let i = 0; i < count; i++) {
      addFormat(bytes(r, u64(r, 'an event format size'), 'an event format'), system, meta, diagnostics);
    }
  }
}

function addFormat(buf: Buffer, system: string, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  const format = parseEventFormat(buf.toString('utf8'), system);
  if (format) meta.formats.set(format.id, format);
  else diag(diagnostics, 'tracedat-bad-format', `an event format of system ${system} has no name or ID`);
}

function readCmdlines(text: string, meta: TraceDatMeta): void {
  // `330 drmfb`
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const pid = Number(line.slice(0, sp));
    if (Number.isInteger(pid)) meta.cmdlines.set(pid, line.slice(sp + 1));
  }
}

function readV6(cur: FileCursor, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  readHeaderInfo(cur, meta, diagnostics);
  readFtraceFormats(cur, meta, diagnostics);
  readEventFormats(cur, meta, diagnostics);
  const kallsymsSize = cur.u32('the kallsyms size');
  const kallsymsAt = cur.pos;
  if (kallsymsSize > cur.file.size - kallsymsAt) throw new TruncatedError('kallsyms');
  cur.pos += kallsymsSize;
  meta.kallsyms = () => cur.file.readExact(kallsymsAt, kallsymsSize, 'kallsyms').toString('utf8');
  cur.bytes(cur.u32('the printk formats size'), 'printk formats');
  readCmdlines(cur.bytes(cur.u64('the cmdlines size'), 'saved cmdlines').toString('utf8'), meta);
  const cpuCount = cur.u32('the CPU count');
  let tag = cur.bytes(10, 'a section tag').toString('latin1');
  if (tag === 'options  \0') {
    for (;;) {
      const id = cur.u16('an option id');
      if (id === OPT.DONE) break;
      const data = cur.bytes(cur.u32('an option size'), 'an option');
      applyOption(id, new ByteCursor(data, meta.bigEndian, 'an option'), meta, diagnostics, 6);
    }
    tag = cur.bytes(10, 'a section tag').toString('latin1');
  }
  if (tag === 'latency  \0') {
    diag(diagnostics, 'tracedat-latency', 'latency-format trace.dat (text, no ring buffer) is not read');
    return;
  }
  if (tag !== 'flyrecord\0') throw new MalformedError(`unknown section tag ${JSON.stringify(tag)}`);
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    const offset = cur.u64('the per-CPU data offsets');
    const size = cur.u64('the per-CPU data sizes');
    meta.cpus.push({ cpu, offset, size });
  }
}

interface V7State {
  sections: Map<number, number>;
  buffer: { offset: number; cpus: CpuData[]; clock: string } | null;
  /** CPUCOUNT option, when the file has one. */
  cpuCount: number | null;
}

function readV7(cur: FileCursor, meta: TraceDatMeta, diagnostics: Diagnostic[]): void {
  const algorithm = cur.cstring('the compression name');
  cur.cstring('the compression version');
  const decompress = decompressorFor(algorithm);
  let next = cur.u64('the options offset');
  const firstSection = cur.pos;
  const state: V7State = { sections: new Map(), buffer: null, cpuCount: null };
  const seen = new Set<number>();
  let cut = false;
  while (next !== 0 && !seen.has(next)) {
    seen.add(next);
    let section: { id: number; data: Buffer };
    try {
      section = readSection(cur.file, next, meta.bigEndian, decompress);
    } catch (error) {
      if (!(error instanceof TruncatedError)) throw error;
      cut = true; // the trailing options (with the CPU table) are past the end: recovered below
      break;
    }
    if (section.id !== 0) {
      throw new MalformedError(`section at ${next} is not an options section (id ${section.id})`);
    }
    next = readOptions(section.data, meta, diagnostics, state);
  }
  const recovered = cut && !state.buffer;
  if (recovered) {
    recoverV7(cur.file, firstSection, seen, meta, diagnostics, state, algorithm);
  }
  const open = (id: number, what: string): ByteCursor | null => {
    const at = state.sections.get(id);
    if (at === undefined) return null;
    const { data } = readSection(cur.file, at, meta.bigEndian, decompress);
    return new ByteCursor(data, meta.bigEndian, what);
  };
  const header = open(OPT.HEADER_INFO, 'the header info section');
  if (!header) throw new MalformedError('no HEADER_INFO section');
  readHeaderInfo(header, meta, diagnostics);
  const ftrace = open(OPT.FTRACE_EVENTS, 'the ftrace events section');
  if (ftrace) readFtraceFormats(ftrace, meta, diagnostics);
  const events = open(OPT.EVENT_FORMATS, 'the event formats section');
  if (events) readEventFormats(events, meta, diagnostics);
  meta.kallsyms = () => {
    const kallsyms = open(OPT.KALLSYMS, 'the kallsyms section');
    return kallsyms ? kallsyms.bytes(kallsyms.u32()).toString('utf8') : null;
  };
  const cmdlines = open(OPT.CMDLINES, 'the cmdlines section');
  if (cmdlines) readCmdlines(cmdlines.bytes(cmdlines.u64()).toString('utf8'), meta);
  if (recovered) return; // CPUs (if any) rebuilt, with a diagnostic
  if (!state.buffer) {
    diag(diagnostics, 'tracedat-no-buffer', 'no flyrecord buffer for the top instance: no events');
    return;
  }
  const head = cur.file.readExact(state.buffer.offset, 4, 'the flyrecord section header');
  const flags = meta.bigEndian ? head.readUInt16BE(2) : head.readUInt16LE(2);
  meta.cpuDecompressor = flags & 1 ? decompress : null;
  meta.cpuCompression = flags & 1 ? algorithm : null;
  meta.cpus = state.buffer.cpus;
  meta.clock ??= state.buffer.clock;
}

/** Applies the options of one options section; returns the offset of the next one (0: none). */
function readOptions(data: Buffer, meta: TraceDatMeta, diagnostics: Diagnostic[], state: V7State): number {
  const c = new ByteCursor(data, meta.bigEndian, 'an options section');
  while (c.remaining >= 6) {
    const optId = c.u16();
    const opt = new ByteCursor(c.bytes(c.u32()), meta.bigEndian, 'an option');
    if (optId === OPT.DONE) return opt.u64();
    applyOption(optId, opt, meta, diagnostics, 7, state);
  }
  return 0;
}

/** Section ids trace-cmd writes in v7: options, buffer data, and the metadata sections. */
const V7_SECTION_IDS = new Set([
  0,
  OPT.BUFFER,
  15,
  OPT.HEADER_INFO,
  OPT.FTRACE_EVENTS,
  OPT.EVENT_FORMATS,
  OPT.KALLSYMS,
  20,
  OPT.CMDLINES,
]);

/** What a v7 section holds, by id (trace-cmd's lib/trace-cmd/include/trace-cmd-local.h). */
const V7_SECTION_NAMES: Record<number, string> = {
  0: 'options',
  [OPT.BUFFER]: 'ring-buffer data',
  15: 'strings',
  [OPT.HEADER_INFO]: 'header info',
  [OPT.FTRACE_EVENTS]: 'ftrace events',
  [OPT.EVENT_FORMATS]: 'event formats',
  [OPT.KALLSYMS]: 'kallsyms',
  20: 'printk formats',
  [OPT.CMDLINES]: 'cmdlines',
  [OPT.BUFFER_TEXT]: 'latency text',
  23: 'BTF',
  25: 'modules',
};

/** `the kallsyms section (id 19)`; an id trace-cmd does not write, by its number. */
function sectionName(id: number): string {
  const name = V7_SECTION_NAMES[id];
  return name === undefined ? `section ${id}` : `the ${name} section (id ${id})`;
}

/**
 * A cut v7 file loses its trailing options section, which holds the CPU table
 * of the flyrecord buffer. trace-cmd writes the sections back to back, so they
 * are walked in order from the first: options sections not yet read are
 * applied, metadata sections noted, and the first buffer-data section has its
 * CPUs rebuilt from what is present (`recoverCpus`). A diagnostic says where
 * the file ends and how much of the section it ends in is missing.
 */
function recoverV7(
  file: FileSource,
  first: number,
  seen: Set<number>,
  meta: TraceDatMeta,
  diagnostics: Diagnostic[],
  state: V7State,
  algorithm: string,
): void {
  const be = meta.bigEndian;
  const decompress = decompressorFor(algorithm);
  for (let at = first; ; ) {
    if (at + 16 > file.size) {
      diag(
        diagnostics,
        'tracedat-truncated',
        `file ends at ${file.size} bytes, before the ring-buffer data: no events`,
      );
      return;
    }
    const h = new ByteCursor(file.readExact(at, 16, 'a section header'), be, 'a section header');
    const id = h.u16();
    const flags = h.u16();
    h.u32();
    const size = h.u64();
    if (!V7_SECTION_IDS.has(id)) {
      diag(
        diagnostics,
        'tracedat-truncated',
        `file is cut and no section header at ${at} (id ${id}): no events`,
      );
      return;
    }
    const end = at + 16 + size;
    if (id === OPT.BUFFER) {
      const missing = Math.max(0, end - file.size);
      diag(
        diagnostics,
        'tracedat-truncated',
        `file is cut: ${missing} of the ${size} bytes of ring-buffer data are missing, and the CPU table after them; ` +
          'CPUs rebuilt from the pages present, events of the missing part lost',
      );
      meta.cpuDecompressor = flags & 1 ? decompress : null;
      meta.cpuCompression = flags & 1 ? algorithm : null;
      meta.cpus = recoverCpus(
        file,
        at + 16,
        Math.min(end, file.size),
        meta,
        state.cpuCount,
        meta.cpuDecompressor,
      );
      return;
    }
    if (end > file.size) {
      diag(
        diagnostics,
        'tracedat-truncated',
        `file ends inside ${sectionName(id)} at ${at}: ${end - file.size} of its ${size} bytes and all ring-buffer data are missing: no events`,
      );
      return;
    }
    if (id >= OPT.HEADER_INFO && id <= OPT.CMDLINES && !state.sections.has(id)) state.sections.set(id, at);
    if (id === 0 && !seen.has(at)) {
      seen.add(at);
      readOptions(readSection(file, at, be, decompress).data, meta, diagnostics, state);
    }
    at = end;
  }
}

/**
 * The per-CPU data of a cut buffer section (`start`..`end` present), CPU by
 * CPU as trace-cmd writes them: each starts on a page boundary. Compressed
 * data is exact (a chunk count, then sized chunks); uncompressed pages carry no
 * CPU number, so a new CPU is taken to start where a page's timestamp goes back
 * in time (each CPU's pages are in time order), up to the CPUCOUNT option.
 */
function recoverCpus(
  file: FileSource,
  start: number,
  end: number,
  meta: TraceDatMeta,
  cpuCount: number | null,
  decompress: Decompressor | null,
): CpuData[] {
  const { pageSize, bigEndian: be } = meta;
  const align = (n: number) => Math.ceil(n / pageSize) * pageSize;
  const maxCpus = cpuCount ?? Number.POSITIVE_INFINITY;
  const cpus: CpuData[] = [];
  let pos = align(start);
  if (decompress) {
    while (pos + 4 <= end && cpus.length < maxCpus) {
      const u32 = (b: Buffer, o: number) => (be ? b.readUInt32BE(o) : b.readUInt32LE(o));
      let chunks = u32(file.readExact(pos, 4, 'the chunk count'), 0);
      let p = pos + 4;
      while (chunks-- > 0 && p + 8 <= end) p += 8 + u32(file.readExact(p, 8, 'a chunk header'), 0);
      const size = Math.min(p, end) - pos;
      cpus.push({ cpu: cpus.length, offset: pos, size });
      pos = align(pos + size);
    }
    return cpus;
  }
  let cpuStart = pos;
  let lastTs = -1;
  for (; pos + 16 <= end; pos += pageSize) {
    const head = file.readExact(pos, 16, 'a page header');
    const ts = readU64(head, 0, be);
    if (ts !== 0 && ts < lastTs && cpus.length + 1 < maxCpus) {
      cpus.push({ cpu: cpus.length, offset: cpuStart, size: pos - cpuStart });
      cpuStart = pos;
    }
    if (ts !== 0) lastTs = ts;
  }
  if (end > cpuStart) cpus.push({ cpu: cpus.length, offset: cpuStart, size: end - cpuStart });
  return cpus;
}

/** A v7 section at `offset`: header (u16 id, u16 flags, u32 string id, u64 size), data decompressed. */
function readSection(file: FileSource, offset: number, bigEndian: boolean, decompress: Decompressor | null) {
  const h = new ByteCursor(file.readExact(offset, 16, 'a section header'), bigEndian, 'a section header');
  const id = h.u16();
  const flags = h.u16();
  h.u32();
  const size = h.u64();
  const raw = file.readExact(offset + 16, size, sectionName(id));
  if (!(flags & 1)) return { id, data: raw };
  if (!decompress)
    throw new MalformedError(`${sectionName(id)} is compressed but the file names no algorithm`);
  const c = new ByteCursor(raw, bigEndian, `compressed ${sectionName(id)}`);
  const csize = c.u32();
  const usize = c.u32();
  return { id, data: decompress(c.bytes(csize), usize) };
}

function applyOption(
  id: number,
  opt: ByteCursor,
  meta: TraceDatMeta,
  diagnostics: Diagnostic[],
  version: number,
  state?: V7State,
): void {
  switch (id) {
    case OPT.TRACECLOCK: {
      // `local [global] counter uptime perf mono mono_raw boot tai x86-tsc`
      const m = /\[([^\]]*)\]/.exec(opt.buf.toString('utf8'));
      if (m) meta.clock = m[1]!;
      return;
    }
    case OPT.OFFSET: {
      const n = Number.parseInt(opt.buf.toString('utf8'), 10);
      if (Number.isFinite(n)) meta.tsOffset += n;
      return;
    }
    case OPT.CPUCOUNT:
      if (state && opt.remaining >= 4) state.cpuCount = opt.u32();
      return;
    case OPT.TSC2NSEC:
      meta.tsc2nsec = { mult: opt.u32(), shift: opt.u32(), offset: BigInt(opt.u64()) };
      return;
    case OPT.TIME_SHIFT:
      diag(diagnostics, 'tracedat-time-shift', 'guest TIME_SHIFT option is not applied to timestamps');
      return;
    case OPT.BUFFER: {
      const offset = opt.u64();
      const name = opt.cstring();
      if (version === 6) {
        diag(diagnostics, 'tracedat-instance', `trace instance "${name}" is not read (top instance only)`);
        return;
      }
      const clock = opt.cstring();
      opt.u32(); // page size
      const count = opt.u32();
      const cpus: CpuData[] = [];
      for (let i = 0; i < count; i++) cpus.push({ cpu: opt.u32(), offset: opt.u64(), size: opt.u64() });
      if (name !== '') {
        diag(diagnostics, 'tracedat-instance', `trace instance "${name}" is not read (top instance only)`);
        return;
      }
      if (state) state.buffer = { offset, cpus, clock };
      return;
    }
    case OPT.BUFFER_TEXT:
      diag(diagnostics, 'tracedat-latency', 'latency-format buffer (text, no ring buffer) is not read');
      return;
    default:
      if (state && id >= OPT.HEADER_INFO && id <= OPT.CMDLINES) state.sections.set(id, opt.u64());
  }
}

function diag(diagnostics: Diagnostic[], code: string, message: string): void {
  diagnostics.push({ code, message, line: null });
}

function u32(r: FileCursor | ByteCursor, what: string): number {
  return r instanceof FileCursor ? r.u32(what) : r.u32();
}
function u64(r: FileCursor | ByteCursor, what: string): number {
  return r instanceof FileCursor ? r.u64(what) : r.u64();
}
function bytes(r: FileCursor | ByteCursor, n: number, what: string): Buffer {
  return r instanceof FileCursor ? r.bytes(n, what) : r.bytes(n);
}
function cstr(r: FileCursor | ByteCursor, what: string): string {
  return r instanceof FileCursor ? r.cstring(what) : r.cstring();
}

import { deflateSync } from 'node:zlib';

/**
 * Writes small trace.dat files for tests (a minimal case we write ourselves):
 * v6 or v7 (plain or zlib), either endianness, 4- or 8-byte kernel longs.
 */
export interface SyntheticRecord {
  /** Delta from the previous record of the CPU (ns); ≥ 2^27 becomes a TIME_EXTEND. */
  delta: number;
  payload: Buffer;
  /** Insert a padding (discarded event) record of this many bytes (≥ 4, after its header word) before it. */
  paddingBefore?: number;
}

export interface SyntheticTrace {
  version: 6 | 7;
  bigEndian: boolean;
  longSize: 4 | 8;
  compression?: 'none' | 'zlib';
  pageSize?: number;
  formats: { system: string; text: string }[];
  kallsyms?: string;
  cmdlines?: string;
  /** Per CPU: base timestamp of the first page, and its records. */
  cpus: SyntheticCpu[];
  /** Records per page (forces several pages). */
  perPage?: number;
}

export interface SyntheticCpu {
  base: number;
  records: SyntheticRecord[];
  /** Mark page `page` as having lost `count` events before it (count stored after the data; -1: not stored). */
  lost?: { page: number; count: number } | { page: number; count: number }[];
}

class Out {
  parts: Buffer[] = [];
  length = 0;
  constructor(readonly be: boolean) {}
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u16(v: number): void {
    const b = Buffer.alloc(2);
    this.be ? b.writeUInt16BE(v) : b.writeUInt16LE(v);
    this.push(b);
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    this.be ? b.writeUInt32BE(v >>> 0) : b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    this.be ? b.writeBigUInt64BE(BigInt(v)) : b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  str(s: string): void {
    this.push(Buffer.from(`${s}\0`, 'latin1'));
  }
  text(s: string): void {
    this.push(Buffer.from(s, 'utf8'));
  }
  buf(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function headerPage(longSize: number): string {
  return [
    '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;',
    `\tfield: local_t commit;\toffset:8;\tsize:${longSize};\tsigned:1;`,
    '\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;',
    `\tfield: char data;\toffset:${8 + longSize};\tsize:${4096 - 8 - longSize};\tsigned:0;`,
    '',
  ].join('\n');
}

export function pages(t: SyntheticTrace, cpu: SyntheticCpu): Buffer {
  const pageSize = t.pageSize ?? 4096;
  const data0 = 8 + t.longSize;
  const out: Buffer[] = [];
  const perPage = t.perPage ?? 1000;
  let ts = cpu.base;
  for (let start = 0; start < cpu.records.length || start === 0; start += perPage) {
    const page = Buffer.alloc(pageSize);
    const recs = cpu.records.slice(start, start + perPage);
    t.bigEndian ? page.writeBigUInt64BE(BigInt(ts)) : page.writeBigUInt64LE(BigInt(ts));
    let at = data0;
    const word = (typeLen: number, delta: number) => {
      const w = t.bigEndian ? ((typeLen << 27) | delta) >>> 0 : ((delta << 5) | typeLen) >>> 0;
      t.bigEndian ? page.writeUInt32BE(w, at) : page.writeUInt32LE(w, at);
      at += 4;
    };
    const u32 = (v: number) => {
      t.bigEndian ? page.writeUInt32BE(v, at) : page.writeUInt32LE(v, at);
      at += 4;
    };
    for (const r of recs) ts += r.delta + (r.paddingBefore ? 1 : 0);
    for (const r of recs) {
      if (r.paddingBefore) {
        word(29, 1);
        // array[0] counts the bytes after the header word, itself included
        u32(r.paddingBefore);
        at += r.paddingBefore - 4;
      }
      let delta = r.delta;
      if (delta >= 2 ** 27) {
        word(30, delta % 2 ** 27);
        u32(Math.floor(delta / 2 ** 27));
        delta = 0;
      }
      const len = r.payload.length;
      if (len % 4 === 0 && len <= 112 && len > 0) word(len / 4, delta);
      else {
        word(0, delta);
        u32(len + 4);
      }
      r.payload.copy(page, at);
      at += Math.ceil(len / 4) * 4;
    }
    let commit = at - data0;
    const lost = [cpu.lost ?? []].flat().find((l) => l.page === out.length);
    if (lost) {
      // MISSING_EVENTS (bit 31), and MISSING_STORED (bit 30) with the count as a long after the data
      commit += 2 ** 31;
      if (lost.count >= 0) {
        commit += 2 ** 30;
        if (t.longSize === 8) {
          t.bigEndian
            ? page.writeBigUInt64BE(BigInt(lost.count), at)
            : page.writeBigUInt64LE(BigInt(lost.count), at);
        } else t.bigEndian ? page.writeUInt32BE(lost.count, at) : page.writeUInt32LE(lost.count, at);
      }
    }
    if (t.longSize === 8) {
      t.bigEndian ? page.writeBigUInt64BE(BigInt(commit), 8) : page.writeBigUInt64LE(BigInt(commit), 8);
    } else t.bigEndian ? page.writeUInt32BE(commit, 8) : page.writeUInt32LE(commit, 8);
    out.push(page);
    if (cpu.records.length === 0) break;
  }
  return Buffer.concat(out);
}

function prefix(o: Out, t: SyntheticTrace): void {
  o.push(Buffer.from([0x17, 0x08, 0x44]));
  o.text('tracing');
  o.str(String(t.version));
  o.push(Buffer.from([t.bigEndian ? 1 : 0, t.longSize]));
  o.u32(t.pageSize ?? 4096);
}

function formatsBlock(o: Out, t: SyntheticTrace): void {
  const systems = [...new Set(t.formats.map((f) => f.system))];
  o.u32(systems.length);
  for (const s of systems) {
    o.str(s);
    const fs = t.formats.filter((f) => f.system === s);
    o.u32(fs.length);
    for (const f of fs) {
      o.u64(Buffer.byteLength(f.text));
      o.text(f.text);
    }
  }
}

function headerBlock(o: Out, t: SyntheticTrace): void {
  const hp = headerPage(t.longSize);
  o.str('header_page');
  o.u64(Buffer.byteLength(hp));
  o.text(hp);
  o.str('header_event');
  o.u64(4);
  o.text('none');
}

export function buildTraceDat(t: SyntheticTrace): Buffer {
  return t.version === 6 ? buildV6(t) : buildV7(t);
}

function buildV6(t: SyntheticTrace): Buffer {
  const pageSize = t.pageSize ?? 4096;
  const o = new Out(t.bigEndian);
  prefix(o, t);
  headerBlock(o, t);
  o.u32(0); // ftrace formats
  formatsBlock(o, t);
  const ks = t.kallsyms ?? '';
  o.u32(Buffer.byteLength(ks));
  o.text(ks);
  o.u32(0); // printk
  const cl = t.cmdlines ?? '';
  o.u64(Buffer.byteLength(cl));
  o.text(cl);
  o.u32(t.cpus.length);
  o.push(Buffer.from('options  \0', 'latin1'));
  o.u16(0);
  o.push(Buffer.from('flyrecord\0', 'latin1'));
  const data = t.cpus.map((c) => pages(t, c));
  let at = o.length + 16 * t.cpus.length;
  at = Math.ceil(at / pageSize) * pageSize;
  const offsets: number[] = [];
  for (const d of data) {
    offsets.push(at);
    at += d.length;
  }
  data.forEach((d, i) => {
    o.u64(offsets[i]!);
    o.u64(d.length);
  });
  o.push(Buffer.alloc(offsets[0]! - o.length));
  for (const d of data) o.push(d);
  return o.buf();
}

function buildV7(t: SyntheticTrace): Buffer {
  const pageSize = t.pageSize ?? 4096;
  const zlib = t.compression === 'zlib';
  const o = new Out(t.bigEndian);
  prefix(o, t);
  o.str(zlib ? 'zlib' : 'none');
  o.str(zlib ? '1.2.13' : '');
  const optionsOffsetAt = o.length;
  o.u64(0);
  const section = (id: number, body: Buffer): number => {
    const at = o.length;
    o.u16(id);
    o.u16(zlib ? 1 : 0);
    o.u32(0);
    if (zlib) {
      const z = deflateSync(body);
      o.u64(z.length + 8);
      o.u32(z.length);
      o.u32(body.length);
      o.push(z);
    } else {
      o.u64(body.length);
      o.push(body);
    }
    return at;
  };
  const body = (fill: (b: Out) => void) => {
    const b = new Out(t.bigEndian);
    fill(b);
    return b.buf();
  };
  const header = section(
    16,
    body((b) => headerBlock(b, t)),
  );
  const formats = section(
    18,
    body((b) => formatsBlock(b, t)),
  );
  const ks = t.kallsyms ?? '';
  const kallsyms = section(
    19,
    body((b) => {
      b.u32(Buffer.byteLength(ks));
      b.text(ks);
    }),
  );
  const cl = t.cmdlines ?? '';
  const cmdlines = section(
    21,
    body((b) => {
      b.u64(Buffer.byteLength(cl));
      b.text(cl);
    }),
  );
  // flyrecord section: header, padding to a page, then per-CPU data
  const bufferSection = o.length;
  o.u16(3);
  o.u16(zlib ? 1 : 0);
  o.u32(0);
  o.u64(0);
  o.push(Buffer.alloc(Math.ceil(o.length / pageSize) * pageSize - o.length));
  const cpuData: { offset: number; size: number }[] = [];
  for (const c of t.cpus) {
    const raw = pages(t, c);
    const offset = o.length;
    if (zlib) {
      // two chunks when there are several pages, to exercise chunk iteration
      const cut = Math.min(raw.length, pageSize);
      const chunks = [raw.subarray(0, cut), raw.subarray(cut)].filter((x) => x.length > 0);
      o.u32(chunks.length);
      for (const ch of chunks) {
        const z = deflateSync(ch);
        o.u32(z.length);
        o.u32(ch.length);
        o.push(z);
      }
    } else o.push(raw);
    cpuData.push({ offset, size: o.length - offset });
  }
  const opts = new Out(t.bigEndian);
  const option = (id: number, fill: (b: Out) => void) => {
    const b = body(fill);
    opts.u16(id);
    opts.u32(b.length);
    opts.push(b);
  };
  option(16, (b) => b.u64(header));
  option(18, (b) => b.u64(formats));
  option(19, (b) => b.u64(kallsyms));
  option(21, (b) => b.u64(cmdlines));
  option(3, (b) => {
    b.u64(bufferSection);
    b.str('');
    b.str('local');
    b.u32(pageSize);
    b.u32(t.cpus.length);
    cpuData.forEach((d, i) => {
      b.u32(i);
      b.u64(d.offset);
      b.u64(d.size);
    });
  });
  option(0, (b) => b.u64(0));
  const optionsAt = o.length;
  o.u16(0);
  o.u16(0);
  o.u32(0);
  o.u64(opts.length);
  o.push(opts.buf());
  const file = o.buf();
  t.bigEndian
    ? file.writeBigUInt64BE(BigInt(optionsAt), optionsOffsetAt)
    : file.writeBigUInt64LE(BigInt(optionsAt), optionsOffsetAt);
  return file;
}

/** The lock_acquire format of a 6.1 kernel (include/trace/events/lock.h), for a kernel long of `longSize`. */
export function lockAcquireFormat(longSize: number): string {
  return [
    'name: lock_acquire',
    'ID: 30',
    'format:',
    '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
    '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
    '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
    '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
    '',
    '\tfield:unsigned int flags;\toffset:8;\tsize:4;\tsigned:0;',
    '\tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:1;',
    `\tfield:void * lockdep_addr;\toffset:16;\tsize:${longSize};\tsigned:0;`,
    '',
    'print fmt: "%s%s%s", (REC->flags & 1) ? "try " : "", (REC->flags & 2) ? "read " : "", __get_str(name)',
    '',
  ].join('\n');
}

/** A lock_acquire record payload. */
export function lockAcquire(
  be: boolean,
  longSize: number,
  pid: number,
  flags: number,
  name: string,
  addr: bigint,
  common = { flags: 0x01, preempt: 0x01 },
): Buffer {
  const nameAt = 16 + longSize;
  const str = Buffer.from(`${name}\0`);
  const b = Buffer.alloc(nameAt + str.length);
  const w16 = be ? b.writeUInt16BE.bind(b) : b.writeUInt16LE.bind(b);
  const w32 = be ? b.writeUInt32BE.bind(b) : b.writeUInt32LE.bind(b);
  w16(30, 0);
  b[2] = common.flags;
  b[3] = common.preempt;
  be ? b.writeInt32BE(pid, 4) : b.writeInt32LE(pid, 4);
  w32(flags, 8);
  w32(((str.length << 16) | nameAt) >>> 0, 12);
  if (longSize === 8) be ? b.writeBigUInt64BE(addr, 16) : b.writeBigUInt64LE(addr, 16);
  else w32(Number(addr & 0xffffffffn), 16);
  str.copy(b, nameAt);
  return b;
}

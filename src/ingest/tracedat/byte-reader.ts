import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Raised inside the reader when the file ends before a structure does; turned into a diagnostic. */
export class TruncatedError extends Error {
  constructor(what: string) {
    super(`file ends inside ${what}`);
    this.name = 'TruncatedError';
  }
}

/** Raised inside the reader when a structure is not what the format says; turned into a diagnostic. */
export class MalformedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedError';
  }
}

/** Random access to a file by offset (pread), so a large trace.dat is never loaded whole. */
export class FileSource {
  readonly size: number;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Buffer {
    const len = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, buf, done, len - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done === len ? buf : buf.subarray(0, done);
  }

  /** Exactly `length` bytes at `offset`, or TruncatedError naming `what`. */
  readExact(offset: number, length: number, what: string): Buffer {
    const buf = this.read(offset, length);
    if (buf.length < length) throw new TruncatedError(what);
    return buf;
  }

  /** Exactly `length` bytes at `offset` into `target` at `at` (no Buffer of its own), or TruncatedError naming `what`. */
  readInto(target: Uint8Array, at: number, offset: number, length: number, what: string): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, at + done, length - done, offset + done);
      if (n === 0) throw new TruncatedError(what);
      done += n;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Int32Array views read in host order: the word paths read little-endian records only on a little-endian host. */
export const HOST_LE = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** A position in a Buffer with endian-aware reads; every read checks the bounds. */
export class ByteCursor {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    readonly bigEndian: boolean,
    readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new TruncatedError(this.what);
  }

  u16(): number {
    this.need(2);
    const v = this.bigEndian ? this.buf.readUInt16BE(this.pos) : this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.bigEndian ? this.buf.readUInt32BE(this.pos) : this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 as a Number (offsets and sizes stay far below 2^53). */
  u64(): number {
    this.need(8);
    const v = readU64(this.buf, this.pos, this.bigEndian);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Buffer {
    if (n < 0) throw new MalformedError(`negative length in ${this.what}`);
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A NUL-terminated string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new TruncatedError(this.what);
    const v = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return v;
  }
}

export function readU64(buf: Buffer, at: number, bigEndian: boolean): number {
  const hi = bigEndian ? u32(buf, at, true) : u32(buf, at + 4, false);
  const lo = bigEndian ? u32(buf, at + 4, true) : u32(buf, at, false);
  return hi * 0x100000000 + lo;
}

/**
 * The unsigned 32-bit word at `at` (the caller checked the bounds). Plain byte loads: in the
 * per-record paths V8 does not always inline `Buffer.readUInt32LE`, and a call costs more than
 * the read.
 */
export function u32(buf: Uint8Array, at: number, bigEndian: boolean): number {
  return i32(buf, at, bigEndian) >>> 0;
}

/** The signed 32-bit word at `at` (the caller checked the bounds). */
export function i32(buf: Uint8Array, at: number, bigEndian: boolean): number {
  return bigEndian ? i32be(buf, at) : i32le(buf, at);
}

/** The signed little-endian 32-bit word at `at`: no branch, small enough to be inlined in record loops. */
export function i32le(buf: Uint8Array, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24);
}

export function i32be(buf: Uint8Array, at: number): number {
  return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}

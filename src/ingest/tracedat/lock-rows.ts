import {
  CONTENTION_BEGIN,
  CONTENTION_END,
  LOCK_ACQUIRE,
  lockOpOf,
  OTHER_EVENT,
} from '../../model/event-columns.js';
import type { ColumnsBuilder } from '../columns-builder.js';
import { HOST_LE, i32, u32 } from './byte-reader.js';
import { NO_WORDS } from './cpu-stream.js';
import { cachedLatencyFlags, type EventDecoder, type FieldReader } from './event-decoder.js';
import type { FieldFormat } from './event-format.js';
import { NAME_SLOTS, NameSlots } from './name-slots.js';
import { flagTables } from './print-flags.js';

/** Slots of the direct-mapped pointer cache below (a pointer's slot is also its slot in NameSlots). */
const SLOTS = NAME_SLOTS;
/** Slots of the pid → task-name id cache (the tasks of a merged multi-CPU stream alternate). */
const PID_SLOTS = 1 << 10;

/**
 * Lock and contention records straight into EventColumns rows. Values come
 * from the same compiled field readers the TraceEvent path uses (so they are
 * the same strings), but only on a cache miss: string ids are cached by what
 * the record holds — pid, the flag bytes, the pointer's 64 bits, the name's
 * bytes — so a repeated value costs a few integer compares, not a string
 * decode and a Map lookup by string.
 */
export class LockRows {
  private readonly commIds = new Map<number, number>();
  /** Direct-mapped in front of `commIds`: slot `pid & (PID_SLOTS − 1)`; a slot starts with a pid that never maps to it. */
  private readonly pidKeys = Int32Array.from({ length: PID_SLOTS }, (_, s) => s + 1);
  private readonly pidComms = new Int32Array(PID_SLOTS);
  /** By `common_flags << 8 | common_preempt_count`; −2 = not yet seen. */
  private readonly flagIds = new Int32Array(1 << 16).fill(-2);
  /** By the string a field reader returned (on cache misses only). */
  private readonly textIds = new Map<string, number>();
  /** Pointer values → string id (direct-mapped: slot by the low bits). */
  private readonly ptrLo = new Int32Array(SLOTS);
  private readonly ptrHi = new Int32Array(SLOTS);
  private readonly ptrId = new Int32Array(SLOTS).fill(-1);
  /** `__data_loc` name bytes → string id, by pointer slot and by the bytes. */
  private readonly names = new NameSlots();

  constructor(private readonly builder: ColumnsBuilder) {}

  /** The row writer of a format, or null when its events are not lock or contention events. */
  rowsFor(decoder: EventDecoder, bigEndian: boolean): LockRowWriter | null {
    const op = lockOpOf(decoder.name);
    if (op === OTHER_EVENT) return null;
    const contention = op === CONTENTION_BEGIN || op === CONTENTION_END;
    const field = (name: string) => decoder.format.fields.find((f) => f.name === name) ?? null;
    const reader = (name: string) => decoder.readers.get(name) ?? null;
    const addr = contention ? 'lock_addr' : 'lockdep_addr';
    return new LockRowWriter(this, decoder, op, bigEndian, {
      addr: reader(addr),
      addrField: field(addr),
      name: contention ? null : reader('name'),
      nameField: contention ? null : field('name'),
      flags: op === LOCK_ACQUIRE || op === CONTENTION_BEGIN ? reader('flags') : null,
      flagsField: op === LOCK_ACQUIRE ? field('flags') : null,
      flagsRendered: flagTables(decoder.format.printFmt).has('flags'),
    });
  }

  /** Adds the row of a record, its time already in the builder's `nextTs`. */
  row(
    op: number,
    line: number,
    cpu: number,
    pid: number,
    decoder: EventDecoder,
    latencyKey: number,
    name: number,
    addr: number,
    arg: number,
  ): void {
    const slot = pid & (PID_SLOTS - 1);
    const comm = this.pidKeys[slot] === pid ? this.pidComms[slot]! : this.commId(pid, decoder);
    this.builder.addRow(op, line, cpu, pid, comm, this.flagsId(latencyKey), name, addr, arg);
  }

  /** The id of a string a field reader returned. */
  textId(text: string): number {
    let id = this.textIds.get(text);
    if (id === undefined) {
      id = this.builder.id(text);
      this.textIds.set(text, id);
    }
    return id;
  }

  /** The slot of the pointer `hi:lo` (also where the name last seen with it is kept). */
  pointerSlot(hi: number, lo: number): number {
    return (lo ^ (lo >>> 12) ^ hi) & (SLOTS - 1);
  }

  /** The cached id of the pointer `hi:lo` in its slot, or −1. */
  pointerHit(slot: number, hi: number, lo: number): number {
    return this.ptrId[slot]! >= 0 && this.ptrLo[slot] === (lo | 0) && this.ptrHi[slot] === (hi | 0)
      ? this.ptrId[slot]!
      : -1;
  }

  cachePointer(slot: number, hi: number, lo: number, id: number): void {
    this.ptrLo[slot] = lo;
    this.ptrHi[slot] = hi;
    this.ptrId[slot] = id;
  }

  /**
   * The cached id of the name bytes `buf[start, end)`, or −1: first in the slot of the
   * record's pointer (a lock keeps its name), then in the slot of the bytes' hash.
   */
  nameHit(ptrSlot: number, buf: Buffer, words: Int32Array, start: number, end: number): number {
    return end > start ? this.names.find(ptrSlot, buf, words, start, end) : -1;
  }

  cacheName(ptrSlot: number, buf: Buffer, start: number, end: number, id: number): void {
    this.names.store(ptrSlot, buf, start, end, id);
  }

  /** The id of the task name of `pid`, cached in its pid slot. */
  private commId(pid: number, decoder: EventDecoder): number {
    let id = this.commIds.get(pid);
    if (id === undefined) {
      id = this.builder.id(decoder.comm(pid));
      this.commIds.set(pid, id);
    }
    const slot = pid & (PID_SLOTS - 1);
    this.pidKeys[slot] = pid;
    this.pidComms[slot] = id;
    return id;
  }

  private flagsId(key: number): number {
    if (key < 0) return -1;
    let id = this.flagIds[key]!;
    if (id === -2) {
      id = this.builder.id(cachedLatencyFlags(key >> 8, key & 255));
      this.flagIds[key] = id;
    }
    return id;
  }
}

interface RowFields {
  addr: FieldReader | null;
  addrField: FieldFormat | null;
  name: FieldReader | null;
  nameField: FieldFormat | null;
  flags: FieldReader | null;
  flagsField: FieldFormat | null;
  /** The format prints `flags` through `__print_flags` (its reader gives text, not the number). */
  flagsRendered: boolean;
}

/** Writes the rows of one lock or contention event format. */
export class LockRowWriter {
  /** Where a 4- or 8-byte pointer field sits, or −1 (then the reader gives it). */
  private readonly ptrAt: number;
  private readonly ptrSize: number;
  /** Where a `__data_loc char[]` name field sits, or −1. */
  private readonly locAt: number;

  /**
   * The layout nearly every lock record has (little-endian, an 8-byte pointer, a `__data_loc`
   * name, for lock_acquire an int `flags`): `addCommon` reads it with inline byte loads, no
   * call per field. −1 when the format is another one; else the shortest record it can read.
   */
  private readonly commonMinLen: number;
  /** Where lock_acquire's int `flags` sits (its low byte holds the try/read bits), or −1. */
  private readonly argAt: number;
  /** The common layout's pid, pointer and `__data_loc` all sit on 4-byte boundaries, on a little-endian host. */
  private readonly wordLayout: boolean;

  constructor(
    private readonly rows: LockRows,
    private readonly decoder: EventDecoder,
    private readonly op: number,
    private readonly be: boolean,
    private readonly fields: RowFields,
  ) {
    const a = fields.addrField;
    this.ptrAt = a && a.kind === 'pointer' && (a.size === 4 || a.size === 8) ? a.offset : -1;
    this.ptrSize = a?.size ?? 0;
    const n = fields.nameField;
    this.locAt = n && n.kind === 'data-loc-string' ? n.offset : -1;
    const flags = fields.flagsField;
    this.argAt =
      flags && flags.kind === 'int' && flags.size <= 4 && !fields.flagsRendered ? flags.offset : -1;
    const { pidAt, flagsAt, preemptAt } = decoder;
    const common =
      !be &&
      this.ptrSize === 8 &&
      this.ptrAt >= 0 &&
      this.locAt >= 0 &&
      pidAt >= 0 &&
      flagsAt >= 0 &&
      preemptAt >= 0 &&
      op !== CONTENTION_BEGIN &&
      op !== CONTENTION_END &&
      (op !== LOCK_ACQUIRE || this.argAt >= 0);
    this.commonMinLen = common
      ? Math.max(pidAt + 4, this.ptrAt + 8, this.locAt + 4, flagsAt + 1, preemptAt + 1, this.argAt + 1)
      : -1;
    this.wordLayout = common && HOST_LE && ((pidAt | this.ptrAt | this.locAt) & 3) === 0;
  }

  /** The pointer slot of the record being written (−1 when its address is not a pointer field). */
  private slot = -1;

  /**
   * Writes the row of the record at `buf[off, off + len)`, its time already in the builder's
   * `nextTs`; `words` is `buf` as words, or empty (see CpuStream.words).
   */
  add(buf: Buffer, words: Int32Array, off: number, len: number, cpu: number, line: number): void {
    if (this.commonMinLen >= 0 && len >= this.commonMinLen) {
      this.addCommon(buf, words, off, len, cpu, line);
      return;
    }
    const { rows, decoder, op } = this;
    const pid = decoder.pid(buf, off, len);
    const addr = this.addrId(buf, off, len);
    let name = -1;
    let arg = 0;
    if (op === CONTENTION_BEGIN) {
      const flags = this.fields.flags === null ? null : this.fields.flags(buf, off, len);
      arg = rows.textId(typeof flags === 'string' ? flags : String(flags ?? ''));
    } else if (op !== CONTENTION_END) {
      name = this.nameId(buf, off, len, addr);
      if (op === LOCK_ACQUIRE) {
        const flags = this.fields.flags === null ? null : this.fields.flags(buf, off, len);
        arg = typeof flags === 'number' ? flags & 3 : 0;
      }
    }
    rows.row(op, line, cpu, pid, decoder, decoder.latencyKey(buf, off, len), name, addr, arg);
  }

  /** `add` for the common layout (see `commonMinLen`): the same row, every field read inline. */
  private addCommon(
    buf: Buffer,
    words: Int32Array,
    off: number,
    len: number,
    cpu: number,
    line: number,
  ): void {
    const { rows, decoder } = this;
    let pid: number;
    let lo: number;
    let hi: number;
    let loc: number;
    if (this.wordLayout && words.length > 0 && (off & 3) === 0) {
      // an aligned record in an aligned buffer: a load per word
      const w = off >> 2;
      pid = words[w + (decoder.pidAt >> 2)]!;
      lo = words[w + (this.ptrAt >> 2)]!;
      hi = words[w + (this.ptrAt >> 2) + 1]!;
      loc = words[w + (this.locAt >> 2)]! >>> 0;
    } else {
      // The words written out as byte loads (byte-reader.i32le): this method is past V8's inlining
      // budget, and the calls cost ~10% of the decoding thread (measured on the 394 MB capture).
      let p = off + decoder.pidAt;
      pid = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
      p = off + this.ptrAt;
      lo = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
      hi = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
      p = off + this.locAt;
      loc = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
    }
    const slot = rows.pointerSlot(hi, lo);
    this.slot = slot;
    let addr = rows.pointerHit(slot, hi, lo);
    if (addr < 0) {
      addr = rows.textId(String(this.fields.addr!(buf, off, len)));
      rows.cachePointer(slot, hi, lo, addr);
    }
    const start = off + (loc & 0xffff);
    const end = start + (loc >>> 16);
    let name = end <= off + len ? rows.nameHit(slot, buf, words, start, end) : -1;
    if (name < 0) name = this.nameId(buf, off, len, addr);
    const arg = this.argAt >= 0 ? buf[off + this.argAt]! & 3 : 0;
    const latency = (buf[off + decoder.flagsAt]! << 8) | buf[off + decoder.preemptAt]!;
    rows.row(this.op, line, cpu, pid, decoder, latency, name, addr, arg);
  }

  /** The address as a string id; contention events name '' when it is missing (as ColumnsBuilder.addEvent). */
  private addrId(buf: Buffer, off: number, len: number): number {
    const at = this.ptrAt;
    if (at >= 0 && at + this.ptrSize <= len) {
      const p = off + at;
      let hi = 0;
      let lo: number;
      if (this.ptrSize === 4) lo = i32(buf, p, this.be);
      else if (this.be) {
        hi = i32(buf, p, true);
        lo = i32(buf, p + 4, true);
      } else {
        lo = i32(buf, p, false);
        hi = i32(buf, p + 4, false);
      }
      const slot = this.rows.pointerSlot(hi, lo);
      this.slot = slot;
      const hit = this.rows.pointerHit(slot, hi, lo);
      if (hit >= 0) return hit;
      const id = this.rows.textId(String(this.fields.addr!(buf, off, len)));
      this.rows.cachePointer(slot, hi, lo, id);
      return id;
    }
    this.slot = -1;
    const raw = this.fields.addr === null ? null : this.fields.addr(buf, off, len);
    if (raw !== null) return this.rows.textId(String(raw));
    return this.op === CONTENTION_BEGIN || this.op === CONTENTION_END ? this.rows.textId('') : -1;
  }

  /** As lockNameOf: the printed name, else the address, else '(unnamed)'. */
  private nameId(buf: Buffer, off: number, len: number, addr: number): number {
    const at = this.locAt;
    let start = -1;
    let end = -1;
    if (at >= 0 && at + 4 <= len) {
      const v = u32(buf, off + at, this.be);
      start = off + (v & 0xffff);
      end = start + (v >>> 16);
      if (end > off + len) start = -1;
      else {
        const hit = this.rows.nameHit(this.slot, buf, NO_WORDS, start, end);
        if (hit >= 0) return hit;
      }
    }
    const text = this.fields.name === null ? null : this.fields.name(buf, off, len);
    if (typeof text !== 'string' || text === '') return addr >= 0 ? addr : this.rows.textId('(unnamed)');
    const id = this.rows.textId(text);
    if (start >= 0) this.rows.cacheName(this.slot, buf, start, end, id); // a name: the same for the same bytes
    return id;
  }
}

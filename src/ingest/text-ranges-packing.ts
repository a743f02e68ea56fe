import type { TraceEvent } from '../model/trace-event.js';

/**
 * The `others` of an EventColumns batch (events other than lock events: the
 * shrinker, reclaim, GPU... events, ~20% of a lab trace) packed into typed
 * arrays and a few strings, to cross from a worker thread to the reading
 * thread. A structured clone of the event objects costs 3–5 µs per event on
 * the receiving side, more than parsing them; unpacking these costs a few
 * hundred ns. Repeated strings (comms, names, flags, field names and short
 * field values) are ids into one table per stream, sent once (`newStrings`).
 */
export interface PackedEvents {
  count: number;
  /** Per event: line, ts, cpu, pid, tgid (NaN for null). */
  num: Float64Array;
  /** Per event: comm, flags (-1: null), system (-1: null), name, shape (the field names) as string ids. */
  ids: Int32Array;
  /**
   * The payloads' UTF-8 bytes, back to back; event i's end at payloadEnd[i]. Bytes, not one
   * joined string: that string is often over 128 KiB, a large object (old generation at once,
   * freed only by a full collection), kept alive by every payload sliced from it. With the
   * payloads left out altogether the reading thread promoted 13 MB instead of 43 MB per 200 MB
   * of the lab mix (--trace-gc-nvp); bytes transferred die with their batch.
   */
  payloads: Uint8Array;
  payloadEnd: Int32Array;
  /** Every payload byte is ASCII (unpacked with the cheaper latin1 decoder then). */
  ascii: boolean;
  /** Per field value: its type (see TAG_*), and its number or string id (`raw` values in order). */
  tags: Uint8Array;
  values: Float64Array;
  raw: string[];
  newStrings: string[];
}

const TAG_NUMBER = 0;
const TAG_STRING = 1;
const TAG_RAW = 2;
const TAG_TRUE = 3;
const TAG_FALSE = 4;
const TAG_NULL = 5;
/** Field values longer than this travel as they are (not interned). */
const MAX_INTERNED_VALUE = 96;
/** Strings a stream interns at most (then values travel as they are; names and comms still interned). */
const MAX_INTERNED = 100_000;
const SHAPE_SEPARATOR = '\u0001';

/** The worker side: one string table per stream. */
export class EventPacker {
  private readonly ids = new Map<string, number>();
  private newStrings: string[] = [];
  /** Per event name id: its last field names and their shape id. */
  private readonly shapes: ({ keys: string[]; id: number } | undefined)[] = [];

  private id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.newStrings.push(s);
    }
    return id;
  }

  /** A value id when it is short and the table has room, else -1 (sent as it is). */
  private valueId(s: string): number {
    const id = this.ids.get(s);
    if (id !== undefined) return id;
    if (s.length > MAX_INTERNED_VALUE || this.ids.size >= MAX_INTERNED) return -1;
    return this.id(s);
  }

  /** The field names of an event name's last fields object and their shape id (compared, not joined, per event). */
  private shape(nameId: number, keys: string[]): number {
    const last = this.shapes[nameId];
    if (last !== undefined && last.keys.length === keys.length) {
      let same = true;
      for (let i = 0; i < keys.length && same; i++) same = keys[i] === last.keys[i];
      if (same) return last.id;
    }
    const id = this.id(keys.join(SHAPE_SEPARATOR));
    this.shapes[nameId] = { keys, id };
    return id;
  }

  /** Per shape and field (the first 8): the string value it last had, and its id. */
  private readonly lastValues: (string | undefined)[] = [];
  private readonly lastValueIds: number[] = [];

  /** Ids of the strings last seen per column (the parser shares its strings: mostly one comparison). */
  private last: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  private lastIds = [-1, -1, -1, -1];

  private cachedId(column: number, s: string): number {
    if (s === this.last[column]) return this.lastIds[column]!;
    const id = this.id(s);
    this.last[column] = s;
    this.lastIds[column] = id;
    return id;
  }

  /** The events added since the last `take`, as typed arrays (grown by doubling). */
  private count = 0;
  private num = new Float64Array(5 * 256);
  private eventIds = new Int32Array(5 * 256);
  private payloadEnd = new Int32Array(256);
  private payloads = new Uint8Array(256 * 64);
  private payloadBytes = Buffer.from(this.payloads.buffer);
  private size = 0;
  private chars = 0;
  private tags: number[] = [];
  private values: number[] = [];
  private raw: string[] = [];

  /** The events of one batch at once (`add` each, then `take`). */
  pack(events: readonly TraceEvent[]): PackedEvents {
    for (const ev of events) this.add(ev);
    return this.take();
  }

  /**
   * Packs one event now: a worker adds each as the parser makes it, so the object dies young
   * instead of waiting in its batch (a batch fills over megabytes of input: its events were
   * promoted, and the worker's old generation grew by ~15 MB between full collections).
   */
  add(ev: TraceEvent): void {
    const i = this.count++;
    if (i === this.payloadEnd.length) this.grow();
    const o = i * 5;
    const num = this.num;
    const ids = this.eventIds;
    num[o] = ev.line;
    num[o + 1] = ev.ts;
    num[o + 2] = ev.cpu;
    num[o + 3] = ev.pid;
    num[o + 4] = ev.tgid ?? Number.NaN;
    ids[o] = this.cachedId(0, ev.comm);
    ids[o + 1] = ev.flags === null ? -1 : this.cachedId(1, ev.flags);
    ids[o + 2] = ev.system === null ? -1 : this.cachedId(2, ev.system);
    ids[o + 3] = this.cachedId(3, ev.name);
    const { tags, values, raw } = this;
    const fields = ev.fields;
    const keys = Object.keys(fields);
    const shape = this.shape(ids[o + 3]!, keys);
    ids[o + 4] = shape;
    for (let k = 0; k < keys.length; k++) {
      const x = fields[keys[k]!];
      if (typeof x === 'number') {
        tags.push(TAG_NUMBER);
        values.push(x);
      } else if (typeof x === 'string') {
        // the value this field of this shape last had (a comparison, no hash), else the table
        const slot = shape * 8 + k;
        let id: number;
        if (k < 8 && this.lastValues[slot] === x) id = this.lastValueIds[slot]!;
        else {
          id = this.valueId(x);
          if (k < 8 && id >= 0) {
            this.lastValues[slot] = x;
            this.lastValueIds[slot] = id;
          }
        }
        if (id >= 0) {
          tags.push(TAG_STRING);
          values.push(id);
        } else {
          tags.push(TAG_RAW);
          values.push(raw.length);
          raw.push(x);
        }
      } else {
        tags.push(x === true ? TAG_TRUE : x === false ? TAG_FALSE : TAG_NULL);
        values.push(0);
      }
    }
    const payload = ev.payload;
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (this.size + bytes > this.payloads.length) this.growPayloads(this.size + bytes);
    this.size += this.payloadBytes.write(payload, this.size, 'utf8');
    this.chars += payload.length;
    this.payloadEnd[i] = this.size;
  }

  /** The events added since the last take, packed (their arrays handed over: new ones are started). */
  take(): PackedEvents {
    const n = this.count;
    const packed: PackedEvents = {
      count: n,
      num: this.num,
      ids: this.eventIds,
      payloads: this.payloads,
      payloadEnd: this.payloadEnd,
      ascii: this.chars === this.size,
      tags: Uint8Array.from(this.tags),
      values: Float64Array.from(this.values),
      raw: this.raw,
      newStrings: this.newStrings,
    };
    const events = Math.max(256, n);
    this.count = 0;
    this.num = new Float64Array(5 * events);
    this.eventIds = new Int32Array(5 * events);
    this.payloadEnd = new Int32Array(events);
    // not Buffer.allocUnsafe: a small one is a slice of a shared pool, which must not be transferred
    this.payloads = new Uint8Array(Math.max(this.payloads.length, 4096));
    this.payloadBytes = Buffer.from(this.payloads.buffer);
    this.size = 0;
    this.chars = 0;
    this.tags = [];
    this.values = [];
    this.raw = [];
    this.newStrings = [];
    return packed;
  }

  private grow(): void {
    const n = this.payloadEnd.length * 2;
    const num = new Float64Array(5 * n);
    num.set(this.num);
    this.num = num;
    const ids = new Int32Array(5 * n);
    ids.set(this.eventIds);
    this.eventIds = ids;
    const ends = new Int32Array(n);
    ends.set(this.payloadEnd);
    this.payloadEnd = ends;
  }

  private growPayloads(atLeast: number): void {
    const bytes = new Uint8Array(Math.max(atLeast, this.payloads.length * 2));
    bytes.set(this.payloads.subarray(0, this.size));
    this.payloads = bytes;
    this.payloadBytes = Buffer.from(bytes.buffer);
  }
}

/** The buffers of packed events, to transfer them. */
export function packedBuffers(p: PackedEvents): ArrayBuffer[] {
  return [p.num, p.ids, p.payloads, p.payloadEnd, p.tags, p.values].map((a) => a.buffer as ArrayBuffer);
}

/** The reading side of one stream: its strings, and the field names of each shape. */
export class EventUnpacker {
  private readonly strings: string[] = [];
  private readonly shapes: (string[] | undefined)[] = [];

  /** Takes the strings a packed batch introduced, without making its events (a range read again elsewhere). */
  absorb(p: PackedEvents): void {
    for (const s of p.newStrings) this.strings.push(s);
  }

  unpack(p: PackedEvents): TraceEvent[] {
    this.absorb(p);
    const strings = this.strings;
    const out = new Array<TraceEvent>(p.count);
    const { num, ids, tags, values, raw, payloadEnd } = p;
    const payloads = Buffer.from(p.payloads.buffer, p.payloads.byteOffset, p.payloads.byteLength);
    const encoding = p.ascii ? 'latin1' : 'utf8';
    let v = 0;
    let start = 0;
    for (let i = 0; i < p.count; i++) {
      const shapeId = ids[i * 5 + 4]!;
      let keys = this.shapes[shapeId];
      if (keys === undefined) {
        const joined = strings[shapeId]!;
        keys = joined === '' ? [] : joined.split(SHAPE_SEPARATOR);
        this.shapes[shapeId] = keys;
      }
      const fields: TraceEvent['fields'] = {};
      for (const k of keys) {
        const tag = tags[v]!;
        fields[k] =
          tag === TAG_NUMBER
            ? values[v]!
            : tag === TAG_STRING
              ? strings[values[v]!]!
              : tag === TAG_RAW
                ? raw[values[v]!]!
                : tag === TAG_TRUE
                  ? true
                  : tag === TAG_FALSE
                    ? false
                    : null;
        v++;
      }
      const flags = ids[i * 5 + 1]!;
      const system = ids[i * 5 + 2]!;
      const tgid = num[i * 5 + 4]!;
      const end = payloadEnd[i]!;
      out[i] = {
        line: num[i * 5]!,
        ts: num[i * 5 + 1]!,
        cpu: num[i * 5 + 2]!,
        pid: num[i * 5 + 3]!,
        tgid: Number.isNaN(tgid) ? null : tgid,
        comm: strings[ids[i * 5]!]!,
        flags: flags < 0 ? null : strings[flags]!,
        system: system < 0 ? null : strings[system]!,
        name: strings[ids[i * 5 + 3]!]!,
        payload: payloads.toString(encoding, start, end),
        fields,
      };
      start = end;
    }
    return out;
  }
}

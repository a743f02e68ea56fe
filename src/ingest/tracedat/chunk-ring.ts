import { type FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import {
  type ChunkHead,
  type ChunkInflater,
  type ChunkSource,
  readChunkCount,
  readChunkHead,
} from './chunk-source.js';
import type { CpuData } from './metadata.js';

/**
 * Decompressed v7 chunks handed from a decompressing thread to the thread that
 * decodes records, through shared memory: per CPU a ring of slots, chunk k in
 * slot k mod SLOTS. Either thread may take a ring's next chunk: it claims it
 * under the ring's lock (reading its head from the file: the head says where
 * the next one starts), then decompresses it outside the lock. The
 * decompressing thread (RingFiller) claims every chunk that has a free slot;
 * the decoding thread (RingChunks) claims the chunk it needs when nobody has
 * yet, rather than sleep until the decompressing thread gets a core. The
 * consumer reads a chunk in place (no copy) and frees its slot when it asks for
 * the next one.
 *
 * Layout: Int32 control words — a pulse (bumped each time a consumer has freed
 * a quarter of its ring, so the producer can sleep until a ring has room), then
 * per ring [claimed, freed, lock, chunk count, failed at, error kind, per slot
 * the chunk it holds + 1, per slot its length] — then per ring Float64 words
 * [where the next head is, per slot a too-big chunk's head], then per ring an
 * error message, then the slots' bytes.
 */
/**
 * Slots per ring: enough decompressed data (64 chunks of ~10 pages, ~2.6 MB) for the decoding
 * thread to go on through a few scheduler time slices while the decompressing thread waits for
 * a core. With the wake at every quarter, 64 slots measured x0.956 wall against 32 on the 394 MB
 * capture, 128 x0.987 against 64 at up to 15 MB more RSS (6 paired runs each).
 */
export const RING_SLOTS = 64;
const SLOTS = RING_SLOTS;
const QUARTER = SLOTS / 4;
// a ring's control words
const CLAIMED = 0;
const FREED = 1;
const LOCK = 2;
const COUNT = 3;
const FAILED_AT = 4;
const ERROR_KIND = 5;
const HOLDS = 6;
const LENGTH = HOLDS + SLOTS;
const RING_WORDS = LENGTH + SLOTS;
// a ring's Float64 words: the next head's place, then per slot a too-big chunk's head
const RING_DOUBLES = 1 + 3 * SLOTS;
const MESSAGE_BYTES = 512;
/** A slot length that says: this chunk was too big for a slot; its head is kept for the consumer. */
const TOO_BIG = -1;

export interface ChunkRingLayout {
  buffer: SharedArrayBuffer;
  rings: number;
  slotSize: number;
}

/** Int32 words of the control block (even: the doubles after it stay aligned). */
function controlWords(rings: number): number {
  const n = 1 + rings * RING_WORDS;
  return n + (n & 1);
}

function doublesAt(rings: number): number {
  return 4 * controlWords(rings);
}

function messagesAt(rings: number): number {
  return doublesAt(rings) + 8 * rings * RING_DOUBLES;
}

function slotsAt(rings: number): number {
  return messagesAt(rings) + rings * MESSAGE_BYTES;
}

/** Rings with slots of at least `size` bytes (a multiple of 8: chunks start on word boundaries). */
export function createChunkRings(rings: number, size: number): ChunkRingLayout {
  const slotSize = Math.max(8, Math.ceil(size / 8) * 8);
  const buffer = new SharedArrayBuffer(slotsAt(rings) + rings * SLOTS * slotSize);
  const words = new Int32Array(buffer, 0, controlWords(rings));
  for (let r = 0; r < rings; r++) {
    words[1 + r * RING_WORDS + COUNT] = -1;
    words[1 + r * RING_WORDS + FAILED_AT] = -1;
  }
  return { buffer, rings, slotSize };
}

/** A claimed chunk: its index in the ring and its head. */
interface Claim extends ChunkHead {
  k: number;
}

/** What both sides of a ring need to take chunks from its CPU's data. */
export interface RingSource {
  file: FileSource;
  data: CpuData;
  bigEndian: boolean;
  inflate: ChunkInflater;
}

/** Ring `r` as either side sees it: claiming a chunk, filling its slot, a failure's record. */
class RingSide {
  protected readonly words: Int32Array;
  private readonly doubles: Float64Array;
  private readonly bytes: Uint8Array;
  /** This ring's first control word, first double, message and first slot. */
  protected readonly base: number;
  private readonly doubleBase: number;
  private readonly messageAt: number;
  private readonly slotBase: number;

  constructor(
    protected readonly layout: ChunkRingLayout,
    r: number,
    private readonly source: RingSource,
  ) {
    const { buffer, rings } = layout;
    this.words = new Int32Array(buffer, 0, controlWords(rings));
    this.doubles = new Float64Array(buffer, doublesAt(rings), rings * RING_DOUBLES);
    this.bytes = new Uint8Array(buffer);
    this.base = 1 + r * RING_WORDS;
    this.doubleBase = r * RING_DOUBLES;
    this.messageAt = messagesAt(rings) + r * MESSAGE_BYTES;
    this.slotBase = slotsAt(rings) + r * SLOTS * layout.slotSize;
  }

  protected word(w: number): number {
    return Atomics.load(this.words, this.base + w);
  }

  /**
   * Claims the ring's next chunk if it is chunk `only` (−1: whichever is next, if its slot is
   * free); null when there is none to take. A head that cannot be read fails the ring there.
   */
  protected claim(only: number): Claim | null {
    const w = this.words;
    this.lock();
    const k = w[this.base + CLAIMED]!;
    try {
      if (w[this.base + FAILED_AT]! >= 0) return null;
      if (only >= 0 ? k !== only : k - Atomics.load(w, this.base + FREED) >= SLOTS) return null;
      const { file, data, bigEndian } = this.source;
      const next = this.doubleBase;
      if (w[this.base + COUNT]! < 0) {
        const count = readChunkCount(file, data, bigEndian);
        this.doubles[next] = data.offset + 4;
        Atomics.store(w, this.base + COUNT, count);
      }
      if (k >= w[this.base + COUNT]!) return null;
      const claim = { k, ...readChunkHead(file, this.doubles[next]!, bigEndian) };
      this.doubles[next] = claim.at + claim.csize;
      Atomics.store(w, this.base + CLAIMED, k + 1);
      return claim;
    } catch (error) {
      this.record(k, error as Error);
      return null;
    } finally {
      this.unlock();
    }
  }

  private lock(): void {
    const at = this.base + LOCK;
    while (Atomics.compareExchange(this.words, at, 0, 1) !== 0) Atomics.wait(this.words, at, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.words, this.base + LOCK, 0);
    Atomics.notify(this.words, this.base + LOCK, 1);
  }

  /**
   * Decompresses a claimed chunk into its slot and returns its length; a chunk too big for a
   * slot keeps only its head there (TOO_BIG: the consumer reads it itself).
   */
  protected fill(c: Claim): number {
    const slot = c.k % SLOTS;
    if (c.usize > this.layout.slotSize) {
      const d = this.doubleBase + 1 + 3 * slot;
      this.doubles[d] = c.at;
      this.doubles[d + 1] = c.csize;
      this.doubles[d + 2] = c.usize;
      return TOO_BIG;
    }
    return this.source.inflate(this.source.file, c, this.bytes, this.slotAt(slot));
  }

  protected slotAt(slot: number): number {
    return this.slotBase + slot * this.layout.slotSize;
  }

  /** The head of the too-big chunk of `slot`. */
  protected bigHead(slot: number): ChunkHead {
    const d = this.doubleBase + 1 + 3 * slot;
    return { at: this.doubles[d]!, csize: this.doubles[d + 1]!, usize: this.doubles[d + 2]! };
  }

  /** Ends the ring at chunk `k` (a chunk that did not decompress) with an error the consumer rethrows there. */
  protected fail(k: number, error: Error): void {
    this.lock();
    try {
      this.record(k, error);
    } finally {
      this.unlock();
    }
  }

  /** `fail` with the lock held (the earliest chunk's error wins; kinds: 1 truncated, 2 malformed, 3 other). */
  private record(k: number, error: Error): void {
    const w = this.words;
    const failedAt = Atomics.load(w, this.base + FAILED_AT);
    if (failedAt >= 0 && failedAt <= k) return;
    const kind = error instanceof TruncatedError ? 1 : error instanceof MalformedError ? 2 : 3;
    const text = Buffer.from(error.message).subarray(0, MESSAGE_BYTES - 4);
    new DataView(this.layout.buffer).setInt32(this.messageAt, text.length, true);
    this.bytes.set(text, this.messageAt + 4);
    w[this.base + ERROR_KIND] = kind;
    Atomics.store(w, this.base + FAILED_AT, k);
    Atomics.notify(w, this.base + HOLDS + (k % SLOTS));
  }

  /** The error that failed the ring, rebuilt. */
  protected failure(): Error {
    const at = this.messageAt;
    const length = new DataView(this.layout.buffer).getInt32(at, true);
    const message = Buffer.from(this.bytes.subarray(at + 4, at + 4 + length)).toString();
    const kind = this.words[this.base + ERROR_KIND];
    if (kind === 1) {
      const e = new TruncatedError('');
      e.message = message;
      return e;
    }
    return kind === 2 ? new MalformedError(message) : new Error(message);
  }
}

/** The producer side of one ring (the decompressing thread). */
export class RingFiller extends RingSide {
  /** Nothing left to claim: every chunk is claimed, or the ring failed. */
  get exhausted(): boolean {
    const count = this.word(COUNT);
    return this.word(FAILED_AT) >= 0 || (count >= 0 && this.word(CLAIMED) >= count);
  }

  /** Claims the next chunk if its slot is free and puts it there; false when there was none to take. */
  fillNext(): boolean {
    const c = this.claim(-1);
    if (c === null) return false;
    let length: number;
    try {
      length = this.fill(c);
    } catch (error) {
      this.fail(c.k, error as Error);
      return true;
    }
    const w = this.words;
    const slot = c.k % SLOTS;
    w[this.base + LENGTH + slot] = length;
    Atomics.store(w, this.base + HOLDS + slot, c.k + 1);
    Atomics.notify(w, this.base + HOLDS + slot);
    return true;
  }
}

/** The pulse consumers bump as they free slots: the producer reads it, then sleeps until it moves. */
export class RingPulse {
  private readonly words: Int32Array;

  constructor(layout: ChunkRingLayout) {
    this.words = new Int32Array(layout.buffer, 0, 1);
  }

  /** The value to wait on (read it before looking for room). */
  read(): number {
    return Atomics.load(this.words, 0);
  }

  /** Sleeps until a consumer has freed slots (the pulse moves from `seen`). */
  wait(seen: number): void {
    Atomics.wait(this.words, 0, seen, 1000);
  }
}

/**
 * The consumer side: ring `r` as a ChunkSource. A chunk nobody has claimed yet
 * is claimed and decompressed here (on the 394 MB capture ~60 of its ~60 000
 * chunks, each one a stall of up to 6 ms avoided: x0.934 wall, 8 paired runs);
 * one too big for a slot is read with `readItself`.
 */
export class RingChunks extends RingSide implements ChunkSource {
  /** The chunk `next` returns next. */
  private k = 0;
  /** A slot is being read in place (freed on the next call). */
  private holding = false;

  constructor(
    layout: ChunkRingLayout,
    r: number,
    source: RingSource,
    private readonly readItself: (head: ChunkHead) => Buffer,
  ) {
    super(layout, r, source);
  }

  next(): Buffer {
    const w = this.words;
    if (this.holding) {
      this.holding = false;
      Atomics.store(w, this.base + FREED, this.k);
      // wake the producer each time a quarter of the ring has been freed (not per slot: it refills in runs)
      if (this.k % QUARTER === 0) {
        Atomics.add(w, 0, 1);
        Atomics.notify(w, 0);
      }
    }
    const k = this.k;
    const slot = k % SLOTS;
    const holds = this.base + HOLDS + slot;
    for (;;) {
      const held = Atomics.load(w, holds);
      if (held === k + 1) return this.take(slot, w[this.base + LENGTH + slot]!);
      if (this.word(FAILED_AT) === k) throw this.failure();
      const count = this.word(COUNT);
      if (count >= 0 && k >= count) return Buffer.alloc(0);
      if (this.word(CLAIMED) === k) {
        // nobody has it: take it here rather than wait for the producer
        const c = this.claim(k);
        if (c === null) continue; // the producer was first, or the ring ended or failed
        let length: number;
        try {
          length = this.fill(c);
        } catch (error) {
          this.fail(k, error as Error);
          throw error;
        }
        return this.take(slot, length);
      }
      Atomics.wait(w, holds, held, 1000); // the producer has it in hand
    }
  }

  private take(slot: number, length: number): Buffer {
    this.holding = true;
    this.k++;
    if (length === TOO_BIG) return this.readItself(this.bigHead(slot));
    return Buffer.from(this.layout.buffer, this.slotAt(slot), length);
  }
}

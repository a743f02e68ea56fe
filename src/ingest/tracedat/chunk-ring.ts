import { MalformedError, TruncatedError } from './byte-reader.js';
import type { ChunkHead, ChunkSource } from './chunk-source.js';

/**
 * Decompressed v7 chunks handed from a decompressing thread to the thread that
 * decodes records, through shared memory: per CPU a single-producer
 * single-consumer ring of slots, with Atomics for the waiting. The consumer
 * reads a chunk in place (no copy) and frees its slot when it asks for the
 * next one.
 *
 * Layout: a control block of Int32 words — a pulse (bumped each time a
 * consumer has freed a quarter of its ring, so the producer can sleep until a ring has room),
 * then per ring [written, read, state, error kind, slot lengths…] — then the
 * error messages, then the slots' bytes.
 */
/**
 * Slots per ring: enough decompressed data (64 chunks of ~10 pages, ~2.6 MB) for the decoding
 * thread to go on through a few scheduler time slices while the decompressing thread waits for
 * a core (three threads share two cores here). With the wake at every quarter (see
 * RingChunks.next), 64 slots measured x0.956 wall against 32 on the 394 MB capture, 128 x0.987
 * against 64 at up to 15 MB more RSS (6 paired runs each).
 */
export const RING_SLOTS = 64;
const SLOTS = RING_SLOTS;
const RING_WORDS = 4 + SLOTS;
const MESSAGE_BYTES = 512;
/** Ring states (0: running). */
const ENDED = 1;
const FAILED = 2;
/** A slot length that says: this chunk was too big for a slot; the slot holds its ChunkHead. */
const TOO_BIG = -1;

export interface ChunkRingLayout {
  buffer: SharedArrayBuffer;
  rings: number;
  slotSize: number;
}

/** Rings with slots of at least `size` bytes (and 16: a slot may hold a ChunkHead). */
export function createChunkRings(rings: number, size: number): ChunkRingLayout {
  const slotSize = Math.max(16, size);
  const control = 4 * (1 + rings * RING_WORDS);
  const bytes = control + rings * MESSAGE_BYTES + rings * SLOTS * slotSize;
  return { buffer: new SharedArrayBuffer(bytes), rings, slotSize };
}

class RingView {
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  private readonly controlBytes: number;

  constructor(readonly layout: ChunkRingLayout) {
    this.words = new Int32Array(layout.buffer, 0, 1 + layout.rings * RING_WORDS);
    this.bytes = new Uint8Array(layout.buffer);
    this.controlBytes = 4 * (1 + layout.rings * RING_WORDS);
  }

  /** Index of ring `r`'s word `w` (0 written, 1 read, 2 state, 3 error kind, 4… slot lengths). */
  word(r: number, w: number): number {
    return 1 + r * RING_WORDS + w;
  }

  messageAt(r: number): number {
    return this.controlBytes + r * MESSAGE_BYTES;
  }

  slotAt(r: number, slot: number): number {
    return this.controlBytes + this.layout.rings * MESSAGE_BYTES + (r * SLOTS + slot) * this.layout.slotSize;
  }
}

/** The producer side (the decompressing thread). */
export class ChunkRingWriter extends RingView {
  /** True when ring `r` has a free slot. */
  hasRoom(r: number): boolean {
    const w = this.words;
    return Atomics.load(w, this.word(r, 0)) - Atomics.load(w, this.word(r, 1)) < SLOTS;
  }

  /** The pulse value to wait on before sleeping (read it before checking for room). */
  pulse(): number {
    return Atomics.load(this.words, 0);
  }

  /** Sleeps until a consumer has freed slots (the pulse moves from `seen`). */
  waitForRoom(seen: number): void {
    Atomics.wait(this.words, 0, seen, 1000);
  }

  /** Whether a chunk of `usize` bytes fits a slot (else `putHead` hands the reading over). */
  fits(usize: number): boolean {
    return usize <= this.layout.slotSize;
  }

  /** Puts into ring `r` (which has room) the chunk `fill` writes at the given place of `bytes`, returning its length. */
  putWith(r: number, fill: (bytes: Uint8Array, at: number) => number): void {
    const slot = this.nextSlot(r);
    this.publish(r, slot, fill(this.bytes, this.slotAt(r, slot)));
  }

  /** Puts the head of a chunk too big for a slot: the consumer reads that one itself. */
  putHead(r: number, head: ChunkHead): void {
    const slot = this.nextSlot(r);
    const view = new DataView(this.layout.buffer, this.slotAt(r, slot), 16);
    view.setFloat64(0, head.at, true);
    view.setUint32(8, head.csize, true);
    view.setUint32(12, head.usize, true);
    this.publish(r, slot, TOO_BIG);
  }

  private nextSlot(r: number): number {
    return Atomics.load(this.words, this.word(r, 0)) % SLOTS;
  }

  private publish(r: number, slot: number, length: number): void {
    const w = this.words;
    w[this.word(r, 4 + slot)] = length;
    Atomics.add(w, this.word(r, 0), 1);
    Atomics.notify(w, this.word(r, 0));
  }

  end(r: number): void {
    Atomics.store(this.words, this.word(r, 2), ENDED);
    Atomics.notify(this.words, this.word(r, 0));
  }

  /** Ends ring `r` with an error the consumer rethrows (1 = truncated, 2 = malformed, 3 = other). */
  fail(r: number, error: Error): void {
    const kind = error instanceof TruncatedError ? 1 : error instanceof MalformedError ? 2 : 3;
    const text = Buffer.from(error.message).subarray(0, MESSAGE_BYTES - 4);
    const at = this.messageAt(r);
    new DataView(this.layout.buffer).setInt32(at, text.length, true);
    this.bytes.set(text, at + 4);
    this.words[this.word(r, 3)] = kind;
    Atomics.store(this.words, this.word(r, 2), FAILED);
    Atomics.notify(this.words, this.word(r, 0));
  }
}

/**
 * The consumer side: ring `r` as a ChunkSource. A chunk too big for a slot is
 * read with `readItself` (the consumer's own file read + decompression).
 */
export class RingChunks extends RingView implements ChunkSource {
  private holding = false;

  constructor(
    layout: ChunkRingLayout,
    private readonly r: number,
    private readonly readItself: (head: ChunkHead) => Buffer,
  ) {
    super(layout);
  }

  next(): Buffer {
    const w = this.words;
    const writtenAt = this.word(this.r, 0);
    const readAt = this.word(this.r, 1);
    if (this.holding) {
      const freed = Atomics.load(w, readAt) + 1;
      Atomics.store(w, readAt, freed);
      // wake the producer each time a quarter of the ring has been freed (not per slot: it refills
      // in runs). With three threads on two cores a woken producer may wait ~2 ms for a core, and
      // rings still run dry (~400 times on the 394 MB capture); a wake at every quarter rather
      // than at half empty measured x0.972 wall there (6 paired runs).
      if ((Atomics.load(w, writtenAt) - freed) % (SLOTS / 4) === 0) {
        Atomics.add(w, 0, 1);
        Atomics.notify(w, 0);
      }
      this.holding = false;
    }
    const read = Atomics.load(w, readAt);
    for (;;) {
      const written = Atomics.load(w, writtenAt);
      if (written > read) break;
      const state = Atomics.load(w, this.word(this.r, 2));
      if (state === ENDED && Atomics.load(w, writtenAt) === read) return Buffer.alloc(0);
      if (state === FAILED && Atomics.load(w, writtenAt) === read) throw this.failure();
      Atomics.wait(w, writtenAt, written, 1000);
    }
    const slot = read % SLOTS;
    this.holding = true;
    const length = w[this.word(this.r, 4 + slot)]!;
    if (length === TOO_BIG) {
      const view = new DataView(this.layout.buffer, this.slotAt(this.r, slot), 16);
      return this.readItself({
        at: view.getFloat64(0, true),
        csize: view.getUint32(8, true),
        usize: view.getUint32(12, true),
      });
    }
    return Buffer.from(this.layout.buffer, this.slotAt(this.r, slot), length);
  }

  private failure(): Error {
    const at = this.messageAt(this.r);
    const length = new DataView(this.layout.buffer).getInt32(at, true);
    const message = Buffer.from(this.bytes.subarray(at + 4, at + 4 + length)).toString();
    const kind = this.words[this.word(this.r, 3)];
    if (kind === 1) {
      const e = new TruncatedError('');
      e.message = message;
      return e;
    }
    return kind === 2 ? new MalformedError(message) : new Error(message);
  }
}

import { describe, expect, it } from 'vitest';
import { TruncatedError } from '../../../src/ingest/tracedat/byte-reader.js';
import {
  ChunkRingWriter,
  createChunkRings,
  RING_SLOTS,
  RingChunks,
} from '../../../src/ingest/tracedat/chunk-ring.js';
import type { ChunkHead } from '../../../src/ingest/tracedat/chunk-source.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

/** A chunk copied into ring `r`'s next slot. */
function put(writer: ChunkRingWriter, r: number, chunk: Uint8Array): void {
  writer.putWith(r, (into, at) => {
    into.set(chunk, at);
    return chunk.length;
  });
}

describe('chunk rings (decompressed v7 chunks between threads)', () => {
  it('hands over chunks in order per ring, a too-big one by its head, then the end', () => {
    const layout = createChunkRings(2, 4);
    const writer = new ChunkRingWriter(layout);
    const asked: ChunkHead[] = [];
    const ring0 = new RingChunks(layout, 0, (head) => {
      asked.push(head);
      return Buffer.from('big');
    });
    const ring1 = new RingChunks(layout, 1, () => Buffer.alloc(0));
    put(writer, 0, bytes(1, 2, 3));
    put(writer, 1, bytes(9));
    expect([writer.fits(16), writer.fits(17)]).toEqual([true, false]); // slots hold at least a ChunkHead
    writer.putHead(0, { at: 5_000_000_123, csize: 77, usize: 17 });
    put(writer, 0, bytes(4));
    writer.end(0);
    writer.end(1);
    expect([...ring0.next()]).toEqual([1, 2, 3]);
    expect([...ring1.next()]).toEqual([9]);
    expect(ring0.next().toString()).toBe('big');
    expect(asked).toEqual([{ at: 5_000_000_123, csize: 77, usize: 17 }]);
    expect([...ring0.next()]).toEqual([4]);
    expect(ring0.next().length).toBe(0);
    expect(ring1.next().length).toBe(0);
  });

  it('reuses slots once the consumer moved on, and says when a ring has no room', () => {
    const layout = createChunkRings(1, 16);
    const writer = new ChunkRingWriter(layout);
    const ring = new RingChunks(layout, 0, () => Buffer.alloc(0));
    for (let i = 0; i < RING_SLOTS; i++) put(writer, 0, bytes(i));
    expect(writer.hasRoom(0)).toBe(false);
    expect([...ring.next()]).toEqual([0]);
    expect(writer.hasRoom(0)).toBe(false); // the consumer still reads slot 0 in place
    expect([...ring.next()]).toEqual([1]);
    expect(writer.hasRoom(0)).toBe(true);
    put(writer, 0, bytes(RING_SLOTS));
    for (let i = 2; i <= RING_SLOTS; i++) expect([...ring.next()]).toEqual([i]);
  });

  it('wakes the producer each time the consumer has freed a quarter of a full ring', () => {
    const layout = createChunkRings(1, 16);
    const writer = new ChunkRingWriter(layout);
    const ring = new RingChunks(layout, 0, () => Buffer.alloc(0));
    for (let i = 0; i < RING_SLOTS; i++) put(writer, 0, bytes(i));
    const pulses: number[] = [];
    // a slot is freed when the consumer asks for the next chunk: read n + 1 chunks to free n
    for (let read = 1; read <= RING_SLOTS; read++) {
      ring.next();
      pulses.push(writer.pulse());
    }
    const quarter = RING_SLOTS / 4;
    expect(pulses.indexOf(1)).toBe(quarter); // after `quarter` slots were freed
    expect(pulses.indexOf(2)).toBe(2 * quarter);
    expect(pulses.indexOf(3)).toBe(3 * quarter);
    expect(pulses.at(-1)).toBe(3);
  });

  it('ends a ring with the producer error, after the chunks before it', () => {
    const layout = createChunkRings(1, 8);
    const writer = new ChunkRingWriter(layout);
    const ring = new RingChunks(layout, 0, () => Buffer.alloc(0));
    put(writer, 0, bytes(7));
    writer.fail(0, new TruncatedError('a compressed chunk'));
    expect([...ring.next()]).toEqual([7]);
    expect(() => ring.next()).toThrow(TruncatedError);
    expect(() => ring.next()).toThrow('file ends inside a compressed chunk');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSource, MalformedError, TruncatedError } from '../../../src/ingest/tracedat/byte-reader.js';
import {
  createChunkRings,
  RING_SLOTS,
  RingChunks,
  RingFiller,
  RingPulse,
  type RingSource,
} from '../../../src/ingest/tracedat/chunk-ring.js';
import type { ChunkHead } from '../../../src/ingest/tracedat/chunk-source.js';
import { chunkInflaterFor } from '../../../src/ingest/tracedat/decompress.js';
import type { CpuData } from '../../../src/ingest/tracedat/metadata.js';

const dir = mkdtempSync(join(tmpdir(), 'lockscope-rings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The compressed length of a chunk. */
const zlen = (c: Buffer) => deflateSync(c).length;

/** Chunk `i` of a CPU: `size` bytes, each `(i + cpu) & 255`. */
const chunk = (cpu: number, i: number, size = 8) => Buffer.alloc(size, (i + cpu) & 255);

/**
 * A file holding, per CPU, v7 compressed data (zlib) as trace-cmd writes it: a u32 chunk
 * count, then per chunk its compressed and uncompressed sizes and bytes. `damage` edits the
 * bytes of a CPU's data before they are written (offsets from that data's start).
 */
function v7File(
  name: string,
  cpus: Buffer[][],
  damage: (cpu: number, data: Buffer) => Buffer = (_, d) => d,
): { path: string; data: CpuData[] } {
  const parts: Buffer[] = [];
  const data: CpuData[] = [];
  let offset = 0;
  cpus.forEach((chunks, cpu) => {
    const pieces = [Buffer.alloc(4)];
    pieces[0]!.writeUInt32LE(chunks.length);
    for (const c of chunks) {
      const z = deflateSync(c);
      const head = Buffer.alloc(8);
      head.writeUInt32LE(z.length, 0);
      head.writeUInt32LE(c.length, 4);
      pieces.push(head, z);
    }
    const bytes = damage(cpu, Buffer.concat(pieces));
    data.push({ cpu, offset, size: bytes.length });
    parts.push(bytes);
    offset += bytes.length;
  });
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(parts));
  return { path, data };
}

/** Both sides of ring r over the CPU data `data[r]` of `path`. */
async function sides(path: string, data: CpuData[], slotSize = 16) {
  const layout = createChunkRings(data.length, slotSize);
  const inflate = (await chunkInflaterFor('zlib'))!;
  const file = new FileSource(path);
  const source = (r: number): RingSource => ({ file, data: data[r]!, bigEndian: false, inflate });
  const asked: ChunkHead[] = [];
  const readItself = (head: ChunkHead) => {
    asked.push(head);
    return Buffer.from('big');
  };
  return {
    fillers: data.map((_, r) => new RingFiller(layout, r, source(r))),
    rings: data.map((_, r) => new RingChunks(layout, r, source(r), readItself)),
    pulse: new RingPulse(layout),
    asked,
    close: () => file.close(),
  };
}

/** The first byte of each chunk `ring` gives until its end. */
function drain(ring: RingChunks): number[] {
  const got: number[] = [];
  for (let c = ring.next(); c.length > 0; c = ring.next()) got.push(c[0]!);
  return got;
}

describe('chunk rings (decompressed v7 chunks between threads)', () => {
  it('hands over the chunks the producer filled, in order per ring, then the end', async () => {
    const { path, data } = v7File('two.dat', [[chunk(0, 0), chunk(0, 1), chunk(0, 2)], [chunk(1, 0, 4)]]);
    const s = await sides(path, data);
    while (s.fillers.some((f) => !f.exhausted)) for (const f of s.fillers) f.fillNext();
    const first = s.rings[0]!.next();
    expect([...first]).toEqual([...chunk(0, 0)]);
    expect(first.byteOffset % 8).toBe(0); // records are read a word at a time
    expect(drain(s.rings[0]!)).toEqual([1, 2]);
    expect(drain(s.rings[1]!)).toEqual([1]);
    expect(s.rings[0]!.next().length).toBe(0); // the end stays the end
    s.close();
  });

  it('has the consumer take a chunk nobody has claimed, and the producer go on after it', async () => {
    const { path, data } = v7File('steal.dat', [[0, 1, 2, 3, 4].map((i) => chunk(0, i))]);
    const s = await sides(path, data);
    const [filler, ring] = [s.fillers[0]!, s.rings[0]!];
    expect(ring.next()[0]).toBe(0); // no producer ran: taken here
    expect(ring.next()[0]).toBe(1);
    expect(filler.fillNext()).toBe(true); // chunk 2
    expect(filler.fillNext()).toBe(true); // chunk 3
    expect(ring.next()[0]).toBe(2);
    expect(drain(ring)).toEqual([3, 4]); // 4: taken here again
    expect(filler.exhausted).toBe(true);
    expect(filler.fillNext()).toBe(false);
    s.close();
  });

  it('leaves a chunk too big for a slot to the consumer, by its head', async () => {
    const { path, data } = v7File('big.dat', [[chunk(0, 0), chunk(0, 1, 100), chunk(0, 2)]]);
    for (const producerFirst of [true, false]) {
      const s = await sides(path, data, 16);
      if (producerFirst) while (!s.fillers[0]!.exhausted) s.fillers[0]!.fillNext();
      const ring = s.rings[0]!;
      expect(ring.next()[0]).toBe(0);
      expect(ring.next().toString()).toBe('big');
      expect(ring.next()[0]).toBe(2);
      const first = 8 + zlen(chunk(0, 0));
      expect(s.asked).toEqual([
        { at: data[0]!.offset + 4 + first + 8, csize: zlen(chunk(0, 1, 100)), usize: 100 },
      ]);
      s.close();
    }
  });

  it('reuses a slot once the consumer moved past it, and says when no slot is free', async () => {
    const n = RING_SLOTS + 2;
    const { path, data } = v7File('full.dat', [Array.from({ length: n }, (_, i) => chunk(0, i))]);
    const s = await sides(path, data);
    const [filler, ring] = [s.fillers[0]!, s.rings[0]!];
    for (let i = 0; i < RING_SLOTS; i++) expect(filler.fillNext()).toBe(true);
    expect(filler.fillNext()).toBe(false);
    expect(ring.next()[0]).toBe(0);
    expect(filler.fillNext()).toBe(false); // the consumer still reads slot 0 in place
    expect(ring.next()[0]).toBe(1);
    expect(filler.fillNext()).toBe(true); // chunk RING_SLOTS, in slot 0
    expect(drain(ring)).toEqual(Array.from({ length: n - 2 }, (_, i) => (i + 2) & 255));
    s.close();
  });

  it('wakes the producer each time the consumer has freed a quarter of its ring', async () => {
    const { path, data } = v7File('pulse.dat', [Array.from({ length: RING_SLOTS }, (_, i) => chunk(0, i))]);
    const s = await sides(path, data);
    while (s.fillers[0]!.fillNext());
    const pulses: number[] = [];
    // a slot is freed when the consumer asks for the next chunk: read n + 1 chunks to free n
    for (let read = 1; read <= RING_SLOTS; read++) {
      s.rings[0]!.next();
      pulses.push(s.pulse.read());
    }
    const quarter = RING_SLOTS / 4;
    expect(pulses.indexOf(1)).toBe(quarter);
    expect(pulses.indexOf(2)).toBe(2 * quarter);
    expect(pulses.indexOf(3)).toBe(3 * quarter);
    expect(pulses.at(-1)).toBe(3);
    s.close();
  });

  it('ends a ring at a damaged chunk with one error, whichever side took that chunk', async () => {
    const chunks = [chunk(0, 0), chunk(0, 1), chunk(0, 2)];
    const size = 8 + zlen(chunks[0]!); // every chunk's head and bytes
    // chunk 1's zlib stream starts with a header of two bytes: a zero is no zlib header
    const bad = v7File('bad.dat', [chunks], (_, d) => {
      d[4 + size + 8] = 0;
      return d;
    });
    const messages: string[] = [];
    for (const producerFirst of [true, false]) {
      const s = await sides(bad.path, bad.data);
      if (producerFirst) while (!s.fillers[0]!.exhausted) s.fillers[0]!.fillNext();
      const ring = s.rings[0]!;
      expect(ring.next()[0]).toBe(0);
      expect(() => ring.next()).toThrow(MalformedError);
      expect(() => ring.next()).toThrow(MalformedError); // and again after
      try {
        ring.next();
      } catch (error) {
        messages.push((error as Error).message);
      }
      expect(s.fillers[0]!.exhausted).toBe(true);
      s.close();
    }
    expect(messages[0]).toMatch(/^zlib data does not decompress: /);
    expect(messages[1]).toBe(messages[0]);
    // a file cut inside chunk 2's head: the chunks before it, then the truncation
    const cut = v7File('cut.dat', [chunks], (_, d) => d.subarray(0, 4 + size * 2 + 5));
    const s = await sides(cut.path, cut.data);
    expect(drain.bind(null, s.rings[0]!)).toThrow(TruncatedError);
    const again = () => s.rings[0]!.next();
    expect(again).toThrow('file ends inside a compressed chunk header');
    s.close();
  });
});

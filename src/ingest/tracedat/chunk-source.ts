import type { FileSource } from './byte-reader.js';
import type { Decompressor } from './decompress.js';
import type { CpuData } from './metadata.js';

/** The decompressed chunks of one CPU's v7 data, in order; an empty buffer at the end. */
export interface ChunkSource {
  /** The next chunk; TruncatedError/MalformedError when the data is damaged. */
  next(): Buffer;
}

/** A chunk's place in the file (what a reader needs to decompress it itself). */
export interface ChunkHead {
  /** Where its compressed bytes start. */
  at: number;
  csize: number;
  usize: number;
}

/** The u32 chunk count that starts one CPU's v7 compressed data (0 for no data). */
export function readChunkCount(file: FileSource, data: CpuData, bigEndian: boolean): number {
  if (data.size === 0) return 0;
  const b = file.readExact(data.offset, 4, 'the chunk count');
  return bigEndian ? b.readUInt32BE(0) : b.readUInt32LE(0);
}

/** The head of the chunk at `pos`: a u32 compressed and a u32 uncompressed size, then the compressed bytes. */
export function readChunkHead(file: FileSource, pos: number, bigEndian: boolean): ChunkHead {
  const head = file.readExact(pos, 8, 'a compressed chunk header');
  const u32 = (at: number) => (bigEndian ? head.readUInt32BE(at) : head.readUInt32LE(at));
  return { at: pos + 8, csize: u32(0), usize: u32(4) };
}

/**
 * Walks one CPU's compressed data: a u32 chunk count, then per chunk a u32
 * compressed and a u32 uncompressed size and the compressed bytes.
 */
export class ChunkWalker {
  private pos: number;
  private left = -1;

  constructor(
    private readonly file: FileSource,
    private readonly data: CpuData,
    private readonly bigEndian: boolean,
  ) {
    this.pos = data.offset + 4;
  }

  /** The next chunk's head, or null after the last. */
  nextHead(): ChunkHead | null {
    if (this.left < 0) this.left = readChunkCount(this.file, this.data, this.bigEndian);
    if (this.left === 0) return null;
    this.left--;
    const chunk = readChunkHead(this.file, this.pos, this.bigEndian);
    this.pos = chunk.at + chunk.csize;
    return chunk;
  }
}

/** Decompresses a chunk read from the file. */
export function readChunk(file: FileSource, head: ChunkHead, decompress: Decompressor): Buffer {
  return decompress(file.readExact(head.at, head.csize, 'a compressed chunk'), head.usize);
}

/** Reads and decompresses a chunk into `dest` at `at` (which has room for `head.usize`); returns its length. */
export type ChunkInflater = (file: FileSource, head: ChunkHead, dest: Uint8Array, at: number) => number;

/** A ChunkInflater over a Decompressor (a copy of each chunk it returns). */
export function inflaterOf(decompress: Decompressor): ChunkInflater {
  return (file, head, dest, at) => {
    const chunk = readChunk(file, head, decompress);
    dest.set(chunk, at);
    return chunk.length;
  };
}

/** One CPU's chunks read and decompressed on this thread. */
export class FileChunks implements ChunkSource {
  private readonly walker: ChunkWalker;

  constructor(
    private readonly file: FileSource,
    data: CpuData,
    bigEndian: boolean,
    private readonly decompress: Decompressor,
  ) {
    this.walker = new ChunkWalker(file, data, bigEndian);
  }

  next(): Buffer {
    const head = this.walker.nextHead();
    return head === null ? Buffer.alloc(0) : readChunk(this.file, head, this.decompress);
  }
}

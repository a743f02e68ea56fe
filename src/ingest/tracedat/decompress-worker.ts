import { parentPort, workerData } from 'node:worker_threads';
import { FileSource } from './byte-reader.js';
import { type ChunkRingLayout, ChunkRingWriter } from './chunk-ring.js';
import { type ChunkHead, ChunkWalker } from './chunk-source.js';
import { chunkInflaterFor } from './decompress.js';
import type { CpuData } from './metadata.js';

/** What the decoding thread sends this worker at start: ring r carries the chunks of cpus[r]. */
export interface DecompressWorkerData {
  path: string;
  cpus: CpuData[];
  bigEndian: boolean;
  compression: string;
  rings: ChunkRingLayout;
}

/**
 * Reads and decompresses every CPU's v7 chunks into the shared rings, a chunk
 * for whichever CPU has room, so the thread decoding records never waits on
 * zstd. A damaged chunk ends its CPU's ring with the error, which the decoding
 * thread turns into the same diagnostic as when it decompresses itself.
 */
async function main(data: DecompressWorkerData): Promise<void> {
  const inflate = (await chunkInflaterFor(data.compression))!;
  const file = new FileSource(data.path);
  const ring = new ChunkRingWriter(data.rings);
  const walkers = data.cpus.map((c) => new ChunkWalker(file, c, data.bigEndian));
  const open = data.cpus.map(() => true);
  let left = open.length;
  try {
    while (left > 0) {
      const pulse = ring.pulse();
      let progressed = false;
      for (let r = 0; r < open.length; r++) {
        if (!open[r] || !ring.hasRoom(r)) continue;
        progressed = true;
        let head: ChunkHead | null;
        try {
          head = walkers[r]!.nextHead();
          if (head === null) {
            ring.end(r);
            open[r] = false;
            left--;
          } else if (!ring.fits(head.usize)) ring.putHead(r, head);
          else {
            const chunk = head; // a const for the closure (`head` is reassigned per chunk)
            ring.putWith(r, (bytes, at) => inflate(file, chunk, bytes, at));
          }
        } catch (error) {
          ring.fail(r, error as Error);
          open[r] = false;
          left--;
        }
      }
      if (!progressed) ring.waitForRoom(pulse);
    }
  } finally {
    file.close();
  }
}

if (parentPort) void main(workerData as DecompressWorkerData);

import { parentPort, workerData } from 'node:worker_threads';
import { FileSource } from './byte-reader.js';
import { type ChunkRingLayout, RingFiller, RingPulse } from './chunk-ring.js';
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
 * for whichever CPU has room, so the thread decoding records seldom
 * decompresses one itself (see chunk-ring.ts). A damaged chunk ends its CPU's
 * ring with the error, which the decoding thread turns into the same
 * diagnostic as when it decompresses itself.
 */
async function main(data: DecompressWorkerData): Promise<void> {
  const inflate = (await chunkInflaterFor(data.compression))!;
  const file = new FileSource(data.path);
  const { bigEndian } = data;
  const rings = data.cpus.map(
    (cpu, r) => new RingFiller(data.rings, r, { file, data: cpu, bigEndian, inflate }),
  );
  const pulse = new RingPulse(data.rings);
  try {
    for (;;) {
      const seen = pulse.read();
      let progressed = false;
      let open = false;
      for (const ring of rings) {
        if (ring.exhausted) continue;
        open = true;
        if (ring.fillNext()) progressed = true;
      }
      if (!open) break;
      if (!progressed) pulse.wait(seen);
    }
  } finally {
    file.close();
  }
}

if (parentPort) void main(workerData as DecompressWorkerData);

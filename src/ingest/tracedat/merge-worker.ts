import { parentPort, workerData } from 'node:worker_threads';
import { FileSource } from './byte-reader.js';
import { decompressorFor, loadZstd } from './decompress.js';
import { blockBuffers, type MergeInput, mergedBlocks, type RecordBlock } from './record-blocks.js';
import { serveItems } from './worker-stream.js';

/** What the reader thread sends this worker at start. */
export interface MergeWorkerData extends MergeInput {
  path: string;
  compression: string | null;
  /** Blocks it may send before the reader acknowledges one. */
  ahead: number;
}

/**
 * The worker side of `readTraceDat` for event objects: file reads,
 * decompression, page decoding and the CPU merge run here, on the other core,
 * while the reader thread decodes fields and the analyzers run. The reader
 * sends each block back once decoded, to be filled again.
 */
async function main(port: NonNullable<typeof parentPort>, data: MergeWorkerData): Promise<void> {
  if (data.compression === 'zstd') await loadZstd(); // compiling the WASM costs tens of ms: only when used
  const file = new FileSource(data.path);
  const spare: RecordBlock[] = [];
  const blocks = mergedBlocks(file, data, decompressorFor(data.compression ?? 'none'), spare);
  serveItems<RecordBlock, RecordBlock>(port, blocks, {
    ahead: data.ahead,
    transfer: blockBuffers,
    returned: (block) => spare.push(block),
    close: () => file.close(),
  });
}

if (parentPort) void main(parentPort, workerData as MergeWorkerData);

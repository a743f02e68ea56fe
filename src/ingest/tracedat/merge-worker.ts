import { parentPort, workerData } from 'node:worker_threads';
import { FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import { decompressorFor, loadZstd } from './decompress.js';
import { blockBuffers, type MergeInput, mergedBlocks, type RecordBlock } from './record-blocks.js';

/** What the reader thread sends this worker at start. */
export interface MergeWorkerData extends MergeInput {
  path: string;
  compression: string | null;
  /** Blocks it may send before the reader acknowledges one. */
  ahead: number;
}

/** Messages to the reader thread: a block, the end, or an unexpected error (rethrown there). */
export type MergeWorkerMessage =
  | { kind: 'block'; block: RecordBlock }
  | { kind: 'done' }
  | { kind: 'error'; message: string; stack?: string };

/**
 * The worker side of `readTraceDat`: file reads, decompression, page decoding
 * and the CPU merge run here, on the other core, while the reader thread
 * decodes fields and the analyzers run. Flow control: at most `ahead` blocks
 * are in flight; the reader acknowledges each by sending it back, which
 * releases one more (and the block's buffers are filled again).
 */
async function main(port: NonNullable<typeof parentPort>, data: MergeWorkerData): Promise<void> {
  if (data.compression === 'zstd') await loadZstd(); // compiling the WASM costs tens of ms: only when used
  const file = new FileSource(data.path);
  const spare: RecordBlock[] = [];
  const blocks = mergedBlocks(file, data, decompressorFor(data.compression ?? 'none'), spare);
  let credits = data.ahead;
  let finished = false;
  const pump = () => {
    try {
      while (credits > 0 && !finished) {
        const next = blocks.next();
        if (next.done) {
          finished = true;
          file.close();
          port.postMessage({ kind: 'done' } satisfies MergeWorkerMessage);
          port.close();
          return;
        }
        credits--;
        const b = next.value;
        port.postMessage({ kind: 'block', block: b } satisfies MergeWorkerMessage, blockBuffers(b));
      }
    } catch (error) {
      finished = true;
      const e = error as Error;
      const known = error instanceof TruncatedError || error instanceof MalformedError;
      port.postMessage({
        kind: 'error',
        message: e.message,
        stack: known ? undefined : e.stack,
      } satisfies MergeWorkerMessage);
      port.close();
    }
  };
  // each acknowledgement gives a decoded block back, to be filled again
  port.on('message', (done: RecordBlock) => {
    spare.push(done);
    credits++;
    pump();
  });
  pump();
}

if (parentPort) void main(parentPort, workerData as MergeWorkerData);

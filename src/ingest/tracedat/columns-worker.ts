import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { EventColumns } from '../../model/event-columns.js';
import { ColumnsBuilder, columnsBuffers } from '../columns-builder.js';
import { FileSource } from './byte-reader.js';
import { createChunkRings, RingChunks } from './chunk-ring.js';
import { type ChunkSource, readChunk } from './chunk-source.js';
import { chunkInflaterFor, loadZstd } from './decompress.js';
import type { DecompressWorkerData } from './decompress-worker.js';
import { COLUMN_ROWS, columnBatches } from './event-batches.js';
import { type CpuData, readMetadata, type TraceDatMeta } from './metadata.js';
import { serveItems } from './worker-stream.js';

const DECOMPRESS_WORKER = new URL('./decompress-worker.js', import.meta.url);

/** What the reader thread sends this worker at start. */
export interface ColumnsWorkerData {
  path: string;
  /** Batches it may send before the reader hands one back. */
  ahead: number;
}

/** One batch and the diagnostics raised while reading it. */
export interface ColumnsItem {
  columns: EventColumns;
  diagnostics: Diagnostic[];
}

/**
 * The worker side of `readTraceDat` for columns: everything up to the
 * EventColumns rows (file reads, decompression, pages, the CPU merge, field
 * decoding) runs here, so the reader thread only analyzes. The reader has
 * already read the metadata (and reported its diagnostics): a failure here
 * would be a file changing under us.
 */
async function main(port: NonNullable<typeof parentPort>, data: ColumnsWorkerData): Promise<void> {
  const file = new FileSource(data.path);
  const meta = readMetadata(file, []);
  // this thread's WASM zstd (~8 MB): chunks it takes from the rings itself, or all of them
  const chunks = await decompressingThread(data.path, meta, file);
  if (meta.cpuDecompressor && !chunks) await loadZstd();
  const diagnostics: Diagnostic[] = [];
  const builder = new ColumnsBuilder(COLUMN_ROWS);
  const batches = columnBatches(meta, diagnostics, file, builder, true, chunks);
  const items: Iterator<ColumnsItem> = {
    next: () => {
      const r = batches.next();
      if (!r.done) return { value: { columns: r.value, diagnostics: diagnostics.splice(0) }, done: false };
      // diagnostics raised after the last row (e.g. lost events at the end) travel in an empty batch
      if (diagnostics.length > 0)
        return { value: { columns: builder.take(), diagnostics: diagnostics.splice(0) }, done: false };
      return r;
    },
  };
  serveItems<ColumnsItem, EventColumns>(port, items, {
    ahead: data.ahead,
    transfer: (item) => columnsBuffers(item.columns),
    returned: (columns) => builder.recycle(columns),
    close: () => file.close(),
  });
}

/**
 * For v7 compressed data, a thread that reads and decompresses the chunks
 * ahead of this one (through shared-memory rings, from which this thread takes
 * a chunk itself when that thread has not): the CPU sources of the merge.
 * Undefined for plain pages.
 */
async function decompressingThread(
  path: string,
  meta: TraceDatMeta,
  file: FileSource,
): Promise<((cpu: CpuData) => ChunkSource) | undefined> {
  const decompress = meta.cpuDecompressor;
  const compression = meta.cpuCompression;
  if (!decompress || !compression || !existsSync(fileURLToPath(DECOMPRESS_WORKER))) return undefined;
  const cpus = meta.cpus.filter((c) => c.size > 0);
  // trace-cmd compresses 10 pages per chunk; a bigger chunk is read by this thread itself
  const rings = createChunkRings(cpus.length, 12 * meta.pageSize);
  const data: DecompressWorkerData = { path, cpus, bigEndian: meta.bigEndian, compression, rings };
  new Worker(DECOMPRESS_WORKER, {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  }).unref();
  // loads while that thread starts (and loads its own)
  const inflate = (await chunkInflaterFor(compression))!;
  const { bigEndian } = meta;
  return (cpu) => {
    const r = cpus.indexOf(cpu);
    const source = { file, data: cpu, bigEndian, inflate };
    return new RingChunks(rings, r, source, (head) => readChunk(file, head, decompress));
  };
}

if (parentPort) void main(parentPort, workerData as ColumnsWorkerData);

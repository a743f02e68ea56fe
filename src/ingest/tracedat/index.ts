import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { EventColumns, TraceBatch } from '../../model/event-columns.js';
import type { TraceEvent } from '../../model/trace-event.js';
import { columnsBuffers } from '../columns-builder.js';
import { FileSource, MalformedError, TruncatedError } from './byte-reader.js';
import type { ColumnsItem, ColumnsWorkerData } from './columns-worker.js';
import { loadZstd } from './decompress.js';
import { columnBatches, eventBatches } from './event-batches.js';
import type { MergeWorkerData } from './merge-worker.js';
import { readMetadata, type TraceDatMeta } from './metadata.js';
import { blockBuffers, mergeInput, type RecordBlock, recycledBlocks } from './record-blocks.js';
import { workerItems } from './worker-stream.js';

/** True when the bytes start with the trace.dat magic (`\x17\x08Dtracing`). */
export function isTraceDat(head: Uint8Array): boolean {
  const magic = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Options of `readTraceDat`. */
export interface ReadTraceDatOptions {
  /**
   * Read on a worker thread (true) or on this thread (false). For event
   * objects the worker reads, decompresses and merges the pages; for columns
   * it also decodes the records into rows, so this thread only consumes them.
   * Default: a worker for columns from 1 MiB of ring-buffer data when the
   * compiled worker is there; for objects only when the environment sets
   * `LOCKSCOPE_TRACEDAT_WORKER=1` (the objects' field decoding stays on this
   * thread, so the worker saves less than it costs on a busy machine).
   * `LOCKSCOPE_TRACEDAT_WORKER=0` turns every worker off.
   */
  worker?: boolean;
  /** Lock events as EventColumns rows (see model/event-columns.ts); default: TraceEvent objects. */
  columns?: boolean;
}

/** The compiled workers (absent when running the TypeScript sources, e.g. under vitest). */
const MERGE_WORKER = new URL('./merge-worker.js', import.meta.url);
const COLUMNS_WORKER = new URL('./columns-worker.js', import.meta.url);
const WORKER_MIN_BYTES = 1 << 20;
/** Record blocks (~1 MB) the merge worker may read ahead of its consumer (enough to ride out a
 * scheduler time slice on a busy machine). */
const BLOCKS_AHEAD = 8;
/**
 * Column batches (16 Ki rows, ~700 KB) the columns worker may decode ahead of the analysis: with
 * three threads on two cores, 32 rather than 8 let the decoding thread block less often (wall
 * x0.95, median of 8 paired runs on the 394 MB capture) for ~20 MB more RSS.
 */
const COLUMNS_AHEAD = 32;

/**
 * Streams the events of a trace-cmd `trace.dat` (v6 or v7, plain, zlib or
 * zstd) in timestamp order across CPUs, in batches. Never throws on bad
 * content: problems become diagnostics (`line: null`) and a damaged or
 * truncated file yields the events before the damage.
 */
export function readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options?: ReadTraceDatOptions & { columns?: false },
): AsyncGenerator<TraceEvent[]>;
export function readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options: ReadTraceDatOptions,
): AsyncGenerator<TraceBatch>;
export async function* readTraceDat(
  path: string,
  diagnostics: Diagnostic[],
  options: ReadTraceDatOptions = {},
): AsyncGenerator<TraceBatch> {
  // The WASM zstd costs ~8 MB per thread: not here when a worker will decompress (the few
  // compressed metadata sections go through fzstd).
  if (!options.columns || options.worker === false || process.env.LOCKSCOPE_TRACEDAT_WORKER === '0')
    await loadZstd();
  let file: FileSource;
  try {
    file = new FileSource(path);
  } catch (error) {
    diagnostics.push({ code: 'tracedat-open', message: (error as Error).message, line: null });
    return;
  }
  try {
    let meta: TraceDatMeta;
    try {
      meta = readMetadata(file, diagnostics);
    } catch (error) {
      if (!(error instanceof TruncatedError || error instanceof MalformedError)) throw error;
      const code = error instanceof TruncatedError ? 'tracedat-truncated' : 'tracedat-malformed';
      // The path is the diagnostic's location already (`FILE:-: tracedat-malformed: ...`).
      diagnostics.push({ code, message: error.message, line: null });
      return;
    }
    const input = mergeInput(meta);
    const columns = options.columns ?? false;
    if (wantsWorker(meta, options, columns ? COLUMNS_WORKER : MERGE_WORKER, columns)) {
      if (columns) yield* workerColumns({ path, ahead: COLUMNS_AHEAD }, diagnostics);
      else {
        const data: MergeWorkerData = {
          ...input,
          path,
          compression: meta.cpuCompression,
          ahead: BLOCKS_AHEAD,
        };
        yield* eventBatches(meta, diagnostics, workerBlocks(data));
      }
      return;
    }
    yield* columns
      ? columnBatches(meta, diagnostics, file)
      : eventBatches(meta, diagnostics, recycledBlocks(file, input, meta.cpuDecompressor));
  } finally {
    file.close();
  }
}

function wantsWorker(
  meta: TraceDatMeta,
  options: ReadTraceDatOptions,
  url: URL,
  byDefault: boolean,
): boolean {
  if (options.worker !== undefined) return options.worker;
  const env = process.env.LOCKSCOPE_TRACEDAT_WORKER;
  if (env === '0' || (!byDefault && env !== '1')) return false;
  const bytes = meta.cpus.reduce((n, c) => n + c.size, 0);
  return bytes >= WORKER_MIN_BYTES && existsSync(fileURLToPath(url));
}

/** Record blocks from the merge worker, each sent back once decoded (to be filled again). */
function workerBlocks(data: MergeWorkerData): AsyncGenerator<RecordBlock> {
  return workerItems<RecordBlock>(MERGE_WORKER, data, (worker, block) =>
    worker.postMessage(block, blockBuffers(block)),
  );
}

/** Column batches from the columns worker (its diagnostics joined to ours), each sent back once analyzed. */
async function* workerColumns(
  data: ColumnsWorkerData,
  diagnostics: Diagnostic[],
): AsyncGenerator<EventColumns> {
  const items = workerItems<ColumnsItem>(COLUMNS_WORKER, data, (worker, item) =>
    worker.postMessage(item.columns, columnsBuffers(item.columns)),
  );
  for await (const item of items) {
    for (const d of item.diagnostics) diagnostics.push(d);
    if (item.columns.count > 0 || item.columns.newStrings.length > 0) yield item.columns;
  }
}

import { parentPort, workerData } from 'node:worker_threads';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { EventColumns } from '../../model/event-columns.js';
import { ColumnsBuilder, columnsBuffers } from '../columns-builder.js';
import { FileSource } from './byte-reader.js';
import { loadZstd } from './decompress.js';
import { COLUMN_ROWS, columnBatches } from './event-batches.js';
import { readMetadata } from './metadata.js';
import { serveItems } from './worker-stream.js';

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
  await loadZstd();
  const file = new FileSource(data.path);
  const meta = readMetadata(file, []);
  const diagnostics: Diagnostic[] = [];
  const builder = new ColumnsBuilder(COLUMN_ROWS);
  const batches = columnBatches(meta, diagnostics, file, builder, true);
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

if (parentPort) void main(parentPort, workerData as ColumnsWorkerData);

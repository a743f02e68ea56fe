import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createInflate } from 'node:zlib';
import type { Diagnostic } from '../model/diagnostic.js';
import type { EventColumns, TraceBatch } from '../model/event-columns.js';
import type { TraceEvent } from '../model/trace-event.js';
import { ColumnsBuilder } from './columns-builder.js';
import { FtraceTextParser } from './ftrace/text-parser.js';
import { decompressed, InputError, isGzip, openInput } from './input.js';
import { readTextRanges, textWorkers } from './text-ranges.js';
import { isTraceDat, readTraceDat } from './tracedat/index.js';

/**
 * One trace input, whatever its form: ftrace text in any dialect (plain or
 * gzipped, file or stdin) or a trace-cmd `trace.dat`. Events arrive in
 * batches; `diagnostics` fills while the batches are consumed.
 */
export interface TraceSource<B extends TraceBatch = TraceEvent[]> {
  kind: 'text' | 'dat';
  batches: AsyncGenerator<B>;
  diagnostics: Diagnostic[];
}

export interface OpenTraceOptions {
  /** Lock events as EventColumns (what the analyzer reads fastest); default: TraceEvent objects. */
  columns?: boolean;
  /**
   * With `columns`, a large regular text file is read in byte ranges by this
   * many worker threads (default `textWorkers()`: LOCKSCOPE_TRACE_WORKERS,
   * else none); 0 reads it on this thread.
   */
  workers?: number;
  /** With `columns`: the events whose fields the consumer reads (see FtraceTextParserOptions.fieldsRead). */
  fieldsRead?: ReadonlySet<string>;
}

/** Text files from this size are read by worker threads (smaller ones: starting them costs more than they save). */
const WORKER_MIN_BYTES = 32 << 20;
/** How far into a text file `parallelText` looks for a dialect that carries state across the whole file. */
const PROBE_BYTES = 64 * 1024;

/** Rows per EventColumns batch of a text trace read on this thread (see openTrace). */
const TEXT_BATCH_ROWS = 2048;
/** Length of the trace.dat magic `\x17\x08Dtracing`. */
const MAGIC_LENGTH = 10;
/** Enough bytes to see an atrace `TRACE:` banner and the zlib header after it. */
const HEAD_LENGTH = 300;

/**
 * Opens a trace by path (`-` = stdin). A plain trace.dat is read in place; a
 * gzipped one, or one on stdin, is first spooled to a temporary file (the
 * trace.dat reader needs random access). Throws InputError when the input
 * cannot be opened.
 */
export async function openTrace(path: string, stdin?: Readable): Promise<TraceSource>;
export async function openTrace(
  path: string,
  stdin: Readable | undefined,
  options: OpenTraceOptions,
): Promise<TraceSource<TraceBatch>>;
export async function openTrace(
  path: string,
  stdin?: Readable,
  options: OpenTraceOptions = {},
): Promise<TraceSource<TraceBatch>> {
  const columns = options.columns ?? false;
  if (path !== '-' && (await isTraceDatFile(path))) {
    const diagnostics: Diagnostic[] = [];
    return { kind: 'dat', batches: readTraceDat(path, diagnostics, { columns }), diagnostics };
  }
  if (columns && path !== '-') {
    const size = await parallelText(path, options.workers ?? textWorkers());
    if (size > 0) {
      const ranges = readTextRanges(path, size, { workers: options.workers, fieldsRead: options.fieldsRead });
      return { kind: 'text', batches: ranges.batches, diagnostics: ranges.diagnostics };
    }
  }
  // The parsers keep no chunk bytes (what they keep they copy), so a file is read into the same
  // two buffers again and again; the inflater and the head, which outlive a chunk, get copies.
  const chunks = openInput(path, stdin, { reuseBuffer: true });
  const first = await firstChunk(chunks);
  if (isTraceDat(first.head)) {
    const diagnostics: Diagnostic[] = [];
    return { kind: 'dat', batches: spooledTraceDat(first.head, chunks, diagnostics, columns), diagnostics };
  }
  const z = compressedAtraceStart(first.head);
  const text = z < 0 ? chunks : inflated(first.head.subarray(z), copied(chunks), path);
  const head = z < 0 ? first.head : first.head.subarray(0, z);
  if (columns) {
    // lock events straight into columns (no event object each); the rest whole
    // Small batches: a batch's other events (shrinker, reclaim) live until the analyzer
    // takes it. With 16384, enough of them outlived a scavenge that V8 began allocating them in
    // the old generation (allocation-site pretenuring) in most runs: 9-10 full collections
    // instead of 1 on the 1 GB bench text, ~6% of the time and 60 MB more memory.
    const builder = new ColumnsBuilder(TEXT_BATCH_ROWS);
    const parser = new FtraceTextParser({ columns: builder, fieldsRead: options.fieldsRead });
    const batches = textColumns(parser, builder, head, text);
    return { kind: 'text', batches, diagnostics: parser.diagnostics };
  }
  const parser = new FtraceTextParser();
  return { kind: 'text', batches: textBatches(parser, head, text), diagnostics: parser.diagnostics };
}

/**
 * The size of a text trace worth reading in ranges on worker threads, else 0:
 * a regular file of WORKER_MIN_BYTES or more, not compressed, and not one of
 * the dialects whose lines depend on state kept across the whole file
 * (function_graph without task columns, systrace HTML), which a range would
 * then have to read again on this thread (see text-ranges.ts).
 */
async function parallelText(path: string, workers: number): Promise<number> {
  if (workers <= 0) return 0;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size < WORKER_MIN_BYTES) return 0;
    handle = await open(path, 'r');
    const head = Buffer.alloc(PROBE_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const h = head.subarray(0, bytesRead);
    if (isGzip(h)) return 0;
    if (isTraceDat(h) || compressedAtraceStart(h) >= 0) return 0;
    const text = h.toString('latin1');
    if (/^# tracer: function_graph/m.test(text) || /<(?:!DOCTYPE|html)\b/i.test(text)) return 0;
    return st.size;
  } catch {
    return 0; // openInput reports the error with its own message
  } finally {
    await handle?.close();
  }
}

/**
 * `atrace -z` (and systrace's saved dumps) print `TRACE:` and then the trace
 * as one zlib stream. Returns where the zlib data starts, or -1.
 */
function compressedAtraceStart(head: Buffer): number {
  const banner = head.indexOf('TRACE:\n');
  if (banner < 0 || banner > 256) return -1;
  const z = banner + 7;
  const before = head.subarray(0, banner).toString('latin1');
  if (!/^(?:capturing trace\.\.\. ?done\r?\n)?$/.test(before)) return -1;
  return head[z] === 0x78 && (head[z + 1] === 0x9c || head[z + 1] === 0x01 || head[z + 1] === 0xda) ? z : -1;
}

function inflated(first: Buffer, rest: AsyncGenerator<Buffer>, path: string): AsyncGenerator<Buffer> {
  return decompressed(createInflate(), first, rest, path, 'compressed atrace data');
}

/** Each chunk copied (for a consumer that keeps chunks past the next read of a reused buffer). */
async function* copied(chunks: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

/** The file at `path` starts like a trace.dat (false when it cannot be read). */
export async function isTraceDatFile(path: string): Promise<boolean> {
  return isTraceDat(await readHead(path));
}

async function readHead(path: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(MAGIC_LENGTH);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return new Uint8Array(0); // openInput reports the error with its own message
  } finally {
    await handle?.close();
  }
}

/** Reads chunks until the trace.dat magic and an atrace banner can be checked; returns them joined. */
async function firstChunk(chunks: AsyncGenerator<Buffer>): Promise<{ head: Buffer }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < HEAD_LENGTH) {
    const r = await chunks.next();
    if (r.done) break;
    parts.push(Buffer.from(r.value)); // a copy: the next read may reuse its buffer
    length += r.value.length;
  }
  return { head: parts.length === 1 ? parts[0]! : Buffer.concat(parts) };
}

async function* textBatches(
  parser: FtraceTextParser,
  head: Buffer,
  rest: AsyncGenerator<Buffer>,
): AsyncGenerator<TraceEvent[]> {
  if (head.length > 0) {
    const events = parser.push(head);
    if (events.length > 0) yield events;
  }
  for await (const chunk of rest) {
    const events = parser.push(chunk);
    if (events.length > 0) yield events;
  }
  const tail = parser.end();
  if (tail.length > 0) yield tail;
}

/**
 * The parser's column batches. A batch is the consumer's until it asks for
 * the next one; then its arrays are filled again (as the trace.dat columns
 * reader does): no new arrays per batch.
 */
async function* textColumns(
  parser: FtraceTextParser,
  builder: ColumnsBuilder,
  head: Buffer,
  rest: AsyncGenerator<Buffer>,
): AsyncGenerator<EventColumns> {
  function* handed(batches: EventColumns[]) {
    for (const b of batches) {
      yield b;
      builder.recycle(b);
    }
  }
  if (head.length > 0) yield* handed(parser.pushColumns(head));
  for await (const chunk of rest) yield* handed(parser.pushColumns(chunk));
  yield* handed(parser.endColumns());
}

async function* spooledTraceDat(
  head: Buffer,
  rest: AsyncGenerator<Buffer>,
  diagnostics: Diagnostic[],
  columns: boolean,
): AsyncGenerator<TraceBatch> {
  const dir = await mkdtemp(join(tmpdir(), 'lockscope-'));
  const file = join(dir, 'trace.dat');
  try {
    const out = createWriteStream(file);
    const write = (b: Buffer) =>
      new Promise<void>((resolve, reject) => out.write(b, (e) => (e ? reject(e) : resolve())));
    try {
      await write(head);
      for await (const chunk of rest) await write(chunk);
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    yield* readTraceDat(file, diagnostics, { columns });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot spool trace.dat to ${dir}: ${(error as Error).message}`, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

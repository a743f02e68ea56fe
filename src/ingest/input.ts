import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Opens an input by path (`-` = stdin) as a stream of byte chunks, with
 * gzip detected by its magic bytes (so `.gz` files and gzipped stdin both
 * work). Throws InputError (exit code 2) when the file cannot be opened.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'InputError';
  }

  /** Set once a --json document already carries this error (so it is not printed twice). */
  inDocument = false;
}

export interface OpenInputOptions {
  /**
   * Hand a file's bytes out in two buffers used in turn: each chunk holds good bytes only until
   * the next one is asked for (the one after it is being read meanwhile). For consumers that
   * decode a chunk at once and keep none of it (the console and ftrace text parsers): no 1 MiB
   * buffer to allocate and collect per chunk. Gzip input, stdin and other
   * non-regular files (pipes, `<(...)`) are read as without it (fresh chunks).
   */
  reuseBuffer?: boolean;
}

/** Bytes a read asks for. */
const CHUNK_BYTES = 1 << 20;

export async function* openInput(
  path: string,
  stdin: Readable = process.stdin,
  options: OpenInputOptions = {},
): AsyncGenerator<Buffer> {
  let source: Readable;
  if (path === '-') {
    source = stdin;
  } else {
    let regular = false;
    try {
      const st = await stat(path);
      if (st.isDirectory()) throw new InputError(`${path}: is a directory`, path);
      regular = st.isFile();
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(
        `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
        path,
      );
    }
    // Only a regular file: gzip data is read again from its start, which a pipe cannot do.
    if (options.reuseBuffer && regular && (yield* reusedChunks(path))) return;
    source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  }
  yield* gunzipIfNeeded(source, path);
}

/**
 * The file's bytes read into the same two buffers again and again; false (nothing yielded) when
 * the file is gzip data, which the caller then reads as a stream.
 */
async function* reusedChunks(path: string): AsyncGenerator<Buffer, boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`, path);
  }
  // Two buffers in turn: the next chunk is read into one while the consumer reads the other.
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let pending: Promise<{ bytesRead: number }> | null = null;
  try {
    let k = 0;
    let length = 0;
    // At least the two bytes of the gzip magic, unless the input is shorter.
    for (let n = -1; length < 2 && n !== 0; length += n) {
      n = (await handle.read(buffers[0]!, length, CHUNK_BYTES - length, null)).bytesRead;
    }
    if (isGzip(buffers[0]!.subarray(0, length))) return false;
    while (length > 0) {
      pending = handle.read(buffers[k ^ 1]!, 0, CHUNK_BYTES, null);
      // a read that fails while the consumer is busy is not an unhandled rejection: the await
      // below (or the finally block) still sees its error
      pending.catch(() => undefined);
      yield buffers[k]!.subarray(0, length);
      length = (await pending).bytesRead;
      pending = null;
      k ^= 1;
    }
    return true;
  } finally {
    // a consumer that stopped early: the read under way ends before the file is closed
    if (pending !== null) await pending.catch(() => undefined);
    await handle.close();
  }
}

async function* gunzipIfNeeded(source: Readable, path: string): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let first = await iterator.next();
  while (!first.done && toBuffer(first.value).length < 2) {
    const more = await iterator.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([toBuffer(first.value), toBuffer(more.value)]) };
  }
  if (first.done) return;
  const head = toBuffer(first.value);
  if (!isGzip(head)) {
    yield head;
    yield* restOf(iterator);
    return;
  }
  yield* decompressed(createGunzip(), head, restOf(iterator), path, 'gzip data');
}

/** `head` starts with the gzip magic. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The chunks an iterator has left. */
async function* restOf(iterator: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield toBuffer(r.value);
}

/**
 * `first` and then `rest` through a zlib decompressor (gunzip, inflate), with
 * back-pressure; InputError naming the file and `what` when the data does not
 * decompress.
 */
export async function* decompressed(
  zlibStream: Transform,
  first: Buffer,
  rest: AsyncIterable<Buffer>,
  path: string,
  what: string,
): AsyncGenerator<Buffer> {
  const feed = (async () => {
    try {
      if (!zlibStream.write(first)) await once(zlibStream, 'drain');
      for await (const chunk of rest) if (!zlibStream.write(chunk)) await once(zlibStream, 'drain');
      zlibStream.end();
    } catch (error) {
      zlibStream.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of zlibStream) yield chunk as Buffer;
  } catch (error) {
    throw new InputError(`${path}: corrupt ${what} (${(error as Error).message})`, path);
  }
  await feed;
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}

/** Reads a whole input into memory (for small inputs: /proc dumps, patches). */
export async function readInput(path: string, stdin?: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of openInput(path, stdin)) parts.push(chunk);
  return Buffer.concat(parts);
}

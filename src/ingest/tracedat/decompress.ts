import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { MalformedError } from './byte-reader.js';
import { type ChunkInflater, inflaterOf } from './chunk-source.js';
import { WasmZstd } from './wasm-zstd.js';

/** A v7 compression algorithm, as named in the file's compression header. */
export type Decompressor = (data: Buffer, uncompressedSize: number) => Buffer;

/** The WASM build of libzstd, once loaded (`loadZstd`); fzstd (pure JS, ~5× slower) until then or if it fails. */
let wasmZstd: { decompress: (data: Uint8Array, size: number) => Buffer } | null = null;
let loading: Promise<void> | null = null;

/** Loads the WASM zstd decoder (once; safe to await many times). */
export function loadZstd(): Promise<void> {
  loading ??= (async () => {
    try {
      const mod = (await import('@foxglove/wasm-zstd')) as unknown as {
        default?: typeof import('@foxglove/wasm-zstd');
      } & typeof import('@foxglove/wasm-zstd');
      const z = mod.default ?? mod;
      await z.isLoaded;
      wasmZstd = z;
    } catch {
      wasmZstd = null; // fzstd still decodes
    }
  })();
  return loading;
}

const DECOMPRESSORS: Record<string, Decompressor> = {
  // trace-cmd's zlib plugin writes zlib streams (compress2)
  zlib: (data) => zlib.inflateSync(data),
  // Node 20 has no zstd: Node ≥ 22.15's native one, else libzstd in WASM, else fzstd in pure JS
  zstd:
    nativeZstd() ??
    ((data, size) => {
      if (wasmZstd && size > 0) return wasmZstd.decompress(data, size);
      // no output buffer argument: fzstd 0.1 compares it with `== 1`, which stringifies the whole array
      const out = zstdDecompress(data);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    }),
};

function nativeZstd(): Decompressor | null {
  const native = (zlib as unknown as { zstdDecompressSync?: (data: Buffer) => Buffer }).zstdDecompressSync;
  return typeof native === 'function' ? (data) => native(data) : null;
}

/** The decompressor for `name`, null for `none`; MalformedError for an algorithm we do not know. */
export function decompressorFor(name: string): Decompressor | null {
  if (name === 'none' || name === '') return null;
  const d = DECOMPRESSORS[name];
  if (!d) throw new MalformedError(`unknown compression algorithm "${name}"`);
  return (data, size) => {
    let out: Buffer;
    try {
      out = d(data, size);
    } catch (error) {
      throw new MalformedError(`${name} data does not decompress: ${(error as Error).message}`);
    }
    checkSize(name, out.length, size);
    return out;
  };
}

function checkSize(name: string, length: number, size: number): void {
  if (size > 0 && length !== size) {
    throw new MalformedError(`${name} data decompressed to ${length} bytes, header says ${size}`);
  }
}

/**
 * How a thread that only decompresses chunks does it: for zstd without Node's
 * own, libzstd's WASM driven directly (the chunk read into its heap, decoded
 * into the caller's buffer: see WasmZstd); else through `decompressorFor`.
 * The same errors either way.
 */
export async function chunkInflaterFor(name: string): Promise<ChunkInflater | null> {
  const decompress = decompressorFor(name);
  if (decompress === null) return null;
  const viaCopy = inflaterOf(decompress);
  const wasm = name === 'zstd' && nativeZstd() === null ? await WasmZstd.load() : null;
  if (wasm === null) {
    if (name === 'zstd') await loadZstd();
    return viaCopy;
  }
  return (file, head, dest, at) => {
    const { csize, usize } = head;
    if (usize <= 0) return viaCopy(file, head, dest, at); // no size in the header: the frame's own
    const read = (heap: Uint8Array, to: number, length: number) =>
      file.readInto(heap, to, head.at, length, 'a compressed chunk');
    const n = wasm.decompress(csize, usize, read, dest, at);
    if (n < 0) throw new MalformedError(`${name} data does not decompress: Error during decompression`);
    checkSize(name, n, usize);
    return n;
  };
}

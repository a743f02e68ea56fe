import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { MalformedError } from './byte-reader.js';

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
    if (size > 0 && out.length !== size) {
      throw new MalformedError(`${name} data decompressed to ${out.length} bytes, header says ${size}`);
    }
    return out;
  };
}

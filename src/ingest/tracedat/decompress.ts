import * as zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { MalformedError } from './byte-reader.js';

/** A v7 compression algorithm, as named in the file's compression header. */
export type Decompressor = (data: Buffer, uncompressedSize: number) => Buffer;

const DECOMPRESSORS: Record<string, Decompressor> = {
  // trace-cmd's zlib plugin writes zlib streams (compress2)
  zlib: (data) => zlib.inflateSync(data),
  // Node 20 has no zstd: fzstd decodes frames in pure JS; Node ≥ 22.15 has a native one, used when present
  zstd:
    nativeZstd() ??
    ((data, size) => {
      const out = zstdDecompress(data, size > 0 ? new Uint8Array(size) : undefined);
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

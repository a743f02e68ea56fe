import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import zstd from '@foxglove/wasm-zstd';
import { describe, expect, it } from 'vitest';
import { FileSource, MalformedError, TruncatedError } from '../../../src/ingest/tracedat/byte-reader.js';
import type { ChunkHead } from '../../../src/ingest/tracedat/chunk-source.js';
import { chunkInflaterFor, decompressorFor, loadZstd } from '../../../src/ingest/tracedat/decompress.js';
import { WasmZstd } from '../../../src/ingest/tracedat/wasm-zstd.js';
import { scratchDir } from '../../helpers/scratch.js';

const page = Buffer.from(Array.from({ length: 3 * 4096 }, (_, i) => (i * 7) % 251));

describe('trace.dat chunk decompressors', () => {
  it('zstd decodes the same through fzstd (before loadZstd) and WASM libzstd (after)', async () => {
    await zstd.isLoaded;
    const packed = zstd.compress(page, 3);
    expect(decompressorFor('zstd')!(packed, page.length).equals(page)).toBe(true);
    await loadZstd();
    expect(decompressorFor('zstd')!(packed, page.length).equals(page)).toBe(true);
  });

  it('zlib, none, and errors for an unknown algorithm or a size mismatch', () => {
    expect(decompressorFor('zlib')!(deflateSync(page), page.length).equals(page)).toBe(true);
    expect(decompressorFor('none')).toBeNull();
    expect(() => decompressorFor('lz4')).toThrow(MalformedError);
    expect(() => decompressorFor('zlib')!(deflateSync(page), 4096)).toThrow(
      /decompressed to 12288 bytes, header says 4096/,
    );
    expect(() => decompressorFor('zlib')!(Buffer.from('junk'), 4)).toThrow(MalformedError);
  });
});

describe('chunk inflaters (a decompressing thread writes each chunk where the decoder reads it)', () => {
  const dir = scratchDir('lockscope-chunks-');
  let files = 0;
  /** A file holding `parts` back to back, and the head of each. */
  function fileOf(...parts: Buffer[]): { file: FileSource; heads: ChunkHead[] } {
    const path = join(dir, `chunks${files++}.bin`);
    writeFileSync(path, Buffer.concat([Buffer.from('head'), ...parts]));
    let at = 4;
    const heads = parts.map((p) => {
      const head = { at, csize: p.length, usize: page.length };
      at += p.length;
      return head;
    });
    return { file: new FileSource(path), heads };
  }

  it('libzstd in WASM, driven directly: the chunk read into its heap, decoded into the caller buffer at an offset', async () => {
    await zstd.isLoaded;
    expect(await WasmZstd.load()).not.toBeNull(); // the package's build is what WasmZstd drives
    const small = Buffer.from(page.subarray(0, 100));
    const { file, heads } = fileOf(zstd.compress(page, 3), zstd.compress(small, 1));
    const inflate = (await chunkInflaterFor('zstd'))!;
    const dest = new Uint8Array(page.length + 10);
    expect(inflate(file, heads[0]!, dest, 10)).toBe(page.length);
    expect(Buffer.from(dest.subarray(10)).equals(page)).toBe(true);
    // a smaller chunk after a bigger one reuses the heap buffers
    expect(inflate(file, { ...heads[1]!, usize: 100 }, dest, 0)).toBe(100);
    expect(Buffer.from(dest.subarray(0, 100)).equals(small)).toBe(true);
    // the same errors as decompressorFor: a size the header gets wrong, a frame that does not decode
    expect(() => inflate(file, { ...heads[1]!, usize: 200 }, dest, 0)).toThrow(
      /zstd data decompressed to 100 bytes, header says 200/,
    );
    expect(() => inflate(file, { ...heads[0]!, usize: 4096 }, dest, 0)).toThrow(
      /zstd data does not decompress/,
    );
    expect(() => inflate(file, { at: 0, csize: 40, usize: 4096 }, dest, 0)).toThrow(MalformedError);
    // a chunk running past the end of the file
    expect(() => inflate(file, { ...heads[1]!, csize: 1 << 20 }, dest, 0)).toThrow(TruncatedError);
    file.close();
  });

  it('zlib goes through its decompressor and a copy; none has no inflater', async () => {
    const { file, heads } = fileOf(deflateSync(page));
    const inflate = (await chunkInflaterFor('zlib'))!;
    const dest = new Uint8Array(page.length);
    expect(inflate(file, heads[0]!, dest, 0)).toBe(page.length);
    expect(Buffer.from(dest).equals(page)).toBe(true);
    expect(await chunkInflaterFor('none')).toBeNull();
    file.close();
  });
});

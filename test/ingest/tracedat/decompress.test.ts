import { deflateSync } from 'node:zlib';
import zstd from '@foxglove/wasm-zstd';
import { describe, expect, it } from 'vitest';
import { MalformedError } from '../../../src/ingest/tracedat/byte-reader.js';
import { decompressorFor, loadZstd } from '../../../src/ingest/tracedat/decompress.js';

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

import { createRequire } from 'node:module';

/** The exports of the Emscripten module inside @foxglove/wasm-zstd (its `dist/wasm-zstd.js`). */
interface ZstdModule {
  ready: Promise<unknown>;
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  /** libzstd's ZSTD_decompress: the decompressed length, or −1 when the frame does not decode. */
  _decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
}

/**
 * libzstd in WASM (the build @foxglove/wasm-zstd ships), driven without that
 * package's wrapper: the compressed bytes are read from the file straight into
 * the WASM heap and the frame decoded into a buffer that stays allocated, then
 * copied once to where the caller wants it. The wrapper allocates both per
 * call and copies the output through a new Buffer; per 10-page chunk of a
 * large trace.dat that is a fifth of the decompressing thread's time.
 */
export class WasmZstd {
  private src = 0;
  private srcSize = 0;
  private dst = 0;
  private dstSize = 0;

  private constructor(private readonly mod: ZstdModule) {}

  /** Loads a module instance of our own; null when the package's build is not what we expect. */
  static async load(): Promise<WasmZstd | null> {
    try {
      const require = createRequire(import.meta.url);
      const factory = require('@foxglove/wasm-zstd/dist/wasm-zstd') as () => Promise<ZstdModule>;
      const mod = await factory();
      await mod.ready;
      const fns = [mod._malloc, mod._free, mod._decompress];
      return fns.every((f) => typeof f === 'function') && mod.HEAPU8 instanceof Uint8Array
        ? new WasmZstd(mod)
        : null;
    } catch {
      return null;
    }
  }

  /**
   * Decodes a frame of `csize` bytes that `fill` writes into the given heap
   * range (e.g. a file read), into `dest` at `at`; returns the decoded length,
   * or −1 when the frame does not decode into at most `usize` bytes.
   */
  decompress(
    csize: number,
    usize: number,
    fill: (heap: Uint8Array, at: number, length: number) => void,
    dest: Uint8Array,
    at: number,
  ): number {
    if (csize > this.srcSize) [this.src, this.srcSize] = this.grow(this.src, csize);
    if (usize > this.dstSize) [this.dst, this.dstSize] = this.grow(this.dst, usize);
    // HEAPU8 is replaced when a malloc grows the memory: read it after them
    fill(this.mod.HEAPU8, this.src, csize);
    const n = this.mod._decompress(this.dst, usize, this.src, csize);
    if (n < 0) return -1;
    dest.set(this.mod.HEAPU8.subarray(this.dst, this.dst + n), at);
    return n;
  }

  private grow(pointer: number, size: number): [number, number] {
    if (pointer !== 0) this.mod._free(pointer);
    const p = this.mod._malloc(size);
    if (p === 0) throw new Error(`the WASM zstd heap cannot hold ${size} bytes`);
    return [p, size];
  }
}

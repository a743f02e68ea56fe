/** The part of the WebAssembly API used here (Node has it; @types/node 20 does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
}

/**
 * The exports of a module instantiated from `bytes` (with no imports), or null where WebAssembly
 * or what the module uses (SIMD) is not there (`node --jitless`).
 */
export function instantiateWasm<Exports>(bytes: Uint8Array): Exports | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return null;
    return new wasm.Instance(new wasm.Module(bytes)).exports as Exports;
  } catch {
    return null;
  }
}

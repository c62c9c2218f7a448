/**
 * Browser entry (`braid-seg` under the `browser` condition, and `braid-seg/wasm`):
 * WebAssembly, loaded by `await init()` (optionally given the `.wasm` URL, bytes or module).
 */
export * from "./wasm-api.js";

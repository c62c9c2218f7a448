/** `braid-seg/wasm` in Node: WebAssembly, instantiated synchronously on import. */
import "./wasm-node-load.js";

export * from "./wasm-api.js";

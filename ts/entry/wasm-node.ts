/** `braid-seg/wasm` in Node: WebAssembly, instantiated synchronously on import. */
import { loadWasmNode } from "../backends/wasm-node.js";
import { setBackend } from "../runtime.js";

setBackend(loadWasmNode(), "wasm");

export * from "../index.js";

/** `braid-seg/wasm` in Node: WebAssembly, instantiated synchronously on import. */
import { loadWasmNode } from "../backend/wasm-node.js";
import { setBackend } from "../backend/backend.js";

setBackend(loadWasmNode(), "wasm");

export * from "../index.js";

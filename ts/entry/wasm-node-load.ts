/**
 * Instantiates the WebAssembly module from the packaged file before `wasm-api.ts` binds to
 * it; imported first by the Node wasm entry, so its functions work without `init()`.
 */
import { wasmNodeBackend } from "../backend/node.js";

wasmNodeBackend();

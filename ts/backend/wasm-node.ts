/** Instantiates the WebAssembly backend synchronously in Node from the packaged file. */
import { readFileSync } from "node:fs";
import type { Backend } from "./backend.js";
import { initWasmSync, wasmBackend } from "./wasm.js";

export function loadWasmNode(): Backend {
  const backend = wasmBackend();
  if (!backend.ready) initWasmSync(readFileSync(new URL("../../wasm/braid_wasm_bg.wasm", import.meta.url)));
  return backend;
}

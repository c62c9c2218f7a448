/** Instantiates the WebAssembly backend synchronously in Node from the packaged file. */
import { readFileSync } from "node:fs";
import { initWasmSync, wasmBackend, type WasmBackend } from "./wasm.js";

let loaded = false;

export function loadWasmNode(): WasmBackend {
  if (!loaded) {
    initWasmSync(readFileSync(new URL("../../wasm/braid_wasm_bg.wasm", import.meta.url)));
    loaded = true;
  }
  return wasmBackend;
}

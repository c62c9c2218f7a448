/** The wasm-bindgen build: the browser backend and Node's fallback. */
import type { Backend } from "./binding.js";
import * as glue from "../../wasm/braid_wasm.js";

type WasmBinding = typeof glue;
// Compile-time parity check against the hand-written interface.
type Check<T extends Backend> = T;
export type WasmBackend = Check<WasmBinding>;

export const wasmBackend: WasmBackend = glue;

/** Instantiates from bytes or a compiled module, synchronously (Node, workers). */
export function initWasmSync(module: BufferSource | WebAssembly.Module): void {
  glue.initSync({ module });
}

/** Instantiates from a URL, Response, bytes or module; defaults to the file beside the glue. */
export async function initWasm(input?: Parameters<typeof glue.default>[0]): Promise<void> {
  await glue.default(input === undefined ? undefined : { module_or_path: input as never });
}

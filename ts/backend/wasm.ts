/**
 * The wasm-bindgen build: the browser backend and Node's fallback. The glue is one module
 * instance per realm, so there is one Backend over it, whoever instantiates it (`init()` in a
 * browser, a synchronous load in Node).
 */
import { Backend } from "./backend.js";
import type { BackendBinding } from "./binding.js";
import * as glue from "../../wasm/braid_wasm.js";

type WasmBinding = typeof glue;
// Compile-time parity check against the hand-written interface.
type Check<T extends BackendBinding> = T;
export type WasmBackend = Check<WasmBinding>;

const binding: WasmBackend = glue;
let instantiated = false;

/** Instantiates from bytes or a compiled module, synchronously (Node, workers); idempotent. */
export function initWasmSync(module: BufferSource | WebAssembly.Module): void {
  if (instantiated) return;
  glue.initSync({ module });
  instantiated = true;
}

/** Instantiates from a URL, Response, bytes or module; defaults to the file beside the glue. */
export async function initWasm(input?: Parameters<typeof glue.default>[0]): Promise<void> {
  if (instantiated) return;
  await glue.default(input === undefined ? undefined : { module_or_path: input as never });
  instantiated = true;
}

let core: Backend | undefined;

/** The WebAssembly backend; not ready until the module is instantiated. */
export function wasmBackend(): Backend {
  core ??= new Backend("wasm", {
    loaded: () => (instantiated ? binding : undefined),
    load: async (input) => {
      await initWasm(input as Parameters<typeof glue.default>[0]);
      return binding;
    },
  });
  return core;
}

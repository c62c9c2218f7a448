/** The active backend, chosen once by the entry point the package was imported through. */
import type { AsyncBackend, Backend, BackendName } from "./binding.js";
import { BraidError } from "../errors.js";

/** Which backend serves calls: `"native"` (napi addon) or `"wasm"`; undefined before `init()`. */
export let backend: BackendName | undefined;

let active: (Backend & Partial<AsyncBackend>) | undefined;
let initializer: ((input?: WasmSource) => Promise<void>) | undefined;

/** Bytes, URL or compiled module of `braid_wasm_bg.wasm`, for bundlers that relocate it. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** Installs the backend; called by entry points only. */
export function setBackend(b: Backend & Partial<AsyncBackend>, name: BackendName): void {
  active = b;
  backend = name;
}

/** Registers how `init()` loads a backend that cannot load synchronously (browsers). */
export function setInitializer(fn: (input?: WasmSource) => Promise<void>): void {
  initializer = fn;
}

/**
 * Loads the backend if it is not loaded yet. A no-op in Node (the addon or the WASM
 * fallback load on import); in browsers it fetches and instantiates the WebAssembly module.
 * Idempotent and safe to call concurrently.
 */
export async function init(input?: WasmSource): Promise<BackendName> {
  if (!active) {
    if (!initializer) throw new BraidError("NOT_INITIALIZED", "no braid backend is available in this environment");
    await initializer(input);
  }
  return backend!;
}

/** The active backend or a NOT_INITIALIZED error telling the caller to `await init()`. */
export function current(): Backend & Partial<AsyncBackend> {
  if (!active) {
    throw new BraidError("NOT_INITIALIZED", "braid is not initialised: call `await init()` before using it");
  }
  return active;
}

/**
 * Browser entry (`braid-seg` under the `browser` condition, and `braid-seg/wasm`):
 * WebAssembly, loaded by `await init()` (optionally given the `.wasm` URL, bytes or module).
 */
import { initWasm, wasmBackend } from "../backend/wasm.js";
import { setBackend, setInitializer } from "../backend/backend.js";

let loading: Promise<void> | undefined;

setInitializer((input) => {
  loading ??= initWasm(input).then(
    () => setBackend(wasmBackend, "wasm"),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
});

export * from "../index.js";

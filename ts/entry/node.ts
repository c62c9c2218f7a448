/**
 * Node entry (`braid-seg`): the native addon, or WebAssembly with a one-line warning when no
 * binary loads. `BRAID_BACKEND=native|wasm` forces one.
 */
import { loadNative } from "../backend/native.js";
import { loadWasmNode } from "../backend/wasm-node.js";
import { BraidError } from "../errors.js";
import { setBackend } from "../backend/backend.js";

const forced = process.env.BRAID_BACKEND;
if (forced !== undefined && forced !== "" && forced !== "native" && forced !== "wasm") {
  throw new BraidError("INVALID_ARGUMENT", `BRAID_BACKEND must be "native" or "wasm", not "${forced}"`);
}
if (forced === "wasm") {
  setBackend(loadWasmNode(), "wasm");
} else {
  try {
    setBackend(loadNative(), "native");
  } catch (e) {
    if (forced === "native") {
      throw new BraidError("BACKEND_UNAVAILABLE", `BRAID_BACKEND=native but the addon did not load: ${String(e)}`, {
        cause: e,
      });
    }
    const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    console.warn(`braid: native addon unavailable (${reason}); using WebAssembly`);
    setBackend(loadWasmNode(), "wasm");
  }
}

export * from "../index.js";

/**
 * The backends a Node process can load, one instance of each per thread (a worker thread
 * loads its own addon instance or WebAssembly module), and the default choice of the
 * `braid-seg` Node entry: the addon, else WebAssembly with a one-line warning;
 * `BRAID_BACKEND=native|wasm` forces one.
 */
import { BraidError } from "../errors.js";
import { Backend, type BackendName } from "./backend.js";
import { loadNative } from "./native.js";
import { loadWasmNode } from "./wasm-node.js";

let native: Backend | undefined;

/** The native addon; throws `BACKEND_UNAVAILABLE` (with the loader's causes) when no binary fits. */
export function nativeBackend(): Backend {
  try {
    return loadedNative();
  } catch (e) {
    throw new BraidError("BACKEND_UNAVAILABLE", `the braid native addon did not load: ${String(e)}`, { cause: e });
  }
}

/** The addon, or the loader's own error. */
function loadedNative(): Backend {
  native ??= new Backend("native", loadNative());
  return native;
}

/** WebAssembly, instantiated synchronously from the packaged `.wasm`. */
export function wasmNodeBackend(): Backend {
  return loadWasmNode();
}

/** A backend by name (worker threads load the one their pool runs on). */
export function nodeBackend(name: BackendName): Backend {
  if (name === "native") return nativeBackend();
  if (name === "wasm") return wasmNodeBackend();
  throw new BraidError("INVALID_ARGUMENT", `unknown braid backend ${JSON.stringify(name)}: "native" or "wasm"`);
}

/** What `braid-seg` uses in Node: `BRAID_BACKEND`, else the addon, else WebAssembly (warned). */
export function defaultNodeBackend(env: Record<string, string | undefined> = process.env): Backend {
  const forced = env.BRAID_BACKEND;
  if (forced !== undefined && forced !== "" && forced !== "native" && forced !== "wasm") {
    throw new BraidError("INVALID_ARGUMENT", `BRAID_BACKEND must be "native" or "wasm", not "${forced}"`);
  }
  if (forced === "wasm") return wasmNodeBackend();
  try {
    return loadedNative();
  } catch (e) {
    if (forced === "native") {
      throw new BraidError("BACKEND_UNAVAILABLE", `BRAID_BACKEND=native but the addon did not load: ${String(e)}`, { cause: e });
    }
    const reason = e instanceof Error ? e.message.split("\n")[0] : String(e);
    console.warn(`braid: native addon unavailable (${reason}); using WebAssembly`);
    return wasmNodeBackend();
  }
}

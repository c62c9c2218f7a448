/** `braid-seg/native`: the napi addon or an error, never a fallback. */
import { loadNative } from "../backends/native.js";
import { BraidError } from "../errors.js";
import { setBackend } from "../runtime.js";

try {
  setBackend(loadNative(), "native");
} catch (e) {
  throw new BraidError("BACKEND_UNAVAILABLE", `the braid native addon did not load: ${String(e)}`, { cause: e });
}

export * from "../index.js";

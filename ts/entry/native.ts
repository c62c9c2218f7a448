/** `braid-seg/native`: the napi addon or an error, never a fallback. */
import { loadNative } from "../backend/native.js";
import { BraidError } from "../errors.js";
import { setBackend } from "../backend/backend.js";

try {
  setBackend(loadNative(), "native");
} catch (e) {
  throw new BraidError("BACKEND_UNAVAILABLE", `the braid native addon did not load: ${String(e)}`, { cause: e });
}

export * from "../index.js";

/** Loads the napi-rs addon through its generated loader (per-platform binary lookup). */
import { createRequire } from "node:module";
import type { AsyncBinding, BackendBinding } from "./binding.js";
import type * as Binding from "../../native/index.cjs";

type NativeBinding = typeof Binding;

// Compile-time parity check: the generated bindings must satisfy the hand-written interfaces.
type Check<T extends BackendBinding & AsyncBinding> = T;
export type NativeBackend = Check<NativeBinding>;

/** Loads the addon; throws (with the loader's per-candidate causes) when no binary fits. */
export function loadNative(): NativeBackend {
  const require = createRequire(import.meta.url);
  return require("../../native/index.cjs") as NativeBinding;
}

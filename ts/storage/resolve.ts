/** Turns a URL into storage through `openStorage`; a `Storage` passes through. */
import { openStorage, type OpenStorageOptions } from "./index.js";
import type { Storage } from "./types.js";

export async function resolveStorage(target: string | Storage, options?: OpenStorageOptions): Promise<Storage> {
  return typeof target === "string" ? await openStorage(target, options) : target;
}

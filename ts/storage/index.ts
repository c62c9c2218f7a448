/**
 * `openStorage(url)`: one entry point for every backend. The Node-only backends (local files,
 * `gs://`) are imported dynamically, so this module and everything it imports statically stay
 * loadable in browsers.
 */
import { BraidError } from "../errors.js";
import type { GcsStorageOptions } from "./gcs.js";
import { HttpStorage, type HttpStorageOptions } from "./http.js";
import { MemoryStorage } from "./memory.js";
import type { Storage } from "./types.js";

export type { ByteRange, ObjectWriter, Storage, WriteOptions } from "./types.js";
export type { GcsStorage, GcsStorageOptions } from "./gcs.js";
export type { LocalStorage } from "./local.js";
export { HttpStorage, type HttpStorageOptions } from "./http.js";
export { MemoryStorage } from "./memory.js";
export { joinKey } from "./keys.js";

export interface OpenStorageOptions {
  /** For `gs://` URLs. */
  gcs?: GcsStorageOptions;
  /** For `http(s)://` URLs. */
  http?: HttpStorageOptions;
}

/**
 * Storage for `url`: a path or `file://` URL (local files), `gs://bucket/prefix`,
 * `http(s)://…` (read-only), or `memory://name/prefix` (the process-wide memory store `name`).
 */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<Storage> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
    case "file": {
      if (typeof process === "undefined" || !process.versions?.node) {
        throw new BraidError("INVALID_ARGUMENT", `local storage (${url}) needs Node; use http(s):// or memory:// here`);
      }
      const { LocalStorage } = await import("./local.js");
      return new LocalStorage(url);
    }
    case "gs": {
      const { GcsStorage } = await import("./gcs.js");
      return new GcsStorage(url, options.gcs);
    }
    case "http":
    case "https":
      return new HttpStorage(url, options.http);
    case "memory": {
      const [name = "", ...rest] = url.slice("memory://".length).split("/");
      return new MemoryStorage(name).child(rest.join("/"));
    }
    default:
      throw new BraidError("INVALID_ARGUMENT", `unsupported storage URL ${url} (use a path, file://, gs://, http(s):// or memory://)`);
  }
}

/** What a served file is (Content-Type) and how long a browser may keep it (Cache-Control). */

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  // instantiateStreaming insists on this type.
  wasm: "application/wasm",
  svg: "image/svg+xml",
  txt: "text/plain; charset=utf-8",
};

/** Metadata that a writer replaces in place (a downres appends scales to `info`). */
const METADATA = new Set(["info", "zarr.json", ".zarray", ".zgroup", ".zattrs", ".zmetadata"]);

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

export function contentType(path: string): string {
  const name = baseName(path);
  if (METADATA.has(name)) return "application/json";
  const dot = name.lastIndexOf(".");
  return (dot > 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || "application/octet-stream";
}

/**
 * Volume metadata is never cached: it changes while the server runs (downres, re-export) and a
 * stale `info` would point at shards that are not there. Data objects are revalidated, since
 * they too are rewritten in place (atomically) by a re-run.
 */
export function volumeCacheControl(path: string): string {
  return METADATA.has(baseName(path)) ? "no-store" : "no-cache";
}

/** The client's files are named by content hash, except the page that names them. */
export function clientCacheControl(path: string): string {
  return /\.[0-9a-f]{8}\.(js|css|wasm)$/.test(path) ? "public, max-age=31536000, immutable" : "no-cache";
}

/**
 * gzip and zstd in the Rust core. `…Async` variants run on the libuv thread pool with the
 * native addon and inline (still returning a promise) with WebAssembly.
 */
import type { Backend } from "../backend/backend.js";
import { BraidError, call, callAsync } from "../errors.js";

export interface DecompressOptions {
  /** Fail with TOO_LARGE instead of producing more bytes than this. */
  maxBytes?: number;
}

/** Rejects a gzip level outside 0..9 before anything is written with it. */
export function checkGzipLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new BraidError("INVALID_ARGUMENT", `gzip level must be an integer 0..9, got ${level}`);
  }
  return level;
}

/** One gzip member (mtime 0, OS 3 like TensorStore). Level 0–9, default the core's (5: libdeflate, or 6 where the core was built without it). */
export function gzip(backend: Backend, data: Uint8Array, level?: number): Uint8Array {
  return call(() => backend.binding.gzip(data, level ?? null));
}

/** {@link gzip} off the main thread. */
export async function gzipAsync(backend: Backend, data: Uint8Array, level?: number): Promise<Uint8Array> {
  const b = backend.binding;
  if (!b.gzipAsync) return gzip(backend, data, level);
  return callAsync(() => b.gzipAsync!(data, level ?? null));
}

/** Decompresses exactly one gzip member; trailing bytes are an error. */
export function gunzip(backend: Backend, data: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  return call(() => backend.binding.gunzip(data, options.maxBytes ?? null));
}

/** {@link gunzip} off the main thread. */
export async function gunzipAsync(backend: Backend, data: Uint8Array, options: DecompressOptions = {}): Promise<Uint8Array> {
  const b = backend.binding;
  if (!b.gunzipAsync) return gunzip(backend, data, options);
  return callAsync(() => b.gunzipAsync!(data, options.maxBytes ?? null));
}

/** Decompresses one zstd frame; `expectedSize` (if given) must match exactly. */
export function zstdDecompress(
  backend: Backend,
  data: Uint8Array,
  options: DecompressOptions & { expectedSize?: number } = {},
): Uint8Array {
  return call(() => backend.binding.zstdDecompress(data, options.expectedSize ?? null, options.maxBytes ?? null));
}

/** Compresses into one zstd frame with content size and checksum (as DVID writes blocks). */
export function zstdCompress(backend: Backend, data: Uint8Array, level = 3): Uint8Array {
  return call(() => backend.binding.zstdCompress(data, level));
}

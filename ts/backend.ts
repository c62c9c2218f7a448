/**
 * The raw surface both backends implement: the napi-rs addon (`native/`) and the
 * wasm-bindgen module (`wasm/`). `backends/native.ts` and `backends/wasm.ts` check their
 * generated bindings against these interfaces at compile time, so the two cannot drift.
 *
 * Conventions: shapes are `Uint32Array` `[x, y, z]` (or `[x, y, z, channels]`), volumes are
 * x-fastest, optional arguments are `undefined`/`null`, errors are thrown as
 * `Error("[CODE] message")` and converted to `BraidError` by the public API.
 */

/** A decoded volume as returned by a backend. */
export interface RawVolume {
  data: BigUint64Array;
  shape: Uint32Array;
}

export interface Backend {
  decodeDvidBlock(block: Uint8Array, labels?: BigUint64Array | null): RawVolume;
  encodeDvidBlock(volume: BigUint64Array, shape: Uint32Array): Uint8Array;
  encodeCompressedSegmentationU64(volume: BigUint64Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  encodeCompressedSegmentationU32(volume: Uint32Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  decodeCompressedSegmentationU64(data: Uint8Array, shape: Uint32Array, blockSize: Uint32Array): BigUint64Array;
  decodeCompressedSegmentationU32(data: Uint8Array, shape: Uint32Array, blockSize: Uint32Array): Uint32Array;
  transcodeDvidBlock(
    block: Uint8Array,
    labels?: BigUint64Array | null,
    extent?: Uint32Array | null,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
    uncompressedSize?: number | null,
  ): Uint8Array | null | undefined;
  gzip(data: Uint8Array, level?: number | null): Uint8Array;
  gunzip(data: Uint8Array, maxBytes?: number | null): Uint8Array;
  zstdDecompress(data: Uint8Array, expectedSize?: number | null, maxBytes?: number | null): Uint8Array;
  zstdCompress(data: Uint8Array, level?: number | null): Uint8Array;
}

/** Off-main-thread variants only the native addon has (libuv thread pool). */
export interface AsyncBackend {
  decodeDvidBlockAsync(block: Uint8Array, labels?: BigUint64Array | null): Promise<RawVolume>;
  encodeCompressedSegmentationU64Async(
    volume: BigUint64Array,
    shape: Uint32Array,
    blockSize: Uint32Array,
  ): Promise<Uint32Array>;
  decodeCompressedSegmentationU64Async(
    data: Uint8Array,
    shape: Uint32Array,
    blockSize: Uint32Array,
  ): Promise<BigUint64Array>;
  transcodeDvidBlockAsync(
    block: Uint8Array,
    labels?: BigUint64Array | null,
    extent?: Uint32Array | null,
    blockSize?: Uint32Array | null,
    gzipLevel?: number | null,
    uncompressedSize?: number | null,
  ): Promise<Uint8Array | null>;
  gzipAsync(data: Uint8Array, level?: number | null): Promise<Uint8Array>;
  gunzipAsync(data: Uint8Array, maxBytes?: number | null): Promise<Uint8Array>;
}

export type BackendName = "native" | "wasm";

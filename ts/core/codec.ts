/**
 * Codec functions: DVID label blocks, neuroglancer compressed_segmentation, the fused
 * DVID → compressed_segmentation (+gzip) transcode, gzip and zstd. Identical on both
 * backends; `...Async` variants run on the libuv thread pool with the native addon and
 * inline (still returning a promise) with WebAssembly.
 */
import type { RawVolume } from "../backend/binding.js";
import { call, callAsync } from "../errors.js";
import { current } from "../backend/backend.js";
import type { ChunkShape, LabelType, LabelVolume, Vec3 } from "../types.js";

const DEFAULT_BLOCK: Vec3 = [8, 8, 8];

const u32 = (v: readonly number[]) => Uint32Array.from(v);
const bytesOf = (d: Uint8Array | Uint32Array) =>
  d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

function toVolume(v: RawVolume): LabelVolume {
  return { data: v.data, shape: [v.shape[0]!, v.shape[1]!, v.shape[2]!] };
}

export interface DecodeDvidBlockOptions {
  /**
   * Body ids parallel to the block's label list (the export record's `labels` column):
   * voxels get `labels[i]` instead of supervoxel `L[i]`. Omit to keep supervoxels.
   */
  labels?: BigUint64Array | null;
}

/** Decodes a DVID compressed label block (raw or zstd-wrapped) to an x-fastest volume. */
export function decodeDvidBlock(block: Uint8Array, options: DecodeDvidBlockOptions = {}): LabelVolume {
  return toVolume(call(() => current().decodeDvidBlock(block, options.labels ?? null)));
}

/** {@link decodeDvidBlock} off the main thread. */
export async function decodeDvidBlockAsync(
  block: Uint8Array,
  options: DecodeDvidBlockOptions = {},
): Promise<LabelVolume> {
  const b = current();
  if (!b.decodeDvidBlockAsync) return decodeDvidBlock(block, options);
  return toVolume(await callAsync(() => b.decodeDvidBlockAsync!(block, options.labels ?? null)));
}

export interface EncodeDvidBlockOptions {
  /** Wrap the block in a zstd frame of this level, as DVID's exporter stores blocks. */
  zstdLevel?: number;
}

/** Encodes an x-fastest volume (each axis a multiple of 8) as a DVID compressed label block. */
export function encodeDvidBlock(volume: BigUint64Array, shape: Vec3, options: EncodeDvidBlockOptions = {}): Uint8Array {
  const raw = call(() => current().encodeDvidBlock(volume, u32(shape)));
  return options.zstdLevel === undefined ? raw : zstdCompress(raw, options.zstdLevel);
}

/**
 * Encodes compressed_segmentation (neuroglancer/TensorStore byte-identical), including the
 * channel offset table. `shape` is the (clipped) chunk shape, optionally with channels.
 */
export function encodeCompressedSegmentation(
  volume: BigUint64Array | Uint32Array,
  shape: ChunkShape,
  blockSize: Vec3 = DEFAULT_BLOCK,
): Uint32Array {
  const b = current();
  return call(() =>
    volume instanceof BigUint64Array
      ? b.encodeCompressedSegmentationU64(volume, u32(shape), u32(blockSize))
      : b.encodeCompressedSegmentationU32(volume, u32(shape), u32(blockSize)),
  );
}

/** {@link encodeCompressedSegmentation} off the main thread. */
export async function encodeCompressedSegmentationAsync(
  volume: BigUint64Array | Uint32Array,
  shape: ChunkShape,
  blockSize: Vec3 = DEFAULT_BLOCK,
): Promise<Uint32Array> {
  const b = current();
  if (!(volume instanceof BigUint64Array) || !b.encodeCompressedSegmentationU64Async) {
    return encodeCompressedSegmentation(volume, shape, blockSize);
  }
  return callAsync(() => b.encodeCompressedSegmentationU64Async!(volume, u32(shape), u32(blockSize)));
}

export interface DecodeCompressedSegmentationOptions<T extends LabelType> {
  blockSize?: Vec3;
  /** Label type of the volume; default `"uint64"`. */
  dataType?: T;
}

type LabelArray<T extends LabelType> = T extends "uint32" ? Uint32Array : BigUint64Array;

/** Decodes a compressed_segmentation chunk of the given (clipped) shape. */
export function decodeCompressedSegmentation<T extends LabelType = "uint64">(
  data: Uint8Array | Uint32Array,
  shape: ChunkShape,
  options: DecodeCompressedSegmentationOptions<T> = {},
): LabelArray<T> {
  const b = current();
  const block = u32(options.blockSize ?? DEFAULT_BLOCK);
  const bytes = bytesOf(data);
  return call(() =>
    options.dataType === "uint32"
      ? b.decodeCompressedSegmentationU32(bytes, u32(shape), block)
      : b.decodeCompressedSegmentationU64(bytes, u32(shape), block),
  ) as LabelArray<T>;
}

/** {@link decodeCompressedSegmentation} off the main thread. */
export async function decodeCompressedSegmentationAsync<T extends LabelType = "uint64">(
  data: Uint8Array | Uint32Array,
  shape: ChunkShape,
  options: DecodeCompressedSegmentationOptions<T> = {},
): Promise<LabelArray<T>> {
  const b = current();
  if (options.dataType === "uint32" || !b.decodeCompressedSegmentationU64Async) {
    return decodeCompressedSegmentation(data, shape, options);
  }
  const block = u32(options.blockSize ?? DEFAULT_BLOCK);
  return callAsync(() => b.decodeCompressedSegmentationU64Async!(bytesOf(data), u32(shape), block)) as Promise<
    LabelArray<T>
  >;
}

export interface TranscodeOptions {
  /** Body ids parallel to the block label list; omit for supervoxels. */
  labels?: BigUint64Array | null;
  /** Clipped extent of the output chunk (edge chunks); default the whole block. */
  extent?: Vec3;
  /** compressed_segmentation block size; default `[8, 8, 8]`. */
  blockSize?: Vec3;
  /** gzip the payload: `true` for level 6, a number for that level, false/omitted for raw. */
  gzip?: boolean | number;
  /** Decompressed size of a zstd-wrapped block (DVID's `uncompressed_size`); enforced. */
  uncompressedSize?: number;
}

function gzipLevel(g: boolean | number | undefined): number | null {
  if (g === undefined || g === false) return null;
  return g === true ? 6 : g;
}

/**
 * DVID block → (remap) → crop → compressed_segmentation → (gzip), in one pass. Returns
 * `null` when the resulting chunk is all zeros (such chunks are not stored).
 */
export function transcodeDvidBlock(block: Uint8Array, options: TranscodeOptions = {}): Uint8Array | null {
  const b = current();
  const out = call(() =>
    b.transcodeDvidBlock(
      block,
      options.labels ?? null,
      options.extent ? u32(options.extent) : null,
      options.blockSize ? u32(options.blockSize) : null,
      gzipLevel(options.gzip),
      options.uncompressedSize ?? null,
    ),
  );
  return out ?? null;
}

/** {@link transcodeDvidBlock} off the main thread. */
export async function transcodeDvidBlockAsync(
  block: Uint8Array,
  options: TranscodeOptions = {},
): Promise<Uint8Array | null> {
  const b = current();
  if (!b.transcodeDvidBlockAsync) return transcodeDvidBlock(block, options);
  const out = await callAsync(() =>
    b.transcodeDvidBlockAsync!(
      block,
      options.labels ?? null,
      options.extent ? u32(options.extent) : null,
      options.blockSize ? u32(options.blockSize) : null,
      gzipLevel(options.gzip),
      options.uncompressedSize ?? null,
    ),
  );
  return out ?? null;
}

/** One gzip member (mtime 0, OS 3 like TensorStore). Level 0–9, default 6. */
export function gzip(data: Uint8Array, level?: number): Uint8Array {
  return call(() => current().gzip(data, level ?? null));
}

/** {@link gzip} off the main thread. */
export async function gzipAsync(data: Uint8Array, level?: number): Promise<Uint8Array> {
  const b = current();
  if (!b.gzipAsync) return gzip(data, level);
  return callAsync(() => b.gzipAsync!(data, level ?? null));
}

export interface DecompressOptions {
  /** Fail with TOO_LARGE instead of producing more bytes than this. */
  maxBytes?: number;
}

/** Decompresses exactly one gzip member; trailing bytes are an error. */
export function gunzip(data: Uint8Array, options: DecompressOptions = {}): Uint8Array {
  return call(() => current().gunzip(data, options.maxBytes ?? null));
}

/** {@link gunzip} off the main thread. */
export async function gunzipAsync(data: Uint8Array, options: DecompressOptions = {}): Promise<Uint8Array> {
  const b = current();
  if (!b.gunzipAsync) return gunzip(data, options);
  return callAsync(() => b.gunzipAsync!(data, options.maxBytes ?? null));
}

/** Decompresses one zstd frame; `expectedSize` (if given) must match exactly. */
export function zstdDecompress(data: Uint8Array, options: DecompressOptions & { expectedSize?: number } = {}): Uint8Array {
  return call(() => current().zstdDecompress(data, options.expectedSize ?? null, options.maxBytes ?? null));
}

/** Compresses into one zstd frame with content size and checksum (as DVID writes blocks). */
export function zstdCompress(data: Uint8Array, level = 3): Uint8Array {
  return call(() => current().zstdCompress(data, level));
}

/**
 * neuroglancer `compressed_segmentation` (docs/formats/compressed-segmentation.md), byte
 * identical to TensorStore's and neuroglancer's encoders, including the channel offset table.
 */
import type { Backend } from "../../backend/backend.js";
import { call, callAsync } from "../../errors.js";
import type { ChunkShape, LabelType, Vec3 } from "../../types.js";

export const DEFAULT_CSEG_BLOCK: Vec3 = [8, 8, 8];

const u32 = (v: readonly number[]) => Uint32Array.from(v);
const bytesOf = (d: Uint8Array | Uint32Array) =>
  d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

export interface DecodeCompressedSegmentationOptions<T extends LabelType> {
  blockSize?: Vec3;
  /** Label type of the volume; default `"uint64"`. */
  dataType?: T;
}

type Labels<T extends LabelType> = T extends "uint32" ? Uint32Array : BigUint64Array;

/** Encodes a (clipped) chunk volume, optionally with channels, as compressed_segmentation words. */
export function encodeCompressedSegmentation(
  backend: Backend,
  volume: BigUint64Array | Uint32Array,
  shape: ChunkShape,
  blockSize: Vec3 = DEFAULT_CSEG_BLOCK,
): Uint32Array {
  const b = backend.binding;
  return call(() =>
    volume instanceof BigUint64Array
      ? b.encodeCompressedSegmentationU64(volume, u32(shape), u32(blockSize))
      : b.encodeCompressedSegmentationU32(volume, u32(shape), u32(blockSize)),
  );
}

/** {@link encodeCompressedSegmentation} off the main thread. */
export async function encodeCompressedSegmentationAsync(
  backend: Backend,
  volume: BigUint64Array | Uint32Array,
  shape: ChunkShape,
  blockSize: Vec3 = DEFAULT_CSEG_BLOCK,
): Promise<Uint32Array> {
  const b = backend.binding;
  if (!(volume instanceof BigUint64Array) || !b.encodeCompressedSegmentationU64Async) {
    return encodeCompressedSegmentation(backend, volume, shape, blockSize);
  }
  return callAsync(() => b.encodeCompressedSegmentationU64Async!(volume, u32(shape), u32(blockSize)));
}

/** Decodes a compressed_segmentation chunk of the given (clipped) shape. */
export function decodeCompressedSegmentation<T extends LabelType = "uint64">(
  backend: Backend,
  data: Uint8Array | Uint32Array,
  shape: ChunkShape,
  options: DecodeCompressedSegmentationOptions<T> = {},
): Labels<T> {
  const b = backend.binding;
  const block = u32(options.blockSize ?? DEFAULT_CSEG_BLOCK);
  const bytes = bytesOf(data);
  return call(() =>
    options.dataType === "uint32"
      ? b.decodeCompressedSegmentationU32(bytes, u32(shape), block)
      : b.decodeCompressedSegmentationU64(bytes, u32(shape), block),
  ) as Labels<T>;
}

/** {@link decodeCompressedSegmentation} off the main thread. */
export async function decodeCompressedSegmentationAsync<T extends LabelType = "uint64">(
  backend: Backend,
  data: Uint8Array | Uint32Array,
  shape: ChunkShape,
  options: DecodeCompressedSegmentationOptions<T> = {},
): Promise<Labels<T>> {
  const b = backend.binding;
  if (options.dataType === "uint32" || !b.decodeCompressedSegmentationU64Async) {
    return decodeCompressedSegmentation(backend, data, shape, options);
  }
  const block = u32(options.blockSize ?? DEFAULT_CSEG_BLOCK);
  return callAsync(() => b.decodeCompressedSegmentationU64Async!(bytesOf(data), u32(shape), block)) as Promise<Labels<T>>;
}

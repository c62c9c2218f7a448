/**
 * Chunk payloads of segmentation scales (docs/formats/precomputed.md §1.4):
 * `compressed_segmentation` or `raw` little-endian voxels, always in the clipped chunk shape.
 * Volumes are handed out as BigUint64Array whatever the stored label width, so callers handle
 * one type.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError } from "../../errors.js";
import type { Vec3 } from "../../types.js";
import { convertLabels, type LabelArray } from "../../volume/labels.js";
import { bytesPerVoxel, voxelsFromBytes, type VoxelArray } from "../../volume/voxels.js";
import { decodeCompressedSegmentationAsync, encodeCompressedSegmentation } from "./compressed-segmentation.js";
import type { InfoDataType, ScaleInfo } from "./info.js";

const voxels = (s: Vec3) => s[0] * s[1] * s[2];

function labelWidth(dataType: InfoDataType, scale: ScaleInfo): 4 | 8 {
  if (dataType === "uint64") return 8;
  if (dataType === "uint32") return 4;
  throw new BraidError("UNSUPPORTED", `scale "${scale.key}": braid reads and writes uint32/uint64 segmentation, not ${dataType}`);
}

function checkEncoding(scale: ScaleInfo): void {
  if (scale.encoding !== "raw" && scale.encoding !== "compressed_segmentation") {
    throw new BraidError("UNSUPPORTED", `scale "${scale.key}": encoding "${scale.encoding}" is not supported for segmentation`);
  }
}

function checkLength(volume: LabelArray, shape: Vec3): void {
  if (volume.length !== voxels(shape)) {
    throw new BraidError(
      "SIZE_MISMATCH",
      `a ${shape.join("×")} chunk needs ${voxels(shape)} voxels, got ${volume.length}`,
    );
  }
}

/** The volume in the scale's label width; uint64 labels ≥ 2^32 cannot go into a uint32 scale. */
function toWidth(volume: LabelArray, width: 4 | 8): BigUint64Array | Uint32Array {
  return convertLabels(volume, width === 8 ? "uint64" : "uint32");
}

const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Encodes a clipped chunk volume for `scale` (cseg with its block size, or raw LE). */
export function encodeChunkPayload(backend: Backend, scale: ScaleInfo, dataType: InfoDataType, shape: Vec3, volume: LabelArray): Uint8Array {
  checkEncoding(scale);
  checkLength(volume, shape);
  const typed = toWidth(volume, labelWidth(dataType, scale));
  if (scale.encoding === "raw") return asBytes(typed);
  return asBytes(encodeCompressedSegmentation(backend, typed, shape, scale.compressed_segmentation_block_size!));
}

/**
 * Decodes a chunk payload of the clipped `shape` to uint64 labels. Asynchronous so that the
 * native backend decodes concurrent chunk reads on the thread pool.
 */
export async function decodeChunkPayload(
  backend: Backend,
  scale: ScaleInfo,
  dataType: InfoDataType,
  shape: Vec3,
  payload: Uint8Array,
): Promise<BigUint64Array> {
  checkEncoding(scale);
  const width = labelWidth(dataType, scale);
  if (scale.encoding === "compressed_segmentation") {
    const options = { blockSize: scale.compressed_segmentation_block_size! };
    return width === 8
      ? decodeCompressedSegmentationAsync(backend, payload, shape, options)
      : BigUint64Array.from(await decodeCompressedSegmentationAsync(backend, payload, shape, { ...options, dataType: "uint32" }), BigInt);
  }
  const expected = voxels(shape) * width;
  if (payload.byteLength !== expected) {
    throw new BraidError(
      "SIZE_MISMATCH",
      `raw ${shape.join("×")} chunk must be ${expected} bytes, got ${payload.byteLength}`,
    );
  }
  // Typed arrays need aligned offsets; storage reads may hand out slices of larger buffers.
  const aligned = payload.byteOffset % width === 0 ? payload : payload.slice();
  return width === 8
    ? new BigUint64Array(aligned.buffer, aligned.byteOffset, voxels(shape))
    : BigUint64Array.from(new Uint32Array(aligned.buffer, aligned.byteOffset, voxels(shape)), BigInt);
}

/**
 * Decodes a chunk payload of the clipped `shape` in the stored data type, all `channels`
 * (x fastest, channel slowest): raw chunks of any type, cseg uint32/uint64. No widening.
 */
export async function decodeChunkVoxels(
  backend: Backend,
  scale: ScaleInfo,
  dataType: InfoDataType,
  channels: number,
  shape: Vec3,
  payload: Uint8Array,
): Promise<VoxelArray> {
  if (scale.encoding === "raw") {
    const expected = voxels(shape) * channels * bytesPerVoxel(dataType);
    if (payload.byteLength !== expected) {
      throw new BraidError(
        "SIZE_MISMATCH",
        `raw ${shape.join("×")}×${channels} ${dataType} chunk must be ${expected} bytes, got ${payload.byteLength}`,
      );
    }
    return voxelsFromBytes(dataType, payload);
  }
  if (scale.encoding !== "compressed_segmentation") {
    throw new BraidError("UNSUPPORTED", `scale "${scale.key}": braid does not decode "${scale.encoding}" chunks`);
  }
  const width = labelWidth(dataType, scale);
  const full = [shape[0], shape[1], shape[2], channels] as const;
  const options = { blockSize: scale.compressed_segmentation_block_size! };
  return width === 8
    ? decodeCompressedSegmentationAsync(backend, payload, full, options)
    : decodeCompressedSegmentationAsync(backend, payload, full, { ...options, dataType: "uint32" });
}

/** Upper bound of a decoded payload, so a gzip bomb fails instead of exhausting memory. */
export function maxPayloadBytes(scale: ScaleInfo, shape: Vec3, channels = 1): number {
  // cseg worst case: per block a 2-word header, 32-bit indices and a table entry per voxel.
  return voxels(shape) * channels * (scale.encoding === "raw" ? 8 : 20) + 64 * 1024;
}

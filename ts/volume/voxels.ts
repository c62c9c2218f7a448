/**
 * Voxel arrays of every element type a volume may store. Labels (`labels.ts`) are the unsigned
 * subset segmentation uses; images and zarr arrays also hold signed integers and floats, and
 * readers hand them out in the stored type rather than widening.
 */
import { BraidError } from "../errors.js";
import type { DataType } from "./labels.js";

export type VoxelArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** A voxel value: bigint for the 64-bit integer types, number otherwise. */
export type VoxelValue = number | bigint;

type Ctor = { new (length: number): VoxelArray; new (buffer: ArrayBufferLike, offset: number, length: number): VoxelArray };

const CTORS: Record<DataType, Ctor> = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
};

export const DATA_TYPES = Object.keys(CTORS) as readonly DataType[];

export function isDataType(v: unknown): v is DataType {
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(CTORS, v);
}

export function bytesPerVoxel(dataType: DataType): 1 | 2 | 4 | 8 {
  return CTORS[dataType].prototype.BYTES_PER_ELEMENT as 1 | 2 | 4 | 8;
}

export function is64BitInteger(dataType: DataType): boolean {
  return dataType === "uint64" || dataType === "int64";
}

/** A zeroed array of `length` voxels. */
export function allocateVoxels(dataType: DataType, length: number): VoxelArray {
  const Ctor = CTORS[dataType];
  if (!Ctor) throw new BraidError("UNSUPPORTED", `unsupported data type ${String(dataType)}`);
  return new Ctor(length);
}

/** The element type of a voxel array. */
export function dataTypeOf(array: VoxelArray): DataType {
  for (const [name, Ctor] of Object.entries(CTORS)) if (array instanceof Ctor) return name as DataType;
  throw new BraidError("INTERNAL", "not a voxel array");
}

/**
 * Views voxel bytes as an array (no copy when aligned and little-endian, which is what every
 * machine braid runs on is); big-endian bytes are swapped into a new array.
 */
export function voxelsFromBytes(dataType: DataType, bytes: Uint8Array, littleEndian = true): VoxelArray {
  const width = bytesPerVoxel(dataType);
  if (bytes.byteLength % width !== 0) {
    throw new BraidError("SIZE_MISMATCH", `${bytes.byteLength} bytes are not a whole number of ${dataType} voxels`);
  }
  let source = bytes;
  if (!littleEndian && width > 1) source = swapBytes(bytes, width);
  else if (bytes.byteOffset % width !== 0) source = bytes.slice();
  return new CTORS[dataType](source.buffer, source.byteOffset, source.byteLength / width);
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += width) for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b]!;
  return out;
}

/** The bytes of a voxel array (no copy). */
export function voxelBytes(array: VoxelArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** `value` in the array's element representation (bigint for 64-bit integers). */
export function voxelValue(dataType: DataType, value: VoxelValue): VoxelValue {
  if (is64BitInteger(dataType)) return typeof value === "bigint" ? value : BigInt(Math.trunc(value));
  return typeof value === "bigint" ? Number(value) : value;
}

export function isZeroValue(value: VoxelValue): boolean {
  return value === 0 || value === 0n;
}

/** Sets every voxel to `value` (the fill value of absent chunks). */
export function fillVoxels(array: VoxelArray, value: VoxelValue): void {
  (array as { fill(v: VoxelValue): unknown }).fill(voxelValue(dataTypeOf(array), value));
}

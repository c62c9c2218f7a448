/**
 * Label arrays of any unsigned width. Segmentation is uint64 in DVID and neuroglancer, but
 * zarr and smaller precomputed volumes store uint8/16/32; one type lets readers and writers
 * hand volumes around without caring which.
 */
import { BraidError } from "../errors.js";

export type LabelDataType = "uint8" | "uint16" | "uint32" | "uint64";

/** Element types volumes may declare; segmentation uses the unsigned ones. */
export type DataType = LabelDataType | "int8" | "int16" | "int32" | "int64" | "float32" | "float64";

export type LabelArray = Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/** The typed array of a label data type. */
export type LabelArrayOf<T extends LabelDataType> = T extends "uint8"
  ? Uint8Array
  : T extends "uint16"
    ? Uint16Array
    : T extends "uint32"
      ? Uint32Array
      : BigUint64Array;

export const LABEL_DATA_TYPES: readonly LabelDataType[] = ["uint8", "uint16", "uint32", "uint64"];

const BYTES: Record<LabelDataType, 1 | 2 | 4 | 8> = { uint8: 1, uint16: 2, uint32: 4, uint64: 8 };

export function isLabelDataType(v: unknown): v is LabelDataType {
  return typeof v === "string" && v in BYTES;
}

export function bytesPerLabel(dataType: LabelDataType): 1 | 2 | 4 | 8 {
  return BYTES[dataType];
}

/** A zeroed array of `length` labels. */
export function allocateLabels<T extends LabelDataType>(dataType: T, length: number): LabelArrayOf<T> {
  switch (dataType) {
    case "uint8":
      return new Uint8Array(length) as LabelArrayOf<T>;
    case "uint16":
      return new Uint16Array(length) as LabelArrayOf<T>;
    case "uint32":
      return new Uint32Array(length) as LabelArrayOf<T>;
    case "uint64":
      return new BigUint64Array(length) as LabelArrayOf<T>;
  }
  throw new BraidError("UNSUPPORTED", `labels must be uint8, uint16, uint32 or uint64, not ${String(dataType)}`);
}

export function labelDataTypeOf(array: LabelArray): LabelDataType {
  if (array instanceof BigUint64Array) return "uint64";
  if (array instanceof Uint32Array) return "uint32";
  if (array instanceof Uint16Array) return "uint16";
  return "uint8";
}

/** Views little-endian label bytes as an array, copying only when `bytes` is misaligned. */
export function labelsFromBytes<T extends LabelDataType>(dataType: T, bytes: Uint8Array): LabelArrayOf<T> {
  const width = BYTES[dataType];
  if (bytes.byteLength % width !== 0) {
    throw new BraidError("SIZE_MISMATCH", `${bytes.byteLength} bytes are not a whole number of ${dataType} labels`);
  }
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  const n = aligned.byteLength / width;
  switch (dataType) {
    case "uint8":
      return aligned as LabelArrayOf<T>;
    case "uint16":
      return new Uint16Array(aligned.buffer, aligned.byteOffset, n) as LabelArrayOf<T>;
    case "uint32":
      return new Uint32Array(aligned.buffer, aligned.byteOffset, n) as LabelArrayOf<T>;
    default:
      return new BigUint64Array(aligned.buffer, aligned.byteOffset, n) as LabelArrayOf<T>;
  }
}

/** The bytes of a label array (no copy). */
export function labelBytes(array: LabelArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * The labels in another width. Widening always works; narrowing fails with INVALID_ARGUMENT
 * naming the first label that does not fit, so a volume is never silently truncated.
 */
export function convertLabels<T extends LabelDataType>(array: LabelArray, dataType: T): LabelArrayOf<T> {
  if (labelDataTypeOf(array) === dataType) return array as LabelArrayOf<T>;
  const out = allocateLabels(dataType, array.length);
  if (out instanceof BigUint64Array) {
    for (let i = 0; i < array.length; i++) out[i] = BigInt(array[i]!);
    return out;
  }
  const max = 2 ** (8 * BYTES[dataType]) - 1;
  for (let i = 0; i < array.length; i++) {
    const v = array[i]!;
    const n = typeof v === "bigint" ? (v > BigInt(max) ? -1 : Number(v)) : v > max ? -1 : v;
    if (n < 0) throw new BraidError("INVALID_ARGUMENT", `label ${v} at voxel ${i} does not fit a ${dataType} volume`);
    out[i] = n;
  }
  return out;
}

/** Whether every label is 0 (the background, which segmentation formats do not store). */
export function isAllZero(array: LabelArray): boolean {
  const b = array.byteOffset;
  const n = array.byteLength;
  // 32-bit words cover every width with aligned ends, and avoid BigInt compares.
  if (b % 4 === 0 && n % 4 === 0) {
    const words = new Uint32Array(array.buffer, b, n / 4);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  const bytes = new Uint8Array(array.buffer, b, n);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

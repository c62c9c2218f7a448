/**
 * N-dimensional strided arrays and the copy of one box-shaped array into another: region
 * assembly for arrays with any number of axes in any memory order (a zarr chunk in C or F
 * order, a transposed chunk, a precomputed chunk with channels). Coordinates are per storage
 * dimension; each array covers `[start, start + shape)`.
 */
import { BraidError } from "../errors.js";
import type { VoxelArray } from "./voxels.js";

export interface StridedArray {
  data: VoxelArray;
  /** Extent per dimension. */
  shape: readonly number[];
  /** Element step per dimension. */
  strides: readonly number[];
}

/** Strides of a C-order array (last dimension fastest). */
export function cOrderStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

/** Strides for dimensions laid out in `order` (fastest first); dimensions not listed get stride 0. */
export function stridesInOrder(shape: readonly number[], order: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(0);
  let step = 1;
  for (const d of order) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

export const product = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

/**
 * Copies the part of `src` (covering `srcStart + [0, src.shape)`) that lies inside `dst`
 * (covering `dstStart + [0, dst.shape)`) into `dst`. Rows along a dimension where both
 * arrays are contiguous are copied with one `set` each.
 */
export function copyOverlap(src: StridedArray, srcStart: readonly number[], dst: StridedArray, dstStart: readonly number[]): void {
  const n = src.shape.length;
  if (dst.shape.length !== n || srcStart.length !== n || dstStart.length !== n) {
    throw new BraidError("INTERNAL", `copyOverlap: ${n}-D source into ${dst.shape.length}-D destination`);
  }
  const lo = new Array<number>(n);
  const extent = new Array<number>(n);
  for (let d = 0; d < n; d++) {
    const l = Math.max(srcStart[d]!, dstStart[d]!);
    const h = Math.min(srcStart[d]! + src.shape[d]!, dstStart[d]! + dst.shape[d]!);
    if (h <= l) return;
    lo[d] = l;
    extent[d] = h - l;
  }
  // The row dimension: one contiguous in both arrays if there is one, else the destination's fastest.
  let row = -1;
  for (let d = 0; d < n; d++) if (src.strides[d] === 1 && dst.strides[d] === 1 && extent[d]! > 1) row = d;
  if (row < 0) {
    row = 0;
    for (let d = 1; d < n; d++) if (dst.strides[d]! < dst.strides[row]!) row = d;
  }
  let s = 0;
  let t = 0;
  for (let d = 0; d < n; d++) {
    s += (lo[d]! - srcStart[d]!) * src.strides[d]!;
    t += (lo[d]! - dstStart[d]!) * dst.strides[d]!;
  }
  const from = src.data as unknown as Uint8Array;
  const to = dst.data as unknown as Uint8Array;
  const runLength = extent[row]!;
  const contiguous = src.strides[row] === 1 && dst.strides[row] === 1;
  const ss = src.strides[row]!;
  const ds = dst.strides[row]!;
  const outer = [...Array(n).keys()].filter((d) => d !== row);
  const index = new Array<number>(outer.length).fill(0);
  for (;;) {
    if (contiguous) to.set(from.subarray(s, s + runLength), t);
    else for (let i = 0; i < runLength; i++) to[t + i * ds] = from[s + i * ss]!;
    // Odometer over the other dimensions, first listed slowest.
    let k = outer.length - 1;
    for (; k >= 0; k--) {
      const d = outer[k]!;
      s += src.strides[d]!;
      t += dst.strides[d]!;
      if (++index[k]! < extent[d]!) break;
      s -= extent[d]! * src.strides[d]!;
      t -= extent[d]! * dst.strides[d]!;
      index[k] = 0;
    }
    if (k < 0) return;
  }
}

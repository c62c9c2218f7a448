/** Region assembly: chunks of a level copied into one x-fastest array covering a box. */
import type { VoxelBox } from "./box.js";
import type { LabelArray } from "./labels.js";

/**
 * Copies the part of `chunk` (an x-fastest array covering `chunkBox`) that lies inside `box`
 * into `out` (an x-fastest array covering `box`, of the same label width).
 */
export function copyIntersection<T extends LabelArray>(chunk: T, chunkBox: VoxelBox, out: T, box: VoxelBox): void {
  const lo = [0, 1, 2].map((d) => Math.max(chunkBox.origin[d]!, box.origin[d]!));
  const hi = [0, 1, 2].map((d) => Math.min(chunkBox.origin[d]! + chunkBox.shape[d]!, box.origin[d]! + box.shape[d]!));
  if (lo.some((l, d) => l >= hi[d]!)) return;
  const [cx, cy] = chunkBox.shape;
  const [bx, by] = box.shape;
  const rowLength = hi[0]! - lo[0]!;
  // The typed arrays' set/subarray are per-type; the union's signatures do not unify.
  const src = chunk as unknown as Uint8Array;
  const dst = out as unknown as Uint8Array;
  for (let z = lo[2]!; z < hi[2]!; z++) {
    for (let y = lo[1]!; y < hi[1]!; y++) {
      const from = lo[0]! - chunkBox.origin[0] + cx * (y - chunkBox.origin[1] + cy * (z - chunkBox.origin[2]));
      const to = lo[0]! - box.origin[0] + bx * (y - box.origin[1] + by * (z - box.origin[2]));
      dst.set(src.subarray(from, from + rowLength), to);
    }
  }
}

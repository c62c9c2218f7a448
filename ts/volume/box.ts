/** Boxes of voxels, in absolute coordinates of one level: `[origin, origin + shape)` per axis. */
import type { Vec3 } from "../types.js";

export interface VoxelBox {
  origin: Vec3;
  shape: Vec3;
}

export const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

/** Voxels in a box (0 when any axis is empty). */
export function boxVoxels(box: VoxelBox): number {
  return box.shape[0] * box.shape[1] * box.shape[2];
}

/** Exclusive upper corner. */
export function boxEnd(box: VoxelBox): Vec3 {
  return vec3((d) => box.origin[d]! + box.shape[d]!);
}

/** The common part of two boxes, or undefined when they do not overlap. */
export function intersectBoxes(a: VoxelBox, b: VoxelBox): VoxelBox | undefined {
  const lo = vec3((d) => Math.max(a.origin[d]!, b.origin[d]!));
  const hi = vec3((d) => Math.min(a.origin[d]! + a.shape[d]!, b.origin[d]! + b.shape[d]!));
  if (lo.some((l, d) => l >= hi[d]!)) return undefined;
  return { origin: lo, shape: vec3((d) => hi[d]! - lo[d]!) };
}

/** Whether `inner` lies inside `outer` (an empty inner box lies anywhere inside it). */
export function boxContains(outer: VoxelBox, inner: VoxelBox): boolean {
  return [0, 1, 2].every(
    (d) => inner.origin[d]! >= outer.origin[d]! && inner.origin[d]! + inner.shape[d]! <= outer.origin[d]! + outer.shape[d]!,
  );
}

/** Every cell of a box of grid cells, x fastest. */
export function cellsOf(box: VoxelBox): Vec3[] {
  const out: Vec3[] = [];
  const [ox, oy, oz] = box.origin;
  for (let z = oz; z < oz + box.shape[2]; z++)
    for (let y = oy; y < oy + box.shape[1]; y++) for (let x = ox; x < ox + box.shape[0]; x++) out.push([x, y, z]);
  return out;
}

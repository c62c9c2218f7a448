/** Chunk-grid arithmetic shared by info validation and scale geometry (docs/formats/precomputed.md §1.3, docs/formats/sharded.md §2.2). */
import type { Vec3 } from "../../types.js";

/** `ceil(size / chunk)` per axis; 0 for an empty axis. */
export function gridShape(size: Vec3, chunk: Vec3): Vec3 {
  return [Math.ceil(size[0] / chunk[0]), Math.ceil(size[1] / chunk[1]), Math.ceil(size[2] / chunk[2])];
}

/** Bits needed to represent `v` (`bitWidth(0) = 0`); `v` < 2^32. */
export function bitWidth(v: number): number {
  return v <= 0 ? 0 : 32 - Math.clz32(v);
}

/** Compressed-Morton bits per axis: `bit_width(G - 1)`. */
export function mortonBits(size: Vec3, chunk: Vec3): Vec3 {
  const g = gridShape(size, chunk);
  return [bitWidth(g[0] - 1), bitWidth(g[1] - 1), bitWidth(g[2] - 1)];
}

/**
 * The chunk grid of one level, whatever the format: `ceil(size / chunk)` cells per axis,
 * anchored at the level's voxel offset, cells clipped at the upper edge of the volume.
 */
import { BraidError } from "../errors.js";
import type { Vec3 } from "../types.js";
import { vec3, type VoxelBox } from "./box.js";

export class ChunkGrid {
  readonly gridShape: Vec3;

  constructor(
    /** Voxels per axis. */
    readonly size: Vec3,
    /** Absolute coordinate of the first voxel. */
    readonly voxelOffset: Vec3,
    /** Voxels per chunk per axis. */
    readonly chunkSize: Vec3,
    /** Names the level in error messages. */
    readonly label = "level",
  ) {
    this.gridShape = vec3((d) => Math.ceil(size[d]! / chunkSize[d]!));
  }

  /** The level's voxel domain. */
  get domain(): VoxelBox {
    return { origin: this.voxelOffset, shape: this.size };
  }

  get chunkCount(): number {
    return this.gridShape[0] * this.gridShape[1] * this.gridShape[2];
  }

  checkCell(cell: Vec3): void {
    for (let d = 0; d < 3; d++) {
      const g = cell[d]!;
      if (!Number.isInteger(g) || g < 0 || g >= this.gridShape[d]!) {
        throw new BraidError(
          "INVALID_ARGUMENT",
          `${this.label}: cell (${cell.join(",")}) is outside the ${this.gridShape.join("×")} chunk grid`,
        );
      }
    }
  }

  /** Voxels of a grid cell, clipped to the volume. */
  chunkBox(cell: Vec3): VoxelBox {
    this.checkCell(cell);
    const start = (d: number) => cell[d]! * this.chunkSize[d]!;
    return {
      origin: vec3((d) => this.voxelOffset[d]! + start(d)),
      shape: vec3((d) => Math.min(this.chunkSize[d]!, this.size[d]! - start(d))),
    };
  }

  /** Half-open range of grid cells intersecting a voxel box, per axis, clamped to the grid. */
  cellRange(box: VoxelBox): { lo: Vec3; hi: Vec3 } {
    const rel = (d: number) => box.origin[d]! - this.voxelOffset[d]!;
    return {
      lo: vec3((d) => Math.max(0, Math.floor(rel(d) / this.chunkSize[d]!))),
      hi: vec3((d) => Math.min(this.gridShape[d]!, Math.ceil((rel(d) + box.shape[d]!) / this.chunkSize[d]!))),
    };
  }

  /** Grid cells intersecting a voxel box (x fastest); cells outside the grid are skipped. */
  cellsInBox(box: VoxelBox): Vec3[] {
    if (box.shape.some((s) => s <= 0)) return [];
    const { lo, hi } = this.cellRange(box);
    const out: Vec3[] = [];
    for (let z = lo[2]; z < hi[2]; z++) for (let y = lo[1]; y < hi[1]; y++) for (let x = lo[0]; x < hi[0]; x++) out.push([x, y, z]);
    return out;
  }
}

/**
 * What every volume braid reads looks like, whatever its format: levels of detail (scale 0
 * finest), each a chunk grid of voxels that can be read by chunk or by region. Formats
 * (`formats/precomputed`) and the lazy reader over any format (`lazy-volume.ts`, what
 * `openVolume` returns) implement these; jobs use only these. Non-spatial dimensions (channels,
 * time) ride along: a chunk or region holds all of them, x fastest, then y, z, then those.
 */
import type { Vec3 } from "../types.js";
import type { VoxelBox } from "./box.js";
import type { ChunkGrid } from "./grid.js";
import type { DataType } from "./labels.js";
import type { VoxelArray } from "./voxels.js";

export interface Level {
  /** Position in the pyramid, 0 = finest. */
  readonly index: number;
  /** The format's name for the level (a precomputed scale key, a zarr array path). */
  readonly key: string;
  /** The stored element type (segmentation: uint8/16/32/64). */
  readonly dataType: DataType;
  /** Physical size of a voxel per axis (nanometres for segmentation). */
  readonly resolution: Vec3;
  readonly grid: ChunkGrid;
  /** A chunk's voxels in its clipped shape (x-fastest); undefined when the chunk is absent (fill value). */
  readChunk(cell: Vec3): Promise<VoxelArray | undefined>;
  /** Voxels of a box inside the level's domain (x-fastest); absent chunks read as the fill value (0). */
  readRegion(box: VoxelBox): Promise<VoxelArray>;
}

export interface Volume {
  /** Where the volume lives. */
  readonly url: string;
  readonly dataType: DataType;
  readonly levels: readonly Level[];
  /** A level by index or key; INVALID_ARGUMENT naming the levels there are otherwise. */
  level(which: number | string): Level;
}

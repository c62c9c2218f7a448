/**
 * Where a pyramid step has work: a real volume is a brain in a box — most of its bounding box
 * holds nothing, and exports are often partial — so downres finds what is stored (a listing
 * of the source level, one request per page) and plans and computes only output chunks under
 * it. Absent chunks are 0 everywhere, so an output chunk whose source chunks are all absent
 * is absent too: TensorStore's `downsample(…, "mode")` of the stored level would make it 0.
 */
import type { Vec3 } from "../../types.js";
import { boxVoxels, vec3, type VoxelBox } from "../../volume/box.js";
import type { ChunkGrid } from "../../volume/grid.js";
import type { LevelWriter } from "../../volume/writer.js";
import { DOWNRES_FACTORS } from "./task.js";

/** A box of grid cells (`origin`/`shape` in cells) that may hold data. */
export interface CellBox {
  origin: Vec3;
  shape: Vec3;
  /** The stored shard the box is (identity-sharded levels), as a decimal string. */
  shard?: string;
}

/** Disjoint boxes of cells covering every stored chunk of a level. */
export interface Populated {
  boxes: CellBox[];
  /** Whether each box is exactly one source shard (the shard index then tells what exists). */
  byShard: boolean;
}

const single = (cell: Vec3, shard?: bigint): CellBox => ({
  origin: cell,
  shape: [1, 1, 1],
  ...(shard === undefined ? {} : { shard: shard.toString() }),
});

/**
 * What a level stores now: its shards' boxes (identity hash), else the cells in each stored
 * shard's index (hashed shards are not boxes), else the cells of its chunk objects.
 */
export async function storedRegions(level: LevelWriter): Promise<Populated> {
  if (!level.sharded) return { boxes: (await level.listChunks()).map((c) => single(c)), byShard: false };
  const shards = await level.listShards();
  const boxes: CellBox[] = [];
  let byShard = true;
  for (const shard of shards) {
    const box = level.shardBox(shard);
    if (box) boxes.push({ origin: box.cellOrigin, shape: box.cellShape, shard: shard.toString() });
    else {
      byShard = false;
      for (const cell of await level.listChunks(shard)) boxes.push(single(cell));
    }
  }
  return { boxes, byShard };
}

/** The output voxels a box of source voxels feeds: TensorStore's domain rule, clipped. */
function outputVoxels(source: VoxelBox, output: ChunkGrid): VoxelBox {
  const f = DOWNRES_FACTORS;
  const domain = output.domain;
  const lo = vec3((d) => Math.max(domain.origin[d]!, Math.floor(source.origin[d]! / f[d]!)));
  const hi = vec3((d) =>
    Math.min(domain.origin[d]! + domain.shape[d]!, Math.ceil((source.origin[d]! + source.shape[d]!) / f[d]!)),
  );
  return { origin: lo, shape: vec3((d) => Math.max(0, hi[d]! - lo[d]!)) };
}

/** Voxels of a box of cells, clipped to the level. */
export function cellBoxVoxels(grid: ChunkGrid, box: CellBox): VoxelBox {
  const first = grid.chunkBox(box.origin);
  const last = grid.chunkBox(vec3((d) => box.origin[d]! + box.shape[d]! - 1));
  return { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) };
}

/** The box of output cells a box of source cells feeds (empty shape when none). */
export function outputCells(source: ChunkGrid, output: ChunkGrid, box: CellBox): CellBox {
  const voxels = outputVoxels(cellBoxVoxels(source, box), output);
  if (boxVoxels(voxels) === 0) return { origin: [0, 0, 0], shape: [0, 0, 0] };
  const { lo, hi } = output.cellRange(voxels);
  return { origin: lo, shape: vec3((d) => Math.max(0, hi[d]! - lo[d]!)) };
}

/** `a ∩ b` of two boxes of cells; undefined when they do not meet. */
export function intersectCells(a: CellBox, b: CellBox): CellBox | undefined {
  const lo = vec3((d) => Math.max(a.origin[d]!, b.origin[d]!));
  const hi = vec3((d) => Math.min(a.origin[d]! + a.shape[d]!, b.origin[d]! + b.shape[d]!));
  if (lo.some((l, d) => l >= hi[d]!)) return undefined;
  return { origin: lo, shape: vec3((d) => hi[d]! - lo[d]!) };
}

export const cellCount = (b: { shape: Vec3 }) => b.shape[0] * b.shape[1] * b.shape[2];

/** Cells of `within` covered by a union of boxes inside it (a bitmap over `within`). */
export function unionCount(boxes: readonly CellBox[], within: CellBox): number {
  if (boxes.length === 1) return cellCount(boxes[0]!);
  const [sx, sy] = within.shape;
  const seen = new Uint8Array(cellCount(within));
  let n = 0;
  for (const b of boxes)
    for (let z = 0; z < b.shape[2]; z++)
      for (let y = 0; y < b.shape[1]; y++) {
        const row = b.origin[0] - within.origin[0] + sx * (b.origin[1] + y - within.origin[1] + sy * (b.origin[2] + z - within.origin[2]));
        for (let x = 0; x < b.shape[0]; x++) if (!seen[row + x]) (seen[row + x] = 1), n++;
      }
  return n;
}

export const cellKey = (c: Vec3) => `${c[0]},${c[1]},${c[2]}`;

/**
 * The output cells with at least one stored source chunk under them, among the stored chunks
 * of `sourceShards` (read from their indexes).
 */
export async function presentOutputCells(
  source: LevelWriter,
  output: LevelWriter,
  sourceShards: readonly string[],
): Promise<Set<string>> {
  const present = new Set<string>();
  for (const shard of sourceShards) {
    for (const cell of await source.listChunks(BigInt(shard))) {
      const out = outputCells(source.grid, output.grid, single(cell));
      for (let z = 0; z < out.shape[2]; z++)
        for (let y = 0; y < out.shape[1]; y++)
          for (let x = 0; x < out.shape[0]; x++) present.add(cellKey([out.origin[0] + x, out.origin[1] + y, out.origin[2] + z]));
    }
  }
  return present;
}

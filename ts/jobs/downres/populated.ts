/**
 * Where a pyramid step has work: a real volume is a brain in a box — most of its bounding box
 * holds nothing, and exports are often partial — so downres finds what is stored (a listing
 * of the source level, one request per page) and plans and computes only output chunks under
 * it. Absent chunks are 0 everywhere, so an output chunk whose source chunks are all absent
 * is absent too: TensorStore's `downsample(…, "mode")` of the stored level would make it 0.
 */
import type { Vec3 } from "../../types.js";
import { vec3, type VoxelBox } from "../../volume/box.js";
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

/**
 * Along axis `d`, the output cells `[lo, hi)` that source cells `[c, c + n)` feed: their
 * voxels (clipped to the level), divided by the factor as TensorStore's domain rule does and
 * clipped to the output domain, then the output cells meeting those voxels. `[0, 0]` when none.
 */
function feedsAlong(source: ChunkGrid, output: ChunkGrid, d: number, c: number, n: number): [number, number] {
  const f = DOWNRES_FACTORS[d]!;
  const start = source.voxelOffset[d]! + c * source.chunkSize[d]!;
  const end = source.voxelOffset[d]! + Math.min(source.size[d]!, (c + n) * source.chunkSize[d]!);
  const domain = output.domain;
  const lo = Math.max(domain.origin[d]!, Math.floor(start / f));
  const hi = Math.min(domain.origin[d]! + domain.shape[d]!, Math.ceil(end / f));
  if (hi <= lo) return [0, 0];
  const cell = (v: number) => (v - output.voxelOffset[d]!) / output.chunkSize[d]!;
  return [Math.max(0, Math.floor(cell(lo))), Math.min(output.gridShape[d]!, Math.ceil(cell(hi)))];
}

/** Voxels of a box of cells, clipped to the level. */
export function cellBoxVoxels(grid: ChunkGrid, box: CellBox): VoxelBox {
  const first = grid.chunkBox(box.origin);
  const last = grid.chunkBox(vec3((d) => box.origin[d]! + box.shape[d]! - 1));
  return { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) };
}

/** The box of output cells a box of source cells feeds (empty shape when none). */
export function outputCells(source: ChunkGrid, output: ChunkGrid, box: CellBox): CellBox {
  if (cellCount(box) === 0) return { origin: [0, 0, 0], shape: [0, 0, 0] };
  source.checkCell(box.origin);
  source.checkCell(vec3((d) => box.origin[d]! + box.shape[d]! - 1));
  const along = [0, 1, 2].map((d) => feedsAlong(source, output, d, box.origin[d]!, box.shape[d]!));
  if (along.some(([lo, hi]) => hi <= lo)) return { origin: [0, 0, 0], shape: [0, 0, 0] };
  return { origin: vec3((d) => along[d]![0]), shape: vec3((d) => along[d]![1] - along[d]![0]) };
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

/** A set of cells of one grid. */
export interface CellSet {
  has(cell: Vec3): boolean;
}

/**
 * The output cells with at least one stored source chunk under them, among the stored chunks
 * of `sourceShards` (read from their indexes). The cells a source cell feeds are a product
 * of per-axis ranges, worked out once per source grid line.
 */
export async function presentOutputCells(
  source: LevelWriter,
  output: LevelWriter,
  sourceShards: readonly string[],
): Promise<CellSet> {
  const [gx, gy] = output.grid.gridShape;
  const index = (x: number, y: number, z: number) => x + gx * (y + gy * z);
  const ranges = [0, 1, 2].map((d) => {
    const memo = new Map<number, [number, number]>();
    return (c: number) => {
      let r = memo.get(c);
      if (r === undefined) memo.set(c, (r = feedsAlong(source.grid, output.grid, d, c, 1)));
      return r;
    };
  });
  const present = new Set<number>();
  for (const shard of sourceShards) {
    for (const cell of await source.listChunks(BigInt(shard))) {
      source.grid.checkCell(cell);
      const [x0, x1] = ranges[0]!(cell[0]);
      const [y0, y1] = ranges[1]!(cell[1]);
      const [z0, z1] = ranges[2]!(cell[2]);
      for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) present.add(index(x, y, z));
    }
  }
  return { has: (c) => present.has(index(c[0], c[1], c[2])) };
}

/**
 * Where things are in one scale: the chunk grid anchored at `voxel_offset`, clipped edge
 * chunks (§1.3), unsharded chunk keys, chunk ids and their shard/minishard, shard boxes, and
 * the next pyramid level's scale (§1.5).
 */
import { BraidError } from "../../errors.js";
import { chunkCells, chunkIds, locateChunks, shardFileName, shardGeometry } from "./sharding.js";
import type { ShardingSpec } from "./sharding.js";
import type { Vec3 } from "../../types.js";
import type { ScaleInfo } from "./info.js";
import { gridShape, mortonBits } from "./morton.js";

/** A box of voxels in absolute coordinates (`voxel_offset` included). */
export interface VoxelBox {
  origin: Vec3;
  shape: Vec3;
}

/** Where a chunk is stored in a sharded scale. */
export interface ChunkPlace {
  chunkId: bigint;
  shard: bigint;
  minishard: bigint;
}

/** One shard of a scale whose shards are boxes of chunks. */
export interface ShardBox {
  shard: bigint;
  /** File name inside the scale directory, e.g. `0fe9.shard`. */
  file: string;
  /** First grid cell of the shard. */
  cellOrigin: Vec3;
  /** Grid cells covered, clipped to the grid. */
  cellShape: Vec3;
  /** Voxels covered, clipped to the volume. */
  voxels: VoxelBox;
}

const volumeOf = (v: Vec3) => v[0] * v[1] * v[2];
const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

export class ScaleGeometry {
  readonly size: Vec3;
  readonly voxelOffset: Vec3;
  readonly chunkSize: Vec3;
  readonly gridShape: Vec3;
  readonly sharding: ShardingSpec | undefined;

  constructor(readonly scale: ScaleInfo) {
    this.size = scale.size;
    this.voxelOffset = scale.voxel_offset ?? [0, 0, 0];
    this.chunkSize = scale.chunk_sizes[0]!;
    this.gridShape = gridShape(this.size, this.chunkSize);
    this.sharding = scale.sharding;
  }

  /** The scale's voxel domain. */
  get domain(): VoxelBox {
    return { origin: this.voxelOffset, shape: this.size };
  }

  get chunkCount(): number {
    return volumeOf(this.gridShape);
  }

  /** Compressed-Morton bits per axis. */
  get mortonBits(): Vec3 {
    return mortonBits(this.size, this.chunkSize);
  }

  #checkCell(cell: Vec3): void {
    for (let d = 0; d < 3; d++) {
      const g = cell[d]!;
      if (!Number.isInteger(g) || g < 0 || g >= this.gridShape[d]!) {
        throw new BraidError(
          "INVALID_ARGUMENT",
          `scale "${this.scale.key}": cell (${cell.join(",")}) is outside the ${this.gridShape.join("×")} chunk grid`,
        );
      }
    }
  }

  /** Voxels of a grid cell, clipped to the volume. */
  chunkBox(cell: Vec3): VoxelBox {
    this.#checkCell(cell);
    const start = (d: number) => cell[d]! * this.chunkSize[d]!;
    return {
      origin: vec3((d) => this.voxelOffset[d]! + start(d)),
      shape: vec3((d) => Math.min(this.chunkSize[d]!, this.size[d]! - start(d))),
    };
  }

  /** Unsharded storage key of a cell: `"x0-x1_y0-y1_z0-z1"` in absolute voxels. */
  chunkKey(cell: Vec3): string {
    const { origin, shape } = this.chunkBox(cell);
    return [0, 1, 2].map((d) => `${origin[d]}-${origin[d]! + shape[d]!}`).join("_");
  }

  chunkId(cell: Vec3): bigint {
    return this.chunkIds([cell])[0]!;
  }

  chunkIds(cells: readonly Vec3[]): BigUint64Array {
    for (const c of cells) this.#checkCell(c);
    return chunkIds(this.size, this.chunkSize, cells);
  }

  /** Grid cells of chunk ids. */
  cells(ids: BigUint64Array): Vec3[] {
    return chunkCells(this.size, this.chunkSize, ids);
  }

  #spec(): ShardingSpec {
    if (!this.sharding) throw new BraidError("INVALID_ARGUMENT", `scale "${this.scale.key}" is not sharded`);
    return this.sharding;
  }

  /** Chunk id, shard and minishard of each cell (sharded scales). */
  place(cells: readonly Vec3[]): ChunkPlace[] {
    const ids = this.chunkIds(cells);
    return locateChunks(this.#spec(), ids).map((l, i) => ({ chunkId: ids[i]!, ...l }));
  }

  /** Shard and minishard of chunk ids (sharded scales). */
  locate(ids: BigUint64Array): ChunkPlace[] {
    return locateChunks(this.#spec(), ids).map((l, i) => ({ chunkId: ids[i]!, ...l }));
  }

  shardFile(shard: bigint): string {
    return shardFileName(this.#spec(), shard);
  }

  /**
   * Every shard holding part of the grid, with its box, ascending; null when shards are not
   * boxes (murmur hash).
   */
  shards(): ShardBox[] | null {
    const spec = this.#spec();
    const g = shardGeometry(spec, this.size, this.chunkSize);
    if (!g) return null;
    // With the identity hash a shard's lowest chunk id has all within-shard bits zero, and
    // its cell is the shard's origin: one batched call instead of one per shard.
    const within = BigInt(spec.preshift_bits + spec.minishard_bits);
    const firstIds = g.shards.map((s) => BigInt.asUintN(64, s << within));
    const origins = this.cells(firstIds);
    return Array.from(g.shards, (shard, i) => {
      const cellOrigin = origins[i]!;
      const cellShape = vec3((d) => Math.min(g.shardShape[d]!, this.gridShape[d]! - cellOrigin[d]!));
      const first = this.chunkBox(cellOrigin);
      const last = this.chunkBox(vec3((d) => cellOrigin[d]! + cellShape[d]! - 1));
      return {
        shard,
        file: shardFileName(spec, shard),
        cellOrigin,
        cellShape,
        voxels: { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) },
      };
    });
  }

  /** Grid cells intersecting a voxel box (x fastest); cells outside the grid are skipped. */
  cellsInBox(box: VoxelBox): Vec3[] {
    if (box.shape.some((s) => s <= 0)) return [];
    const rel = (d: number) => box.origin[d]! - this.voxelOffset[d]!;
    const lo = vec3((d) => Math.max(0, Math.floor(rel(d) / this.chunkSize[d]!)));
    const hi = vec3((d) =>
      Math.min(this.gridShape[d]!, Math.ceil((rel(d) + box.shape[d]!) / this.chunkSize[d]!)),
    );
    const out: Vec3[] = [];
    for (let z = lo[2]; z < hi[2]; z++) for (let y = lo[1]; y < hi[1]; y++) for (let x = lo[0]; x < hi[0]; x++) out.push([x, y, z]);
    return out;
  }
}

function positiveFactors(factors: Vec3): void {
  if (factors.length !== 3 || !factors.every((f) => Number.isInteger(f) && f >= 1)) {
    throw new BraidError("INVALID_ARGUMENT", `downsampling factors must be 3 positive integers, got ${JSON.stringify(factors)}`);
  }
}

/** TensorStore's key convention `"<x>_<y>_<z>"`, or `"<x>x<y>x<z>"` when the source uses that. */
function defaultKey(source: string, resolution: Vec3): string {
  return resolution.join(/^[\d.]+x[\d.]+x[\d.]+$/.test(source) ? "x" : "_");
}

/**
 * The next pyramid level: domain `[floor(o/f), ceil((o+s)/f))` per axis (TensorStore's
 * downsample domain; an empty axis stays empty), resolution × factor, same chunk size and
 * encoding. A sharding spec keeps its preshift and minishard bits and shrinks `shard_bits`
 * to `max(0, Z - preshift - minishard)` for the smaller grid's Z Morton bits.
 */
export function downsampledScale(scale: ScaleInfo, factors: Vec3, options: { key?: string } = {}): ScaleInfo {
  positiveFactors(factors);
  const o = scale.voxel_offset ?? [0, 0, 0];
  const lo = (d: number) => Math.floor(o[d]! / factors[d]!);
  const hi = (d: number) => (scale.size[d] === 0 ? lo(d) : Math.ceil((o[d]! + scale.size[d]!) / factors[d]!));
  const voxelOffset = vec3(lo);
  const size = vec3((d) => hi(d) - lo(d));
  const resolution = vec3((d) => scale.resolution[d]! * factors[d]!);
  const { key: _k, size: _s, voxel_offset: _o, resolution: _r, sharding, ...rest } = scale;
  const key = options.key ?? defaultKey(scale.key, resolution);
  const next: ScaleInfo = { ...rest, key, size, voxel_offset: voxelOffset, resolution };
  if (sharding) {
    const bits = mortonBits(size, scale.chunk_sizes[0]!);
    const z = bits[0] + bits[1] + bits[2];
    next.sharding = { ...sharding, shard_bits: Math.max(0, z - sharding.preshift_bits - sharding.minishard_bits) };
  }
  return next;
}

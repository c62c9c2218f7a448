/**
 * Where things are in one scale: the chunk grid anchored at `voxel_offset`, clipped edge
 * chunks (docs/formats/precomputed.md §1.3), unsharded chunk keys, chunk ids and their
 * shard/minishard, shard boxes, and the next pyramid level's scale (docs/formats/precomputed.md §1.5).
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, call } from "../../errors.js";
import type { Vec3 } from "../../types.js";
import { ChunkGrid } from "../../volume/grid.js";
import type { ShardBox } from "../../volume/writer.js";
import { chunkCells, chunkIds, chunkIdsInShard, encodeShardingSpec, locateChunks, shardFileName, shardGeometry } from "./sharding.js";
import type { ShardingSpec } from "./sharding.js";
import type { ScaleInfo } from "./info.js";
import { mortonBits } from "./morton.js";

/** Where a chunk is stored in a sharded scale. */
export interface ChunkPlace {
  chunkId: bigint;
  shard: bigint;
  minishard: bigint;
}

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

/**
 * Cells per axis of the write groups of an unsharded scale: each chunk is its own object, and
 * the chunks of one group are written by one task (the unsharded counterpart of a shard).
 */
export const UNSHARDED_GROUP: Vec3 = [8, 8, 8];

/**
 * A precomputed scale's chunk grid with its chunk ids, shards and unsharded chunk keys. An
 * unsharded scale's "shards" are its write groups (`UNSHARDED_GROUP` cells, numbered x fastest).
 */
export class ScaleGeometry extends ChunkGrid {
  readonly sharding: ShardingSpec | undefined;

  constructor(
    readonly backend: Backend,
    readonly scale: ScaleInfo,
  ) {
    super(scale.size, scale.voxel_offset ?? [0, 0, 0], scale.chunk_sizes[0]!, `scale "${scale.key}"`);
    this.sharding = scale.sharding;
  }

  /** Compressed-Morton bits per axis. */
  get mortonBits(): Vec3 {
    return mortonBits(this.size, this.chunkSize);
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
    for (const c of cells) this.checkCell(c);
    return chunkIds(this.backend, this.size, this.chunkSize, cells);
  }

  /** Grid cells of chunk ids. */
  cells(ids: BigUint64Array): Vec3[] {
    return chunkCells(this.backend, this.size, this.chunkSize, ids);
  }

  #spec(): ShardingSpec {
    if (!this.sharding) throw new BraidError("INVALID_ARGUMENT", `scale "${this.scale.key}" is not sharded`);
    return this.sharding;
  }

  /** Chunk id, shard and minishard of each cell (sharded scales). */
  place(cells: readonly Vec3[]): ChunkPlace[] {
    const ids = this.chunkIds(cells);
    return locateChunks(this.backend, this.#spec(), ids).map((l, i) => ({ chunkId: ids[i]!, ...l }));
  }

  /** Shard and minishard of chunk ids (sharded scales). */
  locate(ids: BigUint64Array): ChunkPlace[] {
    return locateChunks(this.backend, this.#spec(), ids).map((l, i) => ({ chunkId: ids[i]!, ...l }));
  }

  /**
   * Chunk ids and shard numbers of flat `[x, y, z, …]` cells in one core call, without an
   * object per cell (export places 32,768-row files this way). Unsharded scales: shard 0.
   */
  locateCells(cells: Uint32Array): { chunkIds: BigUint64Array; shards: BigUint64Array } {
    const ids = chunkIds(this.backend, this.size, this.chunkSize, cells);
    const shards = new BigUint64Array(ids.length);
    if (this.sharding) {
      const located = call(() => this.backend.binding.locateChunks(encodeShardingSpec(this.sharding!), ids));
      for (let i = 0; i < shards.length; i++) shards[i] = located[2 * i]!;
    } else {
      const [gx, gy] = this.#groups();
      const n = UNSHARDED_GROUP;
      for (let i = 0; i < shards.length; i++) {
        const [x, y, z] = [cells[3 * i]! / n[0] | 0, cells[3 * i + 1]! / n[1] | 0, cells[3 * i + 2]! / n[2] | 0];
        shards[i] = BigInt(x + gx * (y + gy * z));
      }
    }
    return { chunkIds: ids, shards };
  }

  /** Write groups per axis of an unsharded scale. */
  #groups(): Vec3 {
    return vec3((d) => Math.ceil(this.gridShape[d]! / UNSHARDED_GROUP[d]!));
  }

  /** The box of cells of an unsharded scale's write group. */
  groupCells(group: bigint): { origin: Vec3; shape: Vec3 } {
    const [gx, gy, gz] = this.#groups();
    const g = Number(group);
    const at: Vec3 = [g % gx, Math.floor(g / gx) % gy, Math.floor(g / (gx * gy))];
    if (!Number.isSafeInteger(g) || g < 0 || at[2] >= gz) {
      throw new BraidError("INVALID_ARGUMENT", `scale "${this.scale.key}" has no write group ${group}`);
    }
    const origin = vec3((d) => at[d]! * UNSHARDED_GROUP[d]!);
    return { origin, shape: vec3((d) => Math.min(UNSHARDED_GROUP[d]!, this.gridShape[d]! - origin[d]!)) };
  }

  /**
   * The object name of a shard; for an unsharded scale, a name for a write group: the voxel
   * range its chunk objects cover (`x0-x1_y0-y1_z0-z1/*`), which names no single object.
   */
  shardFile(shard: bigint): string {
    if (this.sharding) return shardFileName(this.backend, this.sharding, shard);
    const cells = this.groupCells(shard);
    const first = this.chunkBox(cells.origin);
    const last = this.chunkBox(vec3((d) => cells.origin[d]! + cells.shape[d]! - 1));
    return `${[0, 1, 2].map((d) => `${first.origin[d]}-${last.origin[d]! + last.shape[d]!}`).join("_")}/*`;
  }

  /** The shards' box shape in chunks, or undefined when shards are not boxes (murmur hash). */
  shardShape(): Vec3 | undefined {
    return shardGeometry(this.backend, this.#spec(), this.size, this.chunkSize)?.shardShape;
  }

  /**
   * One shard's box of cells and voxels; null when shards are not boxes (murmur hash) or the
   * shard holds no part of the grid. Costs one core call, whatever the size of the grid.
   */
  shardBox(shard: bigint): ShardBox | null {
    const spec = this.#spec();
    const shape = this.shardShape();
    if (!shape) return null;
    // With the identity hash a shard's lowest chunk id has all within-shard bits zero.
    const within = BigInt(spec.preshift_bits + spec.minishard_bits);
    const first = BigInt.asUintN(64, shard << within);
    if (first >> within !== shard) return null;
    const cellOrigin = this.cells(BigUint64Array.of(first))[0]!;
    if (cellOrigin.some((c, d) => c >= this.gridShape[d]!)) return null;
    // A cell past the grid decodes to garbage: check the origin really maps back to the shard.
    if (this.place([cellOrigin])[0]!.shard !== shard) return null;
    return this.#box(shard, cellOrigin, shape);
  }

  #box(shard: bigint, cellOrigin: Vec3, shardShape: Vec3): ShardBox {
    const cellShape = vec3((d) => Math.min(shardShape[d]!, this.gridShape[d]! - cellOrigin[d]!));
    const first = this.chunkBox(cellOrigin);
    const last = this.chunkBox(vec3((d) => cellOrigin[d]! + cellShape[d]! - 1));
    return {
      shard,
      file: shardFileName(this.backend, this.#spec(), shard),
      cellOrigin,
      cellShape,
      voxels: { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) },
    };
  }

  /** The shard a stored object name belongs to (`0fe9.shard`), or undefined for other names. */
  parseShardFile(name: string): bigint | undefined {
    const m = /^([0-9a-f]+)\.shard$/.exec(name);
    if (!m) return undefined;
    const shard = BigInt(`0x${m[1]}`);
    return this.shardFile(shard) === name ? shard : undefined;
  }

  /** The cell an unsharded chunk key names (`x0-x1_y0-y1_z0-z1`), or undefined for other keys. */
  parseChunkKey(key: string): Vec3 | undefined {
    const m = /^(-?\d+)-(-?\d+)_(-?\d+)-(-?\d+)_(-?\d+)-(-?\d+)$/.exec(key);
    if (!m) return undefined;
    const lo = [Number(m[1]), Number(m[3]), Number(m[5])];
    const cell = vec3((d) => (lo[d]! - this.voxelOffset[d]!) / this.chunkSize[d]!);
    if (cell.some((c, d) => !Number.isInteger(c) || c < 0 || c >= this.gridShape[d]!)) return undefined;
    return this.chunkKey(cell) === key ? cell : undefined;
  }

  /**
   * Every shard holding part of the grid, with its box, ascending; null when shards are not
   * boxes (murmur hash).
   */
  shards(): ShardBox[] | null {
    const spec = this.#spec();
    const g = shardGeometry(this.backend, spec, this.size, this.chunkSize);
    if (!g) return null;
    // With the identity hash a shard's lowest chunk id has all within-shard bits zero, and
    // its cell is the shard's origin: one batched call instead of one per shard.
    const within = BigInt(spec.preshift_bits + spec.minishard_bits);
    const firstIds = g.shards.map((s) => BigInt.asUintN(64, s << within));
    const origins = this.cells(firstIds);
    return Array.from(g.shards, (shard, i) => this.#box(shard, origins[i]!, g.shardShape));
  }

  /** Chunk ids of a shard in (minishard, id) order, TensorStore's write order, with their cells. */
  chunksInShard(shard: bigint): { chunkIds: BigUint64Array; cells: Vec3[] } {
    const ids = chunkIdsInShard(this.backend, this.#spec(), this.size, this.chunkSize, shard);
    return { chunkIds: ids, cells: this.cells(ids) };
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

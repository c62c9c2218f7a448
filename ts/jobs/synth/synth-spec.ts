/**
 * The neuroglancer spec of a synthetic export and its DVID shard boxes. Sharding keeps
 * `3·log2(S)` bits inside a shard, so a shard is a cube of S³ blocks wherever the grid is large
 * enough, and its voxel box is exactly the DVID shard box the file names use (docs/formats/sharded.md §2.9, docs/formats/dvid.md §6.2).
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError } from "../../errors.js";
import { downsampledScale } from "../../formats/precomputed/geometry.js";
import { parseInfo, type PrecomputedInfo, type ScaleInfo } from "../../formats/precomputed/info.js";
import { mortonBits } from "../../formats/precomputed/morton.js";
import { shardGeometry } from "../../formats/precomputed/sharding.js";
import type { Vec3 } from "../../types.js";
import { BLOCK } from "../../formats/dvid/block.js";

/** Preshift bits when a shard holds that many (the mCNS specs' 9: 8³-chunk minishards). */
const MAX_PRESHIFT = 9;

export interface SynthSpecOptions {
  /** Scale-0 size in voxels. */
  size: Vec3;
  /** DVID shard edge in blocks (a power of two). */
  shardBlocks: number;
  /** Scales to include at least (the spec always goes down to a single chunk). */
  minScales?: number;
  /** Scale-0 resolution in nm (default 8³). */
  resolution?: Vec3;
}

export function synthSpec(o: SynthSpecOptions): PrecomputedInfo {
  const { size, shardBlocks: s } = o;
  if (!Number.isInteger(s) || s < 1 || (s & (s - 1)) !== 0) {
    throw new BraidError("INVALID_ARGUMENT", `the shard edge must be a power of two number of blocks, got ${s}`);
  }
  if (size.length !== 3 || size.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new BraidError("INVALID_ARGUMENT", `size must be three positive integers, got ${JSON.stringify(size)}`);
  }
  const within = 3 * Math.log2(s);
  const preshift = Math.min(MAX_PRESHIFT, within);
  const bits = mortonBits(size, [BLOCK, BLOCK, BLOCK]);
  const resolution = o.resolution ?? [8, 8, 8];
  const s0: ScaleInfo = {
    key: resolution.join("x"),
    size,
    voxel_offset: [0, 0, 0],
    resolution,
    chunk_sizes: [[BLOCK, BLOCK, BLOCK]],
    encoding: "compressed_segmentation",
    compressed_segmentation_block_size: [8, 8, 8],
    sharding: {
      "@type": "neuroglancer_uint64_sharded_v1",
      hash: "identity",
      preshift_bits: preshift,
      minishard_bits: within - preshift,
      shard_bits: Math.max(0, bits[0] + bits[1] + bits[2] - within),
      minishard_index_encoding: "gzip",
      data_encoding: "gzip",
    },
  };
  const scales = [s0];
  const single = (x: ScaleInfo) => x.size.every((v) => v <= BLOCK);
  while (!single(scales[scales.length - 1]!) || scales.length < (o.minScales ?? 1)) {
    scales.push(downsampledScale(scales[scales.length - 1]!, [2, 2, 2]));
  }
  return parseInfo({ "@type": "neuroglancer_multiscale_volume", type: "segmentation", data_type: "uint64", num_channels: 1, scales });
}

/** DVID's shard box edge in blocks for a scale: `max_d min(G_d, 2^k_d)` (docs/formats/dvid.md §6.2). */
export function dvidShardBlocks(backend: Backend, scale: ScaleInfo): number {
  const g = shardGeometry(backend, scale.sharding!, scale.size, scale.chunk_sizes[0]!);
  if (!g) throw new BraidError("UNSUPPORTED", `scale "${scale.key}": shards are not boxes`);
  return Math.max(...g.shardShape);
}

/** File name of the DVID shard holding block `chunk`: the box's voxel origin. */
export function dvidFileName(chunk: Vec3, boxBlocks: number): string {
  return chunk.map((c) => Math.floor(c / boxBlocks) * boxBlocks * BLOCK).join("_");
}

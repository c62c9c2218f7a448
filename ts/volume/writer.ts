/**
 * The sink export and downres write through. A level is a chunk grid whose chunks are grouped
 * into shards (a format's unit of atomic writing: a sharded precomputed file, a zarr shard,
 * or a single chunk object when the level is unsharded). Producers encode chunk payloads as
 * the level asks (`chunkEncoding`, in the core, fused with decoding), hand them over shard by
 * shard as streams, and the level writes each shard atomically with flat memory.
 */
import type { Vec3 } from "../types.js";
import type { VoxelBox } from "./box.js";
import type { LabelArray } from "./labels.js";
import type { Level, Volume } from "./volume.js";

/** How a chunk's voxels are stored before any shard-level compression. */
export type ChunkEncodingSpec = "raw" | { compressedSegmentation: Vec3 };

/**
 * A chunk for a shard: `payload` in the level's chunk encoding (the level applies its
 * compression), or `encoded` with that compression already applied. `chunk` is the level's
 * key of the chunk (`locate`).
 */
export type ShardChunk = { chunkId: bigint; payload: Uint8Array } | { chunkId: bigint; encoded: Uint8Array };

export interface ShardWriteOptions {
  /** gzip level where the level compresses with gzip (default the core's, 5). */
  gzipLevel?: number;
  /**
   * Chunks arrive in the order `chunksInShard` lists them, which lets formats that can
   * reproduce a reference writer's bytes do so (precomputed: TensorStore's shard layout).
   */
  ordered?: boolean;
}

export interface WrittenShard {
  /** Object name of the shard inside the level. */
  file: string;
  /** Chunks written; 0 means nothing is stored for the shard. */
  chunkCount: number;
  /** Bytes stored (0 when nothing was written). */
  bytes: number;
}

/** One shard of a level whose shards are boxes of chunks. */
export interface ShardBox {
  shard: bigint;
  /** Object name inside the level, e.g. `0fe9.shard`. */
  file: string;
  /** First grid cell of the shard. */
  cellOrigin: Vec3;
  /** Grid cells covered, clipped to the grid. */
  cellShape: Vec3;
  /** Voxels covered, clipped to the volume. */
  voxels: VoxelBox;
}

export interface LevelWriter extends Level {
  /** What `payload` bytes of a `ShardChunk` must be. */
  readonly chunkEncoding: ChunkEncodingSpec;
  /** Whether chunks are grouped into shard objects (false: one object per chunk). */
  readonly sharded: boolean;
  /** Chunk keys and shard numbers of flat `[x, y, z, …]` cells, in one call however many. */
  locate(cells: Uint32Array): { chunkIds: BigUint64Array; shards: BigUint64Array };
  /** Object name of a shard, for reports. */
  shardFile(shard: bigint): string;
  /** Every shard with its box; null when shards are not boxes (hashed placement). */
  shards(): ShardBox[] | null;
  /** One shard's box, null when shards are not boxes; costs nothing like `shards()` does. */
  shardBox(shard: bigint): ShardBox | null;
  /** The shards stored now, from a listing of the level (one request per page). */
  listShards(): Promise<bigint[]>;
  /**
   * Cells of the chunks stored now: in one shard (from its index), or, for an unsharded
   * level, in the whole level (from a listing).
   */
  listChunks(shard?: bigint): Promise<Vec3[]>;
  /** The chunks of a shard in the order `ordered` writes expect. */
  chunksInShard(shard: bigint): { chunkIds: BigUint64Array; cells: Vec3[] };
  /** Whether a shard is stored (writes are atomic: stored means complete). */
  hasShard(shard: bigint): Promise<boolean>;
  /** Bytes stored for a shard (0 when absent), for planners' estimates. */
  shardSize(shard: bigint): Promise<number>;
  /** Streams one shard; no chunks means nothing stored (a stale shard is removed). */
  writeShard(shard: bigint, chunks: AsyncIterable<ShardChunk> | Iterable<ShardChunk>, options?: ShardWriteOptions): Promise<WrittenShard>;
  /** Object name of an unsharded level's chunk. */
  chunkFile(cell: Vec3): string;
  /** Whether an unsharded level's chunk is stored. */
  hasChunk(cell: Vec3): Promise<boolean>;
  /**
   * Writes one chunk of an unsharded level: a clipped volume (encoded here), an encoded
   * payload, or undefined / an all-zero volume (nothing stored, a stale chunk removed).
   * Resolves to whether a chunk was stored.
   */
  writeChunk(cell: Vec3, data: LabelArray | { encoded: Uint8Array } | undefined): Promise<boolean>;
  /** The stored payload of a chunk with shard-level compression undone; undefined when absent. */
  readEncodedChunk(cell: Vec3): Promise<Uint8Array | undefined>;
  /**
   * How a chunk is stored on top of `chunkEncoding`: gzip members (`"gzip"`) or as encoded
   * (`"raw"`). Levels that say so take stored payloads as `ShardChunk.encoded` (or
   * `writeChunk`'s `encoded`) and have `readStoredChunks`, so a pyramid step can hand the core
   * stored bytes and get stored bytes back.
   */
  readonly storedEncoding?: "gzip" | "raw";
  /**
   * Chunks' bytes exactly as stored (no decompression), in the order asked; undefined for
   * absent ones. Reads neighbours together where the format can.
   */
  readStoredChunks?(cells: readonly Vec3[]): Promise<(Uint8Array | undefined)[]>;
  /** Where a chunk is stored, for errors about its bytes found after they were read. */
  chunkContext?(cell: Vec3): { file: string; chunk: bigint | readonly number[] };
}

export interface VolumeWriter extends Volume {
  readonly levels: readonly LevelWriter[];
  level(which: number | string): LevelWriter;
}

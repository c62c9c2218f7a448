/**
 * `neuroglancer_uint64_sharded_v1`: chunk ids (compressed Morton codes), shard placement,
 * shard geometry, shard/minishard index decoding and the streaming shard writer. All the
 * arithmetic runs in the Rust core, identically on both backends (docs/formats/sharded.md).
 */
import type { Backend } from "../../backend/backend.js";
import type { RawShardWriter, SpecWords } from "../../backend/binding.js";
import { BraidError, call } from "../../errors.js";
import type { Vec3 } from "../../types.js";

export type HashFunction = "identity" | "murmurhash3_x86_128";
export type ShardEncoding = "raw" | "gzip";

/** The `sharding` object of a precomputed scale, as stored in `info`. */
export interface ShardingSpec {
  "@type": "neuroglancer_uint64_sharded_v1";
  preshift_bits: number;
  hash: HashFunction;
  minishard_bits: number;
  shard_bits: number;
  /** Absent means raw (not gzip). */
  minishard_index_encoding?: ShardEncoding;
  /** Absent means raw (not gzip). */
  data_encoding?: ShardEncoding;
}

const encodingCode = (e: ShardEncoding | undefined, what: string): number => {
  if (e === undefined || e === "raw") return 0;
  if (e === "gzip") return 1;
  throw new BraidError("SHARD_SPEC_INVALID", `${what} must be "raw" or "gzip", not ${JSON.stringify(e)}`);
};

/** The six-word form the backends take. Validates the spec (types, bit ranges). */
export function encodeShardingSpec(spec: ShardingSpec): SpecWords {
  if (spec["@type"] !== "neuroglancer_uint64_sharded_v1") {
    throw new BraidError("SHARD_SPEC_INVALID", `sharding @type must be "neuroglancer_uint64_sharded_v1"`);
  }
  const hash = spec.hash === "identity" ? 0 : spec.hash === "murmurhash3_x86_128" ? 1 : -1;
  if (hash < 0) throw new BraidError("SHARD_SPEC_INVALID", `unknown sharding hash ${JSON.stringify(spec.hash)}`);
  for (const k of ["preshift_bits", "minishard_bits", "shard_bits"] as const) {
    if (!Number.isInteger(spec[k]) || spec[k] < 0 || spec[k] > 64) {
      throw new BraidError("SHARD_SPEC_INVALID", `sharding ${k} must be an integer in 0..64, got ${spec[k]}`);
    }
  }
  return Uint32Array.of(
    spec.preshift_bits,
    hash,
    spec.minishard_bits,
    spec.shard_bits,
    encodingCode(spec.minishard_index_encoding, "minishard_index_encoding"),
    encodingCode(spec.data_encoding, "data_encoding"),
  );
}

const u32 = (v: readonly number[]) => Uint32Array.from(v);

function cellsArray(cells: readonly Vec3[] | Uint32Array): Uint32Array {
  return cells instanceof Uint32Array ? cells : Uint32Array.from(cells.flat());
}

/** Compressed Morton chunk ids of grid cells (relative to `voxel_offset`). */
export function chunkIds(backend: Backend, size: Vec3, chunkSize: Vec3, cells: readonly Vec3[] | Uint32Array): BigUint64Array {
  return call(() => backend.binding.chunkIds(u32(size), u32(chunkSize), cellsArray(cells)));
}

/** The chunk id of one grid cell. */
export function chunkId(backend: Backend, size: Vec3, chunkSize: Vec3, cell: Vec3): bigint {
  return chunkIds(backend, size, chunkSize, [cell])[0]!;
}

/** Grid cells `[x, y, z]` of chunk ids. */
export function chunkCells(backend: Backend, size: Vec3, chunkSize: Vec3, ids: BigUint64Array): Vec3[] {
  const flat = call(() => backend.binding.chunkCells(u32(size), u32(chunkSize), ids));
  return Array.from({ length: ids.length }, (_, i) => [flat[3 * i]!, flat[3 * i + 1]!, flat[3 * i + 2]!] as const);
}

export interface ChunkLocation {
  shard: bigint;
  minishard: bigint;
}

/** Shard and minishard of each chunk id. */
export function locateChunks(backend: Backend, spec: ShardingSpec, ids: BigUint64Array): ChunkLocation[] {
  const flat = call(() => backend.binding.locateChunks(encodeShardingSpec(spec), ids));
  return Array.from({ length: ids.length }, (_, i) => ({ shard: flat[2 * i]!, minishard: flat[2 * i + 1]! }));
}

/** `<hex>.shard`, zero-padded to `ceil(shard_bits / 4)` digits. */
export function shardFileName(backend: Backend, spec: ShardingSpec, shard: bigint | number): string {
  return call(() => backend.binding.shardFileName(encodeShardingSpec(spec), BigInt(shard)));
}

export interface ShardGeometry {
  /** Minishard box in chunks. */
  minishardShape: Vec3;
  /** Shard box in chunks. */
  shardShape: Vec3;
  /** Every shard number holding part of the grid, ascending. */
  shards: BigUint64Array;
}

const vec3 = (a: Uint32Array): Vec3 => [a[0]!, a[1]!, a[2]!];

/** How a scale's chunk grid splits into shards, or null when shards are not boxes (murmur hash). */
export function shardGeometry(backend: Backend, spec: ShardingSpec, size: Vec3, chunkSize: Vec3): ShardGeometry | null {
  const g = call(() => backend.binding.shardGeometry(encodeShardingSpec(spec), u32(size), u32(chunkSize)));
  return g ? { minishardShape: vec3(g.minishardShape), shardShape: vec3(g.shardShape), shards: g.shards } : null;
}

/** First grid cell of a shard, or null when the shard holds no part of the grid. */
export function shardOrigin(backend: Backend, spec: ShardingSpec, size: Vec3, chunkSize: Vec3, shard: bigint): Vec3 | null {
  const o = call(() => backend.binding.shardOrigin(encodeShardingSpec(spec), u32(size), u32(chunkSize), shard));
  return o ? vec3(o) : null;
}

/** Chunk ids of a shard in (minishard, id) order: TensorStore's write order. */
export function chunkIdsInShard(backend: Backend, spec: ShardingSpec, size: Vec3, chunkSize: Vec3, shard: bigint): BigUint64Array {
  return call(() => backend.binding.chunkIdsInShard(encodeShardingSpec(spec), u32(size), u32(chunkSize), shard));
}

/** `[start, end]` pairs per minishard, relative to the end of the shard index. */
export function decodeShardIndex(backend: Backend, spec: ShardingSpec, bytes: Uint8Array): BigUint64Array {
  return call(() => backend.binding.decodeShardIndex(encodeShardingSpec(spec), bytes));
}

export interface MinishardEntry {
  chunkId: bigint;
  /** Absolute byte offset of the (encoded) chunk in the shard file. */
  start: bigint;
  end: bigint;
}

/** Entries of a minishard index (as stored, raw or gzip), sorted by chunk id. */
export function decodeMinishardIndex(backend: Backend, spec: ShardingSpec, bytes: Uint8Array, minishard: bigint): MinishardEntry[] {
  const flat = call(() => backend.binding.decodeMinishardIndex(encodeShardingSpec(spec), bytes, minishard));
  return Array.from({ length: flat.length / 3 }, (_, i) => ({
    chunkId: flat[3 * i]!,
    start: flat[3 * i + 1]!,
    end: flat[3 * i + 2]!,
  }));
}

export type ShardLayout = "tensorstore" | "indexes-at-end";

export interface ShardWriterOptions {
  /**
   * `"tensorstore"`: chunks must arrive in (minishard, id) order (see `chunkIdsInShard`); each
   * minishard index follows its chunks, so a raw/raw shard is byte-identical to TensorStore's.
   * `"indexes-at-end"` (default): any order; all minishard indexes after all payloads.
   */
  layout?: ShardLayout;
  /** gzip level for gzip data/minishard encodings (default the core's, 5). */
  gzipLevel?: number;
}

export interface FinishedShard {
  /** Shard index: the first `16 * 2^minishard_bits` bytes of the file. */
  index: Uint8Array;
  /** Bytes to append after everything taken with `takePending()`. */
  tail: Uint8Array;
  chunkCount: number;
  /** Length of the data section (everything after the index). */
  dataBytes: number;
}

/**
 * Streams one shard file with flat memory: payloads are emitted as they arrive (drain them
 * with `takePending()` and append them after a placeholder for the index); only ~24 bytes per
 * chunk are kept until `finish()`, which returns the index for offset 0 and the tail.
 */
export class ShardWriter {
  readonly #raw: RawShardWriter;

  constructor(backend: Backend, spec: ShardingSpec, shard: bigint | number, options: ShardWriterOptions = {}) {
    const layout = options.layout === "tensorstore" ? 1 : 0;
    const B = backend.binding.ShardWriter;
    this.#raw = call(() => new B(encodeShardingSpec(spec), BigInt(shard), layout, options.gzipLevel ?? null));
  }

  /** Adds an unencoded payload (the writer applies `data_encoding`). */
  addChunk(chunkId: bigint, payload: Uint8Array): void {
    call(() => this.#raw.addChunk(chunkId, payload));
  }

  /** Adds a payload already encoded with `data_encoding`. */
  addEncodedChunk(chunkId: bigint, encoded: Uint8Array): void {
    call(() => this.#raw.addEncodedChunk(chunkId, encoded));
  }

  get pendingLength(): number {
    return this.#raw.pendingLength();
  }

  get chunkCount(): number {
    return this.#raw.chunkCount();
  }

  /** Data-section bytes produced since the last call. */
  takePending(): Uint8Array {
    return call(() => this.#raw.takePending());
  }

  finish(): FinishedShard {
    try {
      return call(() => this.#raw.finish());
    } finally {
      this.dispose();
    }
  }

  /** Releases the core writer (after `finish`, or to abandon a shard). Idempotent. */
  dispose(): void {
    this.#raw.free?.();
  }
}

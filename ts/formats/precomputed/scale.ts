/**
 * One scale of a precomputed volume as a level: chunk and region reads (sharded or not),
 * unsharded chunk writes and streamed shard writes. Volumes are x-fastest uint64 whatever
 * the stored width.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { boxVoxels, cellsOf, type VoxelBox } from "../../volume/box.js";
import type { ByteLru } from "../../volume/cache.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import { isAllZero, type LabelArray } from "../../volume/labels.js";
import { copyIntersection } from "../../volume/region.js";
import type { ChunkEncodingSpec, LevelWriter, ShardBox, ShardChunk, ShardWriteOptions, WrittenShard } from "../../volume/writer.js";
import type { VoxelArray } from "../../volume/voxels.js";
import { decodeChunkPayload, decodeChunkVoxels, encodeChunkPayload, maxPayloadBytes } from "./chunk-codec.js";
import { ScaleGeometry, type ChunkPlace } from "./geometry.js";
import type { InfoDataType, ScaleInfo } from "./info.js";
import { ShardReader } from "./shard-reader.js";
import type { ShardLayout } from "./sharding.js";
import { writeShardFile } from "./shard-writer.js";

export interface ScaleContext {
  backend: Backend;
  /** The scale directory. */
  storage: Storage;
  dataType: InfoDataType;
  cache: ByteLru;
  /** Chunk reads in flight during a region read. */
  concurrency: number;
  /** The volume's `num_channels` (default 1). */
  channels?: number;
}

export interface WriteShardOptions extends ShardWriteOptions {
  /**
   * `"tensorstore"` (what `ordered` means): chunks arrive in (minishard, id) order and a
   * raw/raw shard is byte-identical to TensorStore's. `"indexes-at-end"` (default): any order.
   */
  layout?: ShardLayout;
}

export class PrecomputedScale implements LevelWriter {
  readonly geometry: ScaleGeometry;
  readonly storage: Storage;
  readonly backend: Backend;
  readonly #dataType: InfoDataType;
  /** Element type of the volume's labels. */
  get dataType(): InfoDataType {
    return this.#dataType;
  }
  readonly #concurrency: number;
  readonly #channels: number;
  readonly #shards: ShardReader | undefined;

  constructor(
    readonly info: ScaleInfo,
    readonly index: number,
    context: ScaleContext,
  ) {
    this.backend = context.backend;
    this.geometry = new ScaleGeometry(context.backend, info);
    this.storage = context.storage;
    this.#dataType = context.dataType;
    this.#concurrency = context.concurrency;
    this.#channels = context.channels ?? 1;
    if (info.sharding) {
      const maxBytes = maxPayloadBytes(info, this.geometry.chunkSize, this.#channels);
      this.#shards = new ShardReader(context.backend, context.storage, info.sharding, context.cache, `${index}:${info.key}`, maxBytes);
    }
  }

  get key(): string {
    return this.info.key;
  }

  get resolution(): Vec3 {
    return this.info.resolution;
  }

  /** The chunk grid (the same object as `geometry`). */
  get grid(): ScaleGeometry {
    return this.geometry;
  }

  get sharded(): boolean {
    return this.#shards !== undefined;
  }

  get chunkEncoding(): ChunkEncodingSpec {
    const block = this.info.compressed_segmentation_block_size;
    if (this.info.encoding === "compressed_segmentation" && block) return { compressedSegmentation: block };
    if (this.info.encoding === "raw") return "raw";
    throw new BraidError("UNSUPPORTED", `scale "${this.key}" uses "${this.info.encoding}" encoding; braid handles raw or compressed_segmentation labels`);
  }

  #reader(): ShardReader {
    if (!this.#shards) throw new BraidError("INVALID_ARGUMENT", `scale "${this.key}" is not sharded`);
    return this.#shards;
  }

  #unsharded(what: string): void {
    if (this.#shards) throw new BraidError("INVALID_ARGUMENT", `scale "${this.key}" is sharded: ${what}`);
  }

  /** Where a cell's chunk lives, for error messages. */
  #where(cell: Vec3, place?: ChunkPlace): { file: string; chunk: bigint | readonly number[] } {
    return place
      ? { file: this.storage.describe(this.#reader().fileOf(place.shard)), chunk: place.chunkId }
      : { file: this.storage.describe(this.geometry.chunkKey(cell)), chunk: cell };
  }

  /** Sharded: the spec's `data_encoding`; unsharded chunks are stored as encoded. */
  get storedEncoding(): "gzip" | "raw" {
    return this.info.sharding?.data_encoding === "gzip" ? "gzip" : "raw";
  }

  /**
   * Chunks' bytes as stored (gzip members when `storedEncoding` is gzip), in the order asked;
   * undefined for missing ones. A sharded scale reads neighbours in one range request.
   */
  readStoredChunks(cells: readonly Vec3[]): Promise<(Uint8Array | undefined)[]> {
    if (this.#shards) return this.#shards.readStoredMany(this.geometry.place(cells));
    return Promise.all(cells.map((c) => this.#readEncoded(c, undefined)));
  }

  chunkContext(cell: Vec3): { file: string; chunk: bigint | readonly number[] } {
    return this.#where(cell, this.#place(cell));
  }

  async #readEncoded(cell: Vec3, place: ChunkPlace | undefined): Promise<Uint8Array | undefined> {
    if (place) return this.#reader().read(place);
    const key = this.geometry.chunkKey(cell);
    try {
      return await this.storage.read(key);
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(key), chunk: cell });
    }
  }

  async #readChunk(cell: Vec3, place: ChunkPlace | undefined): Promise<BigUint64Array | undefined> {
    const payload = await this.#readEncoded(cell, place);
    if (payload === undefined) return undefined;
    try {
      return await decodeChunkPayload(this.backend, this.info, this.#dataType, this.geometry.chunkBox(cell).shape, payload);
    } catch (e) {
      throw withContext(e, this.#where(cell, place));
    }
  }

  /**
   * A chunk's voxels in the stored data type with all channels (x fastest, channel slowest),
   * in its clipped shape; undefined when the chunk is missing.
   */
  async readChunkVoxels(cell: Vec3): Promise<VoxelArray | undefined> {
    const place = this.#place(cell);
    const payload = await this.#readEncoded(cell, place);
    if (payload === undefined) return undefined;
    try {
      return await decodeChunkVoxels(this.backend, this.info, this.#dataType, this.#channels, this.geometry.chunkBox(cell).shape, payload);
    } catch (e) {
      throw withContext(e, this.#where(cell, place));
    }
  }

  /** Drops the cached shard and minishard indexes covering these cells (after they were rewritten). */
  forgetChunks(cells: readonly Vec3[]): void {
    if (!this.#shards || cells.length === 0) return;
    const shards = new Set(this.geometry.place(cells).map((p) => p.shard));
    for (const shard of shards) this.#shards.invalidate(shard);
  }

  #place(cell: Vec3): ChunkPlace | undefined {
    return this.#shards ? this.geometry.place([cell])[0] : undefined;
  }

  /** A chunk's payload (cseg or raw bytes) with `data_encoding` undone; undefined when missing. */
  readEncodedChunk(cell: Vec3): Promise<Uint8Array | undefined> {
    return this.#readEncoded(cell, this.#place(cell));
  }

  /** A chunk's voxels in its clipped shape (x-fastest); undefined when the chunk is missing. */
  readChunk(cell: Vec3): Promise<BigUint64Array | undefined> {
    return this.#readChunk(cell, this.#place(cell));
  }

  /**
   * Voxels of a box inside the scale's domain (absolute coordinates, x-fastest). Only the
   * intersecting chunks are fetched; missing chunks read as 0.
   */
  async readRegion(box: VoxelBox): Promise<BigUint64Array> {
    const { origin, shape } = box;
    const domain = this.geometry.domain;
    for (let d = 0; d < 3; d++) {
      const ok = Number.isInteger(origin[d]) && Number.isInteger(shape[d]) && shape[d]! >= 0;
      if (!ok || origin[d]! < domain.origin[d]! || origin[d]! + shape[d]! > domain.origin[d]! + domain.shape[d]!) {
        throw new BraidError(
          "INVALID_ARGUMENT",
          `scale "${this.key}": region at (${origin.join(",")}) of ${shape.join("×")} is not inside the domain ` +
            `at (${domain.origin.join(",")}) of ${domain.shape.join("×")}`,
        );
      }
    }
    const out = new BigUint64Array(boxVoxels(box));
    const cells = this.geometry.cellsInBox(box);
    const places = this.#shards ? this.geometry.place(cells) : undefined;
    await forEachConcurrent(cells, this.#concurrency, async (cell, i) => {
      const chunk = await this.#readChunk(cell, places?.[i]);
      if (chunk) copyIntersection(chunk, this.geometry.chunkBox(cell), out, box);
    });
    return out;
  }

  /** Chunk ids stored in a shard, by minishard then id (empty when the file is missing). */
  listChunkIds(shard: bigint): Promise<BigUint64Array> {
    return this.#reader().listChunkIds(shard);
  }

  /** Every stored chunk of a shard with `data_encoding` undone, by minishard then id. */
  readShardChunks(shard: bigint): AsyncIterable<{ chunkId: bigint; payload: Uint8Array }> {
    return this.#reader().readShardChunks(shard);
  }

  /** The payload of a cell's (already clipped) volume: cseg with the scale's block size, or raw. */
  encodeChunk(cell: Vec3, volume: LabelArray): Uint8Array {
    try {
      return encodeChunkPayload(this.backend, this.info, this.#dataType, this.geometry.chunkBox(cell).shape, volume);
    } catch (e) {
      throw withContext(e, { chunk: cell });
    }
  }

  locate(cells: Uint32Array): { chunkIds: BigUint64Array; shards: BigUint64Array } {
    return this.geometry.locateCells(cells);
  }

  shardFile(shard: bigint): string {
    return this.geometry.shardFile(shard);
  }

  shards(): ShardBox[] | null {
    return this.geometry.shards();
  }

  shardBox(shard: bigint): ShardBox | null {
    return this.geometry.shardBox(shard);
  }

  async listShards(): Promise<bigint[]> {
    this.#reader();
    const out: bigint[] = [];
    try {
      for await (const key of this.storage.list("")) {
        const shard = key.includes("/") ? undefined : this.geometry.parseShardFile(key);
        if (shard !== undefined) out.push(shard);
      }
    } catch (e) {
      throw withContext(e, { file: this.storage.describe("") });
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async listChunks(shard?: bigint): Promise<Vec3[]> {
    if (this.#shards) {
      if (shard === undefined) throw new BraidError("INVALID_ARGUMENT", `scale "${this.key}" is sharded: list the chunks of one shard`);
      return this.geometry.cells(await this.#shards.listChunkIds(shard));
    }
    const out: Vec3[] = [];
    try {
      for await (const key of this.storage.list("")) {
        const cell = key.includes("/") ? undefined : this.geometry.parseChunkKey(key);
        if (cell) out.push(cell);
      }
    } catch (e) {
      throw withContext(e, { file: this.storage.describe("") });
    }
    return out;
  }

  chunksInShard(shard: bigint): { chunkIds: BigUint64Array; cells: Vec3[] } {
    if (this.sharded) return this.geometry.chunksInShard(shard);
    const cells = cellsOf(this.geometry.groupCells(shard));
    return { chunkIds: this.geometry.chunkIds(cells), cells };
  }

  /** Whether a shard file is stored; false for an unsharded scale's write groups (no one object). */
  async hasShard(shard: bigint): Promise<boolean> {
    return this.sharded && this.storage.exists(this.geometry.shardFile(shard));
  }

  async shardSize(shard: bigint): Promise<number> {
    return this.sharded ? ((await this.storage.size(this.geometry.shardFile(shard))) ?? 0) : 0;
  }

  chunkFile(cell: Vec3): string {
    return this.geometry.chunkKey(cell);
  }

  hasChunk(cell: Vec3): Promise<boolean> {
    return this.storage.exists(this.geometry.chunkKey(cell));
  }

  /**
   * Writes one chunk of an unsharded scale: a clipped volume (encoded here; an all-zero one is
   * not stored and any stale chunk deleted), an already encoded payload, or undefined (nothing
   * stored, a stale chunk deleted). Resolves to whether a chunk was stored.
   */
  async writeChunk(cell: Vec3, data: LabelArray | { encoded: Uint8Array } | undefined): Promise<boolean> {
    this.#unsharded("write whole shards with writeShard");
    const key = this.geometry.chunkKey(cell);
    const where = { file: this.storage.describe(key), chunk: cell };
    let payload: Uint8Array | undefined;
    if (data !== undefined && "encoded" in data) payload = data.encoded;
    else if (data !== undefined) {
      const zero = data.length === boxVoxels(this.geometry.chunkBox(cell)) && isAllZero(data);
      payload = zero ? undefined : this.encodeChunk(cell, data);
    }
    try {
      if (payload === undefined) await this.storage.delete(key);
      else await this.storage.write(key, payload);
    } catch (e) {
      throw withContext(e, where);
    }
    return payload !== undefined;
  }

  /**
   * Streams a whole shard (see `writeShardFile`): chunk payloads are cseg/raw bytes before
   * `data_encoding` (`payload`) or after it (`encoded`); all-zero chunks should be left out.
   * No chunks ⇒ no file. Cached indexes of the shard are dropped. `ordered` writes take
   * chunks in `chunksInShard` order and lay the shard out as TensorStore does.
   */
  async writeShard(
    shard: bigint,
    chunks: AsyncIterable<ShardChunk> | Iterable<ShardChunk>,
    options: WriteShardOptions = {},
  ): Promise<WrittenShard> {
    const reader = this.#reader();
    try {
      return await writeShardFile(this.backend, this.storage, this.info.sharding!, shard, chunks, {
        layout: options.layout ?? (options.ordered ? "tensorstore" : "indexes-at-end"),
        ...(options.gzipLevel === undefined ? {} : { gzipLevel: options.gzipLevel }),
      });
    } finally {
      reader.invalidate(shard);
    }
  }
}

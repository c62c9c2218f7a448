/**
 * One level of a braid-written OME-Zarr pyramid as a `LevelWriter`: a zarr v3 array of shape
 * `[z, y, x]` whose element (0, 0, 0) is the level's first voxel (`voxelOffset`), sharded
 * with `sharding_indexed` (docs/formats/zarr.md §5.8). Shards are the level's write units,
 * numbered x fastest over the shard grid; chunk ids number cells x fastest over the chunk
 * grid. Chunk payloads are the clipped voxels, little-endian in the array's type ("raw");
 * the level pads edge chunks and compresses them with the array's codec.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, call, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { boxVoxels, cellsOf, vec3, type VoxelBox } from "../../volume/box.js";
import type { ByteLru } from "../../volume/cache.js";
import { fanOut, forEachConcurrent } from "../../volume/concurrency.js";
import { ChunkGrid } from "../../volume/grid.js";
import { allocateLabels, convertLabels, isAllZero, labelBytes, labelsFromBytes, type LabelArray, type LabelArrayOf, type LabelDataType } from "../../volume/labels.js";
import { copyIntersection } from "../../volume/region.js";
import type { ChunkEncodingSpec, LevelWriter, ShardBox, ShardChunk, ShardWriteOptions, WrittenShard } from "../../volume/writer.js";
import { ABSENT, ShardReader, type ShardingConfig } from "./sharding.js";
import { zarrSpecWords, type ZarrArraySpec } from "./shard-spec.js";
import { writeZarrShardFile, type ZarrInnerChunk } from "./shard-writer.js";

export interface ZarrLevelGeometry {
  /** Voxels per axis, x, y, z. */
  size: Vec3;
  /** Absolute coordinate of the array's first voxel (braid's world frame, in voxels). */
  voxelOffset: Vec3;
  resolution: Vec3;
  spec: ZarrArraySpec;
}

/** Stored shard keys listed at once while finding what a level holds. */
const LIST_CONCURRENCY = 16;

const BYTES_PER_ENTRY = 16;

export class ZarrLevelWriter implements LevelWriter {
  readonly grid: ChunkGrid;
  readonly chunkEncoding: ChunkEncodingSpec = "raw";
  readonly sharded = true;
  readonly words: Uint32Array;
  /** Shards per axis. */
  readonly shardGrid: Vec3;
  readonly #reader: ShardReader;

  constructor(
    readonly backend: Backend,
    /** The array's directory. */
    readonly storage: Storage,
    readonly index: number,
    readonly key: string,
    readonly geometry: ZarrLevelGeometry,
    cache: ByteLru,
  ) {
    const { spec } = geometry;
    this.grid = new ChunkGrid(geometry.size, geometry.voxelOffset, spec.chunkShape, `level "${key}"`);
    this.words = zarrSpecWords(spec);
    this.shardGrid = vec3((d) => Math.ceil(this.grid.gridShape[d]! / spec.chunksPerShard[d]!));
    const entries = spec.chunksPerShard[0] * spec.chunksPerShard[1] * spec.chunksPerShard[2];
    const config: ShardingConfig = {
      chunkShape: [...spec.chunkShape].reverse(),
      chunksPerShard: [...spec.chunksPerShard].reverse(),
      codecs: [],
      indexLocation: "end",
      indexLittleEndian: true,
      indexChecksum: true,
      indexBytes: BYTES_PER_ENTRY * entries + 4,
    };
    this.#reader = new ShardReader(storage, config, cache, `zarr ${index}:${key}`);
  }

  get dataType(): LabelDataType {
    return this.geometry.spec.dataType;
  }

  get resolution(): Vec3 {
    return this.geometry.resolution;
  }

  /** The shard (x, y, z on the shard grid) a cell lies in, and the cell's position inside it. */
  #where(cell: Vec3): { shard: Vec3; inner: Vec3 } {
    const n = this.geometry.spec.chunksPerShard;
    return { shard: vec3((d) => Math.floor(cell[d]! / n[d]!)), inner: vec3((d) => cell[d]! % n[d]!) };
  }

  shardNumber(shard: Vec3): bigint {
    const [gx, gy] = this.shardGrid;
    return BigInt(shard[0] + gx * (shard[1] + gy * shard[2]));
  }

  shardPosition(shard: bigint): Vec3 {
    const [gx, gy, gz] = this.shardGrid;
    const s = Number(shard);
    const at: Vec3 = [s % gx, Math.floor(s / gx) % gy, Math.floor(s / (gx * gy))];
    if (!Number.isSafeInteger(s) || s < 0 || at[2] >= gz) {
      throw new BraidError("INVALID_ARGUMENT", `level "${this.key}" has no shard ${shard} (its shard grid is ${this.shardGrid.join("×")})`);
    }
    return at;
  }

  /** The shard's object key inside the array, `c/<z>/<y>/<x>`. */
  shardKey(position: Vec3): string {
    return `c/${position[2]}/${position[1]}/${position[0]}`;
  }

  #chunkId(cell: Vec3): bigint {
    const [gx, gy] = this.grid.gridShape;
    return BigInt(cell[0] + gx * (cell[1] + gy * cell[2]));
  }

  cellOf(chunkId: bigint): Vec3 {
    const [gx, gy] = this.grid.gridShape;
    const i = Number(chunkId);
    return [i % gx, Math.floor(i / gx) % gy, Math.floor(i / (gx * gy))];
  }

  locate(cells: Uint32Array): { chunkIds: BigUint64Array; shards: BigUint64Array } {
    const n = cells.length / 3;
    const chunkIds = new BigUint64Array(n);
    const shards = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const cell: Vec3 = [cells[3 * i]!, cells[3 * i + 1]!, cells[3 * i + 2]!];
      chunkIds[i] = this.#chunkId(cell);
      shards[i] = this.shardNumber(this.#where(cell).shard);
    }
    return { chunkIds, shards };
  }

  shardFile(shard: bigint): string {
    return this.shardKey(this.shardPosition(shard));
  }

  shardBox(shard: bigint): ShardBox | null {
    const at = this.shardPosition(shard);
    const n = this.geometry.spec.chunksPerShard;
    const cellOrigin = vec3((d) => at[d]! * n[d]!);
    const cellShape = vec3((d) => Math.min(n[d]!, this.grid.gridShape[d]! - cellOrigin[d]!));
    const first = this.grid.chunkBox(cellOrigin);
    const last = this.grid.chunkBox(vec3((d) => cellOrigin[d]! + cellShape[d]! - 1));
    return {
      shard,
      file: this.shardKey(at),
      cellOrigin,
      cellShape,
      voxels: { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) },
    };
  }

  shards(): ShardBox[] {
    const [gx, gy, gz] = this.shardGrid;
    const out: ShardBox[] = [];
    for (let s = 0; s < gx * gy * gz; s++) out.push(this.shardBox(BigInt(s))!);
    return out;
  }

  /** Voxels of a shard inside the array: what the core's writer pads past. */
  #extent(at: Vec3): Vec3 {
    const { chunkShape, chunksPerShard } = this.geometry.spec;
    return vec3((d) => Math.min(chunkShape[d]! * chunksPerShard[d]!, this.grid.size[d]! - at[d]! * chunkShape[d]! * chunksPerShard[d]!));
  }

  #parseShardKey(key: string): Vec3 | undefined {
    const m = /^c\/(\d+)\/(\d+)\/(\d+)$/.exec(key);
    if (!m) return undefined;
    const at: Vec3 = [Number(m[3]), Number(m[2]), Number(m[1])];
    return at.every((v, d) => v < this.shardGrid[d]!) ? at : undefined;
  }

  async listShards(): Promise<bigint[]> {
    const out: bigint[] = [];
    try {
      for await (const key of this.storage.list("c/")) {
        const at = this.#parseShardKey(key);
        if (at) out.push(this.shardNumber(at));
      }
    } catch (e) {
      throw withContext(e, { file: this.storage.describe("c/") });
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Decoded index of a shard; null when the shard object is missing. */
  async #index(at: Vec3): Promise<BigUint64Array | null> {
    const key = this.shardKey(at);
    try {
      return await this.#reader.index(key);
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(key) });
    }
  }

  async listChunks(shard?: bigint): Promise<Vec3[]> {
    const shards = shard === undefined ? await this.listShards() : [shard];
    const out: Vec3[] = [];
    const n = this.geometry.spec.chunksPerShard;
    await forEachConcurrent(shards, LIST_CONCURRENCY, async (s) => {
      const at = this.shardPosition(s);
      const index = await this.#index(at);
      if (!index) return;
      for (let i = 0; i < index.length / 2; i++) {
        if (index[2 * i] === ABSENT) continue;
        const inner: Vec3 = [i % n[0], Math.floor(i / n[0]) % n[1], Math.floor(i / (n[0] * n[1]))];
        const cell = vec3((d) => at[d]! * n[d]! + inner[d]!);
        if (cell.every((c, d) => c < this.grid.gridShape[d]!)) out.push(cell);
      }
    });
    return out;
  }

  chunksInShard(shard: bigint): { chunkIds: BigUint64Array; cells: Vec3[] } {
    const box = this.shardBox(shard)!;
    const cells = cellsOf({ origin: box.cellOrigin, shape: box.cellShape });
    return { chunkIds: BigUint64Array.from(cells, (c) => this.#chunkId(c)), cells };
  }

  hasShard(shard: bigint): Promise<boolean> {
    return this.storage.exists(this.shardFile(shard));
  }

  /** Bytes stored for a shard (0 when it is absent). */
  async shardSize(shard: bigint): Promise<number> {
    return (await this.storage.size(this.shardFile(shard))) ?? 0;
  }

  /**
   * Streams a whole shard: `payload` chunks are clipped voxels (little-endian, the array's
   * type), `encoded` ones come from `encodeChunk`/the fused transcode. No stored chunk ⇒ no
   * object (a stale one is deleted). Chunks may arrive in any order.
   */
  async writeShard(shard: bigint, chunks: AsyncIterable<ShardChunk> | Iterable<ShardChunk>, _options: ShardWriteOptions = {}): Promise<WrittenShard> {
    const at = this.shardPosition(shard);
    const key = this.shardKey(at);
    const n = this.geometry.spec.chunksPerShard;
    const inner = async function* (level: ZarrLevelWriter): AsyncGenerator<ZarrInnerChunk> {
      for await (const c of chunks) {
        const cell = level.cellOf(c.chunkId);
        const where = level.#where(cell);
        if (where.shard.some((v, d) => v !== at[d])) {
          throw new BraidError("INVALID_ARGUMENT", `level "${level.key}": chunk (${cell.join(",")}) is not in shard ${key}`, { chunk: cell });
        }
        const position = vec3((d) => cell[d]! % n[d]!);
        yield "encoded" in c ? { position, encoded: c.encoded } : { position, voxels: c.payload };
      }
    };
    try {
      const written = await writeZarrShardFile(this.backend, this.storage, key, this.words, this.#extent(at), inner(this));
      return { file: key, chunkCount: written.chunkCount, bytes: written.bytes };
    } finally {
      this.#reader.forget(key);
    }
  }

  /**
   * Writes the chunks of many shards from one stream, each shard as its own object: the
   * shards are given, chunks of others are refused.
   */
  async writeShards(shards: readonly bigint[], chunks: AsyncIterable<ShardChunk>): Promise<WrittenShard[]> {
    const lanes = new Map(shards.map((s) => [s.toString(), s]));
    const byShard = await fanOut(
      chunks,
      [...lanes.keys()],
      (c) => {
        const s = this.shardNumber(this.#where(this.cellOf(c.chunkId)).shard).toString();
        if (!lanes.has(s)) {
          throw new BraidError("INVALID_ARGUMENT", `level "${this.key}": chunk (${this.cellOf(c.chunkId).join(",")}) is in none of the shards being written`);
        }
        return [s];
      },
      (s, items) => this.writeShard(lanes.get(s)!, items),
    );
    return [...byShard.values()];
  }

  /** Encodes a chunk's clipped voxels for `writeShard`'s `encoded` (e.g. on a worker thread). */
  encodeChunk(cell: Vec3, voxels: LabelArray): Uint8Array {
    const box = this.grid.chunkBox(cell);
    const full = this.#padded(box, convertLabels(voxels, this.dataType));
    return call(() => this.backend.binding.encodeZarrChunk(this.words, labelBytes(full)));
  }

  #padded(box: VoxelBox, voxels: LabelArray): LabelArray {
    const chunk = this.geometry.spec.chunkShape;
    if (box.shape.every((s, d) => s === chunk[d])) return voxels;
    const out = allocateLabels(this.dataType, chunk[0] * chunk[1] * chunk[2]);
    copyIntersection(voxels, { origin: [0, 0, 0], shape: box.shape }, out, { origin: [0, 0, 0], shape: chunk });
    return out;
  }

  chunkFile(cell: Vec3): string {
    return this.shardKey(this.#where(cell).shard);
  }

  hasChunk(): Promise<boolean> {
    throw new BraidError("INVALID_ARGUMENT", `level "${this.key}" is sharded: ask hasShard`);
  }

  writeChunk(): Promise<boolean> {
    throw new BraidError("INVALID_ARGUMENT", `level "${this.key}" is sharded: write whole shards with writeShard`);
  }

  /** A chunk's clipped voxels as little-endian bytes of the array's type; undefined when not stored. */
  async readEncodedChunk(cell: Vec3): Promise<Uint8Array | undefined> {
    this.grid.checkCell(cell);
    const { shard, inner } = this.#where(cell);
    const key = this.shardKey(shard);
    const n = this.geometry.spec.chunksPerShard;
    let stored: Uint8Array | undefined;
    try {
      stored = await this.#reader.readChunk(key, inner[0] + n[0] * (inner[1] + n[1] * inner[2]));
      if (stored === undefined) return undefined;
      const full = call(() => this.backend.binding.decodeZarrChunk(this.words, Uint32Array.from(inner), stored!));
      const box = this.grid.chunkBox(cell);
      const chunk = this.geometry.spec.chunkShape;
      if (box.shape.every((s, d) => s === chunk[d])) return full;
      const voxels = labelsFromBytes(this.dataType, full);
      const clipped = allocateLabels(this.dataType, boxVoxels(box));
      copyIntersection(voxels, { origin: [0, 0, 0], shape: chunk }, clipped, { origin: [0, 0, 0], shape: box.shape });
      return labelBytes(clipped);
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(key), chunk: cell });
    }
  }

  async readChunk(cell: Vec3): Promise<LabelArrayOf<LabelDataType> | undefined> {
    const bytes = await this.readEncodedChunk(cell);
    return bytes && labelsFromBytes(this.dataType, bytes);
  }

  async readRegion(box: VoxelBox): Promise<LabelArray> {
    const out = allocateLabels(this.dataType, boxVoxels(box));
    await forEachConcurrent(this.grid.cellsInBox(box), 8, async (cell) => {
      const chunk = await this.readChunk(cell);
      if (chunk && !isAllZero(chunk)) copyIntersection(chunk, this.grid.chunkBox(cell), out, box);
    });
    return out;
  }
}

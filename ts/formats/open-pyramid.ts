/**
 * The pyramids braid writes, in either format, for the jobs (export, downres, verify): a
 * precomputed volume, or an OME-Zarr pyramid laid out after the same precomputed `info`
 * (level k = scale k: same size, offset, resolution and chunk size). Both present their write
 * units as the precomputed scale's shards (or unsharded write groups), so one plan drives
 * both formats, and `braid export --format both` writes a precomputed shard and the zarr
 * shard(s) of the same box from one pass over the DVID blocks. A zarr shard is the box of a
 * precomputed shard by default, or any divisor of it (`shardChunks`).
 */
import type { Backend } from "../backend/backend.js";
import { BraidError } from "../errors.js";
import type { Storage } from "../storage/types.js";
import type { Vec3 } from "../types.js";
import { cellsOf, vec3, type VoxelBox } from "../volume/box.js";
import type { ChunkGrid } from "../volume/grid.js";
import { isLabelDataType, type LabelArray, type LabelDataType } from "../volume/labels.js";
import type { ChunkEncodingSpec, LevelWriter, ShardBox, ShardChunk, ShardWriteOptions, WrittenShard } from "../volume/writer.js";
import { ScaleGeometry, UNSHARDED_GROUP } from "./precomputed/geometry.js";
import { parseInfo, serializeInfo, type PrecomputedInfo } from "./precomputed/info.js";
import { openPrecomputed, PrecomputedVolume, type PrecomputedOptions } from "./precomputed/volume.js";
import type { ZarrLevelWriter } from "./zarr/level-writer.js";
import { OmeZarrWriter, type OmeLevelLayout } from "./zarr/ome-writer.js";
import { DEFAULT_ZARR_COMPRESSION, type ZarrCompression } from "./zarr/shard-spec.js";

export type PyramidFormat = "precomputed" | "ome-zarr";

export interface OmeZarrOutputOptions {
  /** Publish as the image-label group `labels/<label>`. */
  label?: string;
  /** Inner chunks per zarr shard; must divide the precomputed shard box (default: equal to it). */
  shardChunks?: Vec3;
  compression?: ZarrCompression;
}

/** A writable pyramid whose levels' write units are the precomputed `info`'s shards. */
export interface Pyramid {
  readonly format: PyramidFormat;
  readonly url: string;
  /** The precomputed info the pyramid follows (for OME-Zarr: as recorded in its attributes). */
  readonly info: PrecomputedInfo;
  level(k: number): LevelWriter;
  /** The same pyramid following `info` (a superset of this one's scales); metadata is written. */
  withInfo(info: PrecomputedInfo): Promise<Pyramid>;
}

class PrecomputedPyramid implements Pyramid {
  readonly format = "precomputed";
  constructor(
    readonly volume: PrecomputedVolume,
    readonly options: PrecomputedOptions,
  ) {}
  get url(): string {
    return this.volume.url;
  }
  get info(): PrecomputedInfo {
    return this.volume.info;
  }
  level(k: number): LevelWriter {
    return this.volume.scale(k);
  }
  async withInfo(info: PrecomputedInfo): Promise<Pyramid> {
    if (info.scales.length > this.info.scales.length) {
      await this.volume.storage.write("info", serializeInfo(info), { contentType: "application/json" });
    }
    return new PrecomputedPyramid(new PrecomputedVolume(this.volume.backend, this.volume.storage, info, this.options), this.options);
  }
}

/** The cells of a precomputed write unit, and the unit shape (unclipped). */
function unitShape(g: ScaleGeometry): Vec3 {
  if (!g.sharding) return UNSHARDED_GROUP;
  const shape = g.shardShape();
  if (!shape) {
    throw new BraidError(
      "UNSUPPORTED",
      `scale "${g.scale.key}": OME-Zarr output needs shards that are boxes of chunks; a ${g.sharding.hash}-hashed spec's are not`,
    );
  }
  return shape;
}

function unitCells(g: ScaleGeometry, unit: bigint): { origin: Vec3; shape: Vec3 } {
  if (!g.sharding) return g.groupCells(unit);
  const box = g.shardBox(unit);
  if (!box) throw new BraidError("INVALID_ARGUMENT", `scale "${g.scale.key}" has no shard ${unit}`);
  return { origin: box.cellOrigin, shape: box.cellShape };
}

/** The OME-Zarr level layouts of a precomputed info. */
export function omeLevels(info: PrecomputedInfo, backend: Backend, shardChunks?: Vec3): OmeLevelLayout[] {
  return info.scales.map((s, k) => {
    const g = new ScaleGeometry(backend, s);
    const unit = unitShape(g);
    // Coarse scales have smaller write units: a requested shard is clipped to them (scale 0's
    // must divide as asked).
    const perShard = shardChunks ? (k === 0 ? shardChunks : vec3((d) => Math.min(shardChunks[d]!, unit[d]!))) : unit;
    if (shardChunks && (shardChunks.length !== 3 || shardChunks.some((n) => !Number.isInteger(n) || n < 1))) {
      throw new BraidError("INVALID_ARGUMENT", `zarr shard chunks must be 3 positive integers, got ${JSON.stringify(shardChunks)}`);
    }
    if (perShard.some((n, d) => unit[d]! % n !== 0)) {
      throw new BraidError(
        "INVALID_ARGUMENT",
        `zarr shards of ${JSON.stringify(shardChunks)} chunks must divide scale ${k}'s write unit (the spec's shard) of ${unit.join("×")} chunks on every axis`,
      );
    }
    return { path: `s${k}`, size: s.size, voxelOffset: s.voxel_offset, resolution: s.resolution, chunkShape: s.chunk_sizes[0]!, chunksPerShard: perShard };
  });
}

/** An OME-Zarr level seen through the precomputed scale's write units. */
class UnitLevel implements LevelWriter {
  readonly chunkEncoding: ChunkEncodingSpec = "raw";
  readonly sharded = true;

  constructor(
    readonly zarr: ZarrLevelWriter,
    readonly units: ScaleGeometry,
  ) {}

  get index(): number {
    return this.zarr.index;
  }
  get key(): string {
    return this.zarr.key;
  }
  get dataType(): LabelDataType {
    return this.zarr.dataType;
  }
  get resolution(): Vec3 {
    return this.zarr.resolution;
  }
  get grid(): ChunkGrid {
    return this.zarr.grid;
  }

  /** The zarr shards (numbers) making up a unit. */
  zarrShards(unit: bigint): bigint[] {
    const cells = unitCells(this.units, unit);
    const n = this.zarr.geometry.spec.chunksPerShard;
    const lo = vec3((d) => cells.origin[d]! / n[d]!);
    const hi = vec3((d) => Math.ceil((cells.origin[d]! + cells.shape[d]!) / n[d]!));
    const out: bigint[] = [];
    for (let z = lo[2]; z < hi[2]; z++) for (let y = lo[1]; y < hi[1]; y++) for (let x = lo[0]; x < hi[0]; x++) out.push(this.zarr.shardNumber([x, y, z]));
    return out;
  }

  locate(cells: Uint32Array): { chunkIds: BigUint64Array; shards: BigUint64Array } {
    return { chunkIds: this.zarr.locate(cells).chunkIds, shards: this.units.locateCells(cells).shards };
  }

  shardFile(unit: bigint): string {
    const shards = this.zarrShards(unit);
    const first = this.zarr.shardFile(shards[0]!);
    return shards.length === 1 ? first : `${first} (+${shards.length - 1} shards)`;
  }

  #box(unit: bigint): ShardBox {
    const cells = unitCells(this.units, unit);
    const first = this.grid.chunkBox(cells.origin);
    const last = this.grid.chunkBox(vec3((d) => cells.origin[d]! + cells.shape[d]! - 1));
    const voxels: VoxelBox = { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) };
    return { shard: unit, file: this.shardFile(unit), cellOrigin: cells.origin, cellShape: cells.shape, voxels };
  }

  shards(): ShardBox[] | null {
    if (this.units.sharding) return this.units.shards()?.map((b) => this.#box(b.shard)) ?? null;
    const g = vec3((d) => Math.ceil(this.grid.gridShape[d]! / UNSHARDED_GROUP[d]!));
    return Array.from({ length: g[0] * g[1] * g[2] }, (_, i) => this.#box(BigInt(i)));
  }

  shardBox(unit: bigint): ShardBox | null {
    try {
      return this.#box(unit);
    } catch {
      return null;
    }
  }

  async listShards(): Promise<bigint[]> {
    const stored = await this.zarr.listShards();
    const origins = stored.map((s) => this.zarr.shardBox(s)!.cellOrigin);
    const units = this.units.locateCells(Uint32Array.from(origins.flat())).shards;
    return [...new Set(units)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async listChunks(unit?: bigint): Promise<Vec3[]> {
    if (unit === undefined) return this.zarr.listChunks();
    const out: Vec3[] = [];
    for (const s of this.zarrShards(unit)) out.push(...(await this.zarr.listChunks(s)));
    return out;
  }

  chunksInShard(unit: bigint): { chunkIds: BigUint64Array; cells: Vec3[] } {
    const cells = cellsOf(unitCells(this.units, unit));
    return { chunkIds: this.zarr.locate(Uint32Array.from(cells.flat())).chunkIds, cells };
  }

  /** Every zarr shard of the unit is there. Empty shards are never stored, so a unit with
   * any all-fill shard reads as missing and is rewritten on resume: slower, never wrong. */
  async hasShard(unit: bigint): Promise<boolean> {
    for (const s of this.zarrShards(unit)) if (!(await this.zarr.hasShard(s))) return false;
    return true;
  }

  async shardSize(unit: bigint): Promise<number> {
    let n = 0;
    for (const s of this.zarrShards(unit)) n += await this.zarr.shardSize(s);
    return n;
  }

  async writeShard(unit: bigint, chunks: AsyncIterable<ShardChunk> | Iterable<ShardChunk>, options?: ShardWriteOptions): Promise<WrittenShard> {
    const shards = this.zarrShards(unit);
    const file = this.shardFile(unit);
    if (shards.length === 1) return { ...(await this.zarr.writeShard(shards[0]!, chunks, options)), file };
    const stream = async function* () {
      yield* chunks;
    };
    const written = await this.zarr.writeShards(shards, stream());
    return { file, chunkCount: written.reduce((n, w) => n + w.chunkCount, 0), bytes: written.reduce((n, w) => n + w.bytes, 0) };
  }

  chunkFile(cell: Vec3): string {
    return this.zarr.chunkFile(cell);
  }
  hasChunk(): Promise<boolean> {
    return this.zarr.hasChunk();
  }
  writeChunk(): Promise<boolean> {
    return this.zarr.writeChunk();
  }
  readEncodedChunk(cell: Vec3): Promise<Uint8Array | undefined> {
    return this.zarr.readEncodedChunk(cell);
  }
  readChunk(cell: Vec3) {
    return this.zarr.readChunk(cell);
  }
  readRegion(box: VoxelBox) {
    return this.zarr.readRegion(box);
  }
}

/**
 * For an OME-Zarr level: the shard spec words the fused DVID transcode encodes inner chunks
 * for, and an encoder of clipped voxels; undefined for other levels.
 */
export function zarrChunkEncoder(level: LevelWriter): { spec: Uint32Array; encode(cell: Vec3, voxels: LabelArray): Uint8Array } | undefined {
  if (!(level instanceof UnitLevel)) return undefined;
  const zarr = level.zarr;
  return { spec: zarr.words, encode: (cell, voxels) => zarr.encodeChunk(cell, voxels) };
}

class OmeZarrPyramid implements Pyramid {
  readonly format = "ome-zarr";
  readonly #levels: UnitLevel[];

  constructor(
    readonly backend: Backend,
    readonly writer: OmeZarrWriter,
    readonly info: PrecomputedInfo,
  ) {
    this.#levels = writer.levels.map((l, k) => new UnitLevel(l, new ScaleGeometry(backend, info.scales[k]!)));
  }
  get url(): string {
    return this.writer.url;
  }
  level(k: number): UnitLevel {
    const l = this.#levels[k];
    if (!l) throw new BraidError("INVALID_ARGUMENT", `${this.url}: no level ${k} (levels 0..${this.#levels.length - 1})`);
    return l;
  }
  async withInfo(info: PrecomputedInfo): Promise<Pyramid> {
    const { layout } = this.writer;
    const requested = this.writer.braid.shardChunks as Vec3 | undefined;
    const levels = omeLevels(info, this.backend, requested);
    const merged = levels.map((l, k) => layout.levels[k] ?? l);
    const updated = await OmeZarrWriter.create(this.backend, this.writer.root, { ...layout, levels: merged }, { ...this.writer.braid, info: JSON.parse(serializeInfo(info)) });
    return new OmeZarrPyramid(this.backend, updated, info);
  }
}

/** Creates (or reopens, checking it matches) an OME-Zarr pyramid after `info` at `root`. */
export async function createOmeZarrPyramid(backend: Backend, root: Storage, info: PrecomputedInfo, options: OmeZarrOutputOptions = {}): Promise<Pyramid> {
  if (!isLabelDataType(info.data_type)) {
    throw new BraidError("UNSUPPORTED", `OME-Zarr output writes segmentation (uint8/16/32/64); the spec's data type is ${info.data_type}`);
  }
  const writer = await OmeZarrWriter.create(
    backend,
    root,
    {
      dataType: info.data_type as LabelDataType,
      compression: options.compression ?? DEFAULT_ZARR_COMPRESSION,
      levels: omeLevels(info, backend, options.shardChunks),
      ...(options.label === undefined ? {} : { label: options.label }),
    },
    { info: JSON.parse(serializeInfo(info)), ...(options.shardChunks === undefined ? {} : { shardChunks: options.shardChunks }) },
  );
  return new OmeZarrPyramid(backend, writer, info);
}

/**
 * Opens a pyramid braid wrote: `info` at `root` means precomputed; a braid OME-Zarr group
 * (at the root or as a label) means OME-Zarr. `format` skips the detection.
 */
export async function openPyramid(
  backend: Backend,
  root: Storage,
  options: PrecomputedOptions & { format?: PyramidFormat; label?: string } = {},
): Promise<Pyramid> {
  const format = options.format ?? ((await root.exists("info")) ? "precomputed" : "ome-zarr");
  if (format === "precomputed") return new PrecomputedPyramid(await openPrecomputed(backend, root, options), options);
  const writer = await OmeZarrWriter.open(backend, root, { label: options.label });
  const recorded = writer.braid.info;
  if (typeof recorded !== "object" || recorded === null) {
    throw new BraidError("SPEC_INVALID", `${writer.group.describe("zarr.json")}: attributes.braid.info (the precomputed spec the pyramid follows) is missing`);
  }
  return new OmeZarrPyramid(backend, writer, parseInfo(recorded));
}

/** A precomputed pyramid from an `info` not read from storage (plans made before any data). */
export function precomputedPyramid(backend: Backend, root: Storage, info: PrecomputedInfo, options: PrecomputedOptions = {}): Pyramid {
  return new PrecomputedPyramid(new PrecomputedVolume(backend, root, info, options), options);
}

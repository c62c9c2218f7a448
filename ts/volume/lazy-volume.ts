/**
 * The volume `openVolume` returns, whatever the format: metadata read at open, voxels read on
 * demand. Reads pick a level (by index, key or target resolution), cover a region (voxels of
 * that level, or a world box) and a selection of the non-spatial axes, fetch exactly the
 * chunks that region meets, and keep decoded chunks in one byte-bounded LRU shared by reads,
 * the chunk iterator and the format's index caches. `invalidate` makes a growing volume's new
 * chunks visible; a load racing it never caches what it read (`ByteLru` drops its pending
 * load). Coordinates: docs/formats/zarr.md §5.6.
 */
import { BraidError } from "../errors.js";
import type { Vec3 } from "../types.js";
import { spatialDims, spatialUnit, type Axis } from "./axes.js";
import { vec3, type VoxelBox } from "./box.js";
import { ByteLru } from "./cache.js";
import { forEachConcurrent, limiter, orderedMap } from "./concurrency.js";
import type { DataType } from "./labels.js";
import { LazyLevel, type AxisSelection, type LevelHost, type ReadPlan, type SpatialFrame, type VoxelRoi, type WorldBox } from "./lazy-level.js";
import type { Channel, DecodedChunk, ImageLabel, VolumeSource } from "./source.js";
import { copyOverlap, product } from "./strided.js";
import type { Volume } from "./volume.js";
import { allocateVoxels, fillVoxels, isZeroValue, type VoxelArray, type VoxelValue } from "./voxels.js";

/** Cache cost of an entry on top of its bytes, so absent chunks still count. */
const ENTRY_OVERHEAD = 64;

export interface LevelChoice {
  /** A level by index (0 = finest) or key. */
  scale?: number | string;
  /**
   * The coarsest level whose voxels are no larger than this on every spatial axis (world
   * units; one number for all axes), or the finest when none is that fine.
   */
  targetResolution?: number | Vec3;
}

export interface RegionOptions extends LevelChoice {
  /** Voxels `[start, stop)` of the chosen level, in its voxel coordinates; must lie inside it. */
  roi?: VoxelRoi;
  /** A world box; read are the voxels it meets, clipped to the level. */
  bbox?: WorldBox;
  /** Non-spatial axes by name: one index (the axis is dropped) or `[start, stop)`. Default: all. */
  select?: Readonly<Record<string, AxisSelection>>;
}

export type ReadOptions = RegionOptions;

export interface ReadResult {
  /** Voxels in the stored type, x fastest, then y, z, then the kept non-spatial axes (`dims`). */
  data: VoxelArray;
  /** Names of the result's dimensions, fastest first: `x, y, z`, then kept non-spatial axes. */
  dims: string[];
  shape: number[];
  /** The level read. */
  scale: LazyLevel;
  /** World position of the lower corner of the first voxel. */
  origin: Vec3;
  /** The voxels read, in the level's voxel coordinates. */
  roi: VoxelRoi;
}

export interface ChunksOptions extends RegionOptions {
  /** Chunks decoded ahead of the consumer (default: `concurrency`); bounds memory. */
  prefetch?: number;
  /** Chunk loads in flight (default: the volume's). */
  concurrency?: number;
}

export interface VolumeChunk {
  scale: LazyLevel;
  /** Grid position per storage dimension. */
  cell: readonly number[];
  /** The chunk's voxels within the level (not cropped to the region asked for). */
  box: VoxelBox;
  /** World position of `box.origin`'s lower corner. */
  origin: Vec3;
  /** Dimensions of `data`, fastest first, their first index and extent. */
  dims: string[];
  start: number[];
  shape: number[];
  /**
   * The voxels, laid out like a read result; undefined when the chunk is not stored (it reads
   * as `fillValue`). May be the cached array itself: copy before modifying it.
   */
  data: VoxelArray | undefined;
}

/** An axis of the volume with its extent at the finest level. */
export interface VolumeAxis extends Axis {
  size: number;
}

export interface LazyVolumeOptions {
  /** Chunk loads in flight per read (default 16). */
  concurrency?: number;
}

export class LazyVolume implements Volume, LevelHost {
  readonly levels: readonly LazyLevel[];
  readonly axes: readonly VolumeAxis[];
  readonly #source: VolumeSource;
  readonly #cache: ByteLru;
  readonly #concurrency: number;
  #closed = false;

  constructor(source: VolumeSource, cache: ByteLru, options: LazyVolumeOptions = {}) {
    this.#source = source;
    this.#cache = cache;
    this.#concurrency = options.concurrency ?? 16;
    if (source.levels.length === 0) throw new BraidError("SPEC_INVALID", `${source.url}: a volume needs at least one level`);
    const dims = spatialDims(source.axes);
    const unitOf = (d: number) => (d < 0 ? undefined : source.axes[d]!.unit);
    const { unit, factors } = spatialUnit([unitOf(dims.x), unitOf(dims.y), unitOf(dims.z)]);
    const frame: SpatialFrame = { axes: source.axes, dims, unit, factors: [factors[0]!, factors[1]!, factors[2]!] };
    this.levels = source.levels.map((l, i) => new LazyLevel(i, source.dataType, l, frame, this));
    const finest = source.levels[0]!;
    this.axes = source.axes.map((a, d) => ({ ...a, size: finest.shape[d]! }));
  }

  get url(): string {
    return this.#source.url;
  }

  /** `"precomputed"`, `"zarr v2"`, `"zarr v3"`, `"ome-zarr 0.4"` or `"ome-zarr 0.5"`. */
  get format(): string {
    return this.#source.format;
  }

  get dataType(): DataType {
    return this.#source.dataType;
  }

  get fillValue(): VoxelValue {
    return this.#source.fillValue;
  }

  /** The levels with their shapes, chunk shapes, resolutions and world offsets (finest first). */
  get scales(): readonly LazyLevel[] {
    return this.levels;
  }

  get unit(): string {
    return this.levels[0]!.unit;
  }

  get channels(): readonly Channel[] {
    return this.#source.channels;
  }

  get imageLabel(): ImageLabel | undefined {
    return this.#source.imageLabel;
  }

  /** The finest level's extent in world coordinates. */
  get bounds(): WorldBox {
    const l = this.levels[0]!;
    return l.boxOfRoi({ start: l.voxelOffset, stop: vec3((d) => l.voxelOffset[d]! + l.shape[d]!) });
  }

  /** Bytes the cache holds now (decoded chunks and indexes). */
  get cachedBytes(): number {
    return this.#cache.bytes;
  }

  get cacheBytes(): number {
    return this.#cache.maxBytes;
  }

  level(which: number | string): LazyLevel {
    const l = typeof which === "number" ? this.levels[which] : this.levels.find((x) => x.key === which);
    if (!l) {
      const keys = this.levels.map((x, i) => `${i} "${x.key}"`).join(", ");
      throw new BraidError("INVALID_ARGUMENT", `${this.url} has no scale ${JSON.stringify(which)} (scales: ${keys})`);
    }
    return l;
  }

  /** The coarsest level whose voxel size is ≤ `target` on every spatial axis; the finest if none. */
  levelFor(target: number | Vec3): LazyLevel {
    const t: Vec3 = typeof target === "number" ? [target, target, target] : target;
    if (!Array.isArray(t) || t.length !== 3 || !t.every((v) => typeof v === "number" && v > 0)) {
      throw new BraidError("INVALID_ARGUMENT", `targetResolution must be a positive number or 3 of them [x, y, z], got ${JSON.stringify(target)}`);
    }
    const axes = this.levels[0]!.hasZ ? [0, 1, 2] : [0, 1];
    const size = (l: LazyLevel) => axes.reduce((p, d) => p * l.resolution[d]!, 1);
    const fits = this.levels.filter((l) => axes.every((d) => l.resolution[d]! <= t[d]! * (1 + 1e-9)));
    const pick = (ls: readonly LazyLevel[], better: (a: number, b: number) => boolean) =>
      ls.reduce((best, l) => (better(size(l), size(best)) ? l : best));
    return fits.length > 0 ? pick(fits, (a, b) => a >= b) : pick(this.levels, (a, b) => a < b);
  }

  #open(): void {
    if (this.#closed) throw new BraidError("CLOSED", `${this.url} was closed`);
  }

  #pick(choice: LevelChoice): LazyLevel {
    if (choice.scale !== undefined && choice.targetResolution !== undefined) {
      throw new BraidError("INVALID_ARGUMENT", "give scale or targetResolution, not both");
    }
    if (choice.scale !== undefined) return this.level(choice.scale);
    if (choice.targetResolution !== undefined) return this.levelFor(choice.targetResolution);
    return this.levels[0]!;
  }

  #roi(level: LazyLevel, options: RegionOptions): VoxelRoi | undefined {
    if (options.roi && options.bbox) throw new BraidError("INVALID_ARGUMENT", "give roi or bbox, not both");
    if (options.bbox) return level.roiOfBox(options.bbox);
    return options.roi;
  }

  #plan(options: RegionOptions): ReadPlan {
    this.#open();
    const level = this.#pick(options);
    return level.plan(this.#roi(level, options), options.select);
  }

  #key(level: LazyLevel, cell: readonly number[]): string {
    return `chunk ${level.index} ${cell.join(",")}`;
  }

  /** A decoded chunk through the cache; concurrent requests share one load. */
  async #chunk(level: LazyLevel, cell: readonly number[]): Promise<DecodedChunk | undefined> {
    const chunk = await this.#cache.get(this.#key(level, cell), async () => {
      const c = await level.source.readChunk(cell);
      return { value: c ?? null, bytes: (c?.data.byteLength ?? 0) + ENTRY_OVERHEAD };
    });
    return chunk ?? undefined;
  }

  /** Voxels of a plan; `stored` is false when no chunk it meets is stored. */
  async #assemble(plan: ReadPlan): Promise<{ data: VoxelArray; stored: boolean }> {
    const { level } = plan;
    const extent = plan.lo.map((l, d) => plan.hi[d]! - l);
    const data = allocateVoxels(this.dataType, product(extent));
    if (!isZeroValue(this.fillValue)) fillVoxels(data, this.fillValue);
    const out = { data, shape: extent, strides: plan.strides };
    let stored = false;
    await forEachConcurrent(level.cellsOf(plan), this.#concurrency, async (cell) => {
      const chunk = await this.#chunk(level, cell);
      if (!chunk) return;
      stored = true;
      copyOverlap(chunk, level.chunkStart(cell), out, plan.lo);
    });
    return { data, stored };
  }

  /** Reads a region of one level. */
  async read(options: ReadOptions = {}): Promise<ReadResult> {
    const plan = this.#plan(options);
    const { data } = await this.#assemble(plan);
    const { level, roi } = plan;
    return { data, dims: plan.dims, shape: plan.shape, scale: level, origin: level.worldOf(roi.start), roi };
  }

  /**
   * Every chunk the region meets, exactly once, last storage dimension fastest; at most
   * `concurrency` loads in flight and `prefetch` chunks held ahead of the consumer.
   */
  async *chunks(options: ChunksOptions = {}): AsyncGenerator<VolumeChunk> {
    const plan = this.#plan(options);
    const { level } = plan;
    const run = limiter(options.concurrency ?? this.#concurrency);
    const window = Math.max(1, Math.floor(options.prefetch ?? options.concurrency ?? this.#concurrency) || 1);
    const cells = level.cellsOf(plan);
    yield* orderedMap(cells, window, async (cell) => this.#chunkResult(level, cell, await run(() => this.#chunk(level, cell))));
  }

  #chunkResult(level: LazyLevel, cell: readonly number[], chunk: DecodedChunk | undefined): VolumeChunk {
    const range = level.chunkRange(cell);
    const box = level.spatialBox(range);
    // The chunk's own layout: every non-spatial axis of the volume longer than 1 kept.
    const select: Record<string, AxisSelection> = {};
    for (const d of level.nonSpatialDims) {
      select[this.axes[d]!.name] = this.axes[d]!.size > 1 ? [range.lo[d]!, range.hi[d]!] : range.lo[d]!;
    }
    const plan = level.plan({ start: box.origin, stop: vec3((d) => box.origin[d]! + box.shape[d]!) }, select);
    const start = [...box.origin, ...plan.keptDims.map((d) => range.lo[d]!)];
    const result = { scale: level, cell, box, origin: level.worldOf(box.origin), dims: plan.dims, start, shape: plan.shape };
    if (!chunk) return { ...result, data: undefined };
    const extent = plan.lo.map((l, d) => plan.hi[d]! - l);
    const sameLayout = extent.every((e, d) => e === chunk.shape[d] && (e === 1 || chunk.strides[d] === plan.strides[d]));
    if (sameLayout && chunk.data.length === product(extent)) return { ...result, data: chunk.data };
    const data = allocateVoxels(this.dataType, product(extent));
    copyOverlap(chunk, level.chunkStart(cell), { data, shape: extent, strides: plan.strides }, plan.lo);
    return { ...result, data };
  }

  /**
   * Forgets cached chunks (and the format's indexes of them) so later reads fetch them again:
   * all of them, or those a region meets — at one level when it names one, else at every level
   * (a `bbox` is mapped to each). Metadata (shapes, scales) is what `openVolume` read.
   */
  invalidate(region?: RegionOptions): void {
    if (region === undefined || (region.roi === undefined && region.bbox === undefined && region.scale === undefined && region.targetResolution === undefined)) {
      this.#cache.invalidate("");
      return;
    }
    const levels = region.scale === undefined && region.targetResolution === undefined && region.bbox ? this.levels : [this.#pick(region)];
    for (const level of levels) {
      const plan = level.plan(this.#roi(level, region));
      const cells = level.cellsOf(plan);
      for (const cell of cells) this.#cache.delete(this.#key(level, cell));
      level.source.forget(cells);
    }
  }

  /** Drops the cache; later reads fail with CLOSED. Loads in flight finish uncached. */
  close(): void {
    this.#closed = true;
    this.#cache.invalidate("");
  }

  /** Names of the label images stored with this image (OME-Zarr `labels/`); [] for other formats. */
  async labels(): Promise<string[]> {
    this.#open();
    return (await this.#source.labels?.()) ?? [];
  }

  /** Opens one of `labels()` with this volume's options (its own cache of the same size). */
  async openLabel(name: string): Promise<LazyVolume> {
    this.#open();
    if (!this.#source.openLabel) throw new BraidError("NOT_FOUND", `${this.url} has no label images`);
    const source = await this.#source.openLabel(name);
    return new LazyVolume(source, new ByteLru(this.#cache.maxBytes), { concurrency: this.#concurrency });
  }

  // Level reads (the `Level` interface of `levels`): all non-spatial axes, absent = undefined.
  async readLevelChunk(level: LazyLevel, cell: Vec3): Promise<VoxelArray | undefined> {
    this.#open();
    const box = level.grid.chunkBox(cell);
    const plan = level.plan({ start: box.origin, stop: vec3((d) => box.origin[d]! + box.shape[d]!) });
    const { data, stored } = await this.#assemble(plan);
    return stored ? data : undefined;
  }

  async readLevelRegion(level: LazyLevel, box: VoxelBox): Promise<VoxelArray> {
    this.#open();
    const plan = level.plan({ start: box.origin, stop: vec3((d) => box.origin[d]! + box.shape[d]!) });
    return (await this.#assemble(plan)).data;
  }
}

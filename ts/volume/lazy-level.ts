/**
 * One level of a lazily read volume: the format's N-dimensional array seen in braid's spatial
 * frame (`[x, y, z]`, world coordinates in the volume's unit, voxel corners), and the plan of
 * a read — which elements of which storage dimensions a region and a selection of the
 * non-spatial axes cover, and how they are laid out in the result.
 */
import { BraidError } from "../errors.js";
import type { Vec3 } from "../types.js";
import type { Axis } from "./axes.js";
import { vec3, type VoxelBox } from "./box.js";
import { ChunkGrid } from "./grid.js";
import type { DataType } from "./labels.js";
import type { SourceLevel } from "./source.js";
import type { Level } from "./volume.js";
import type { VoxelArray } from "./voxels.js";

/** Voxels `[start, stop)` per axis, in the level's voxel coordinates (`voxelOffset` included). */
export interface VoxelRoi {
  start: Vec3;
  stop: Vec3;
}

/** A box in world coordinates (the volume's unit), `[min, max)` per axis. */
export interface WorldBox {
  min: Vec3;
  max: Vec3;
}

/** One index (the dimension is dropped from the result) or `[start, stop)` (kept). */
export type AxisSelection = number | readonly [number, number];

/** How the levels of a volume map to braid's spatial frame; the same for every level. */
export interface SpatialFrame {
  axes: readonly Axis[];
  /** Storage dimension of x, y and z (z = -1: a 2-D image, read one voxel deep). */
  dims: { x: number; y: number; z: number };
  unit: string;
  /** Per spatial axis `[x, y, z]`, what turns its own unit into `unit`. */
  factors: Vec3;
}

/** What a read covers at one level. */
export interface ReadPlan {
  level: LazyLevel;
  /** Per storage dimension, the elements `[lo, hi)` read. */
  lo: number[];
  hi: number[];
  /** The result's dimensions, fastest first (`x, y, z`, then the kept non-spatial ones), and extents. */
  dims: string[];
  shape: number[];
  /** Element step of each storage dimension in the result (0 for a dropped dimension). */
  strides: number[];
  /** The storage dimensions of `dims.slice(3)`. */
  keptDims: number[];
  roi: VoxelRoi;
}

/** What levels delegate their `Level` reads to (the volume, with its cache). */
export interface LevelHost {
  readLevelChunk(level: LazyLevel, cell: Vec3): Promise<VoxelArray | undefined>;
  readLevelRegion(level: LazyLevel, box: VoxelBox): Promise<VoxelArray>;
}

const EPS = 1e-9;

export class LazyLevel implements Level {
  readonly key: string;
  /** Voxels per axis `[x, y, z]`. */
  readonly shape: Vec3;
  /** Voxels per chunk (the unit of fetching: a shard's inner chunk). */
  readonly chunkShape: Vec3;
  /** Voxels per shard, when the format groups chunks into shards along the spatial axes. */
  readonly shardShape: Vec3 | undefined;
  /** Voxel coordinate of the first voxel (precomputed `voxel_offset`; 0 in zarr). */
  readonly voxelOffset: Vec3;
  /** Voxel size in world units. */
  readonly resolution: Vec3;
  /** World position of the first voxel's lower corner. */
  readonly offset: Vec3;
  readonly unit: string;
  readonly grid: ChunkGrid;

  constructor(
    readonly index: number,
    readonly dataType: DataType,
    readonly source: SourceLevel,
    readonly frame: SpatialFrame,
    readonly host: LevelHost,
  ) {
    const { dims, factors } = frame;
    const spatial = (v: readonly number[], virtual: number) => vec3((d) => (dim(dims, d) < 0 ? virtual : v[dim(dims, d)]!));
    this.key = source.key;
    this.shape = spatial(source.shape, 1);
    this.chunkShape = spatial(source.chunkShape, 1);
    this.shardShape = source.shardShape ? spatial(source.shardShape, 1) : undefined;
    this.voxelOffset = spatial(source.start, 0);
    this.resolution = vec3((d) => (dim(dims, d) < 0 ? 1 : source.scale[dim(dims, d)]! * factors[d]!));
    this.offset = vec3((d) => {
      const s = dim(dims, d);
      return s < 0 ? 0 : (source.translation[s]! + source.scale[s]! * source.start[s]!) * factors[d]!;
    });
    this.unit = frame.unit;
    this.grid = new ChunkGrid(this.shape, this.voxelOffset, this.chunkShape, `scale ${index} ("${source.key}")`);
  }

  /** Storage dimensions that are not x, y or z, slowest first. */
  get nonSpatialDims(): number[] {
    const { x, y, z } = this.frame.dims;
    return this.frame.axes.flatMap((_, d) => (d === x || d === y || d === z ? [] : [d]));
  }

  /** Whether the volume has a z axis (false for a 2-D image). */
  get hasZ(): boolean {
    return this.frame.dims.z >= 0;
  }

  /** The level's voxels as a box in voxel coordinates. */
  get domain(): VoxelBox {
    return this.grid.domain;
  }

  /** World position of a voxel coordinate's lower corner. */
  worldOf(voxel: Vec3): Vec3 {
    return vec3((d) => this.offset[d]! + (voxel[d]! - this.voxelOffset[d]!) * this.resolution[d]!);
  }

  /** The voxels whose extent meets a world box, clipped to the level (possibly empty). */
  roiOfBox(box: WorldBox): VoxelRoi {
    checkVec(box.min, "bbox.min", false);
    checkVec(box.max, "bbox.max", false);
    const lo = (d: number) => this.voxelOffset[d]!;
    const hi = (d: number) => this.voxelOffset[d]! + this.shape[d]!;
    const clamp = (v: number, d: number) => Math.min(hi(d), Math.max(lo(d), v));
    const rel = (v: number, d: number) => (v - this.offset[d]!) / this.resolution[d]! + this.voxelOffset[d]!;
    const start = vec3((d) => (!this.hasZ && d === 2 ? 0 : clamp(Math.floor(rel(box.min[d]!, d) + EPS), d)));
    const stop = vec3((d) => (!this.hasZ && d === 2 ? 1 : clamp(Math.ceil(rel(box.max[d]!, d) - EPS), d)));
    return { start, stop: vec3((d) => Math.max(start[d]!, stop[d]!)) };
  }

  /** The world box a voxel region covers. */
  boxOfRoi(roi: VoxelRoi): WorldBox {
    return { min: this.worldOf(roi.start), max: this.worldOf(roi.stop) };
  }

  /** Checks that a voxel region lies inside the level. */
  checkRoi(roi: VoxelRoi): void {
    checkVec(roi.start, "roi.start", true);
    checkVec(roi.stop, "roi.stop", true);
    for (let d = 0; d < 3; d++) {
      const lo = this.voxelOffset[d]!;
      const hi = lo + this.shape[d]!;
      if (roi.start[d]! < lo || roi.stop[d]! > hi || roi.stop[d]! < roi.start[d]!) {
        throw new BraidError(
          "INVALID_ARGUMENT",
          `scale ${this.index} ("${this.key}"): roi [${roi.start.join(",")}]..[${roi.stop.join(",")}] is not inside ` +
            `its voxels [${this.voxelOffset.join(",")}]..[${vec3((a) => this.voxelOffset[a]! + this.shape[a]!).join(",")}]`,
        );
      }
    }
  }

  /**
   * Which elements a read of `roi` (the whole level when undefined) and `select` covers. A
   * non-spatial axis is kept whole unless selected; one of extent 1 is dropped from the result.
   */
  plan(roi: VoxelRoi | undefined, select: Readonly<Record<string, AxisSelection>> = {}): ReadPlan {
    const region = roi ?? { start: this.voxelOffset, stop: vec3((d) => this.voxelOffset[d]! + this.shape[d]!) };
    this.checkRoi(region);
    const { axes, dims } = this.frame;
    const n = axes.length;
    const spatialOf = new Map<number, number>([
      [dims.x, 0],
      [dims.y, 1],
      [dims.z, 2],
    ]);
    spatialOf.delete(-1);
    for (const name of Object.keys(select)) {
      const d = axes.findIndex((a) => a.name === name);
      if (d < 0 || spatialOf.has(d)) {
        const choices = axes.filter((_, i) => !spatialOf.has(i)).map((a) => a.name);
        throw new BraidError(
          "INVALID_ARGUMENT",
          `cannot select "${name}": ${d < 0 ? "no such axis" : "it is spatial (use roi or bbox)"}; non-spatial axes: ${choices.join(", ") || "none"}`,
        );
      }
    }
    const lo = new Array<number>(n);
    const hi = new Array<number>(n);
    const kept: number[] = [];
    for (let d = 0; d < n; d++) {
      const s = spatialOf.get(d);
      if (s !== undefined) {
        lo[d] = region.start[s]!;
        hi[d] = region.stop[s]!;
        continue;
      }
      const [l, h, keep] = this.#selection(d, select[axes[d]!.name]);
      lo[d] = l;
      hi[d] = h;
      if (keep) kept.push(d);
    }
    // Result layout: x fastest, then y, z, then kept non-spatial dimensions innermost first.
    kept.reverse();
    const order = [dims.x, dims.y, ...(dims.z >= 0 ? [dims.z] : []), ...kept];
    const strides = new Array<number>(n).fill(0);
    let step = 1;
    for (const d of order) {
      strides[d] = step;
      step *= hi[d]! - lo[d]!;
    }
    const extent = (d: number) => region.stop[d]! - region.start[d]!;
    return {
      level: this,
      lo,
      hi,
      dims: ["x", "y", "z", ...kept.map((d) => axes[d]!.name)],
      shape: [extent(0), extent(1), extent(2), ...kept.map((d) => hi[d]! - lo[d]!)],
      strides,
      keptDims: kept,
      roi: region,
    };
  }

  #selection(d: number, sel: AxisSelection | undefined): [number, number, boolean] {
    const first = this.source.start[d]!;
    const end = first + this.source.shape[d]!;
    const name = this.frame.axes[d]!.name;
    const bad = () =>
      new BraidError("INVALID_ARGUMENT", `axis "${name}" has indices ${first}..${end - 1}; cannot select ${JSON.stringify(sel)}`);
    if (sel === undefined) return [first, end, end - first > 1];
    if (typeof sel === "number") {
      if (!Number.isInteger(sel) || sel < first || sel >= end) throw bad();
      return [sel, sel + 1, false];
    }
    const [a, b] = sel;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < first || b > end || b < a) throw bad();
    return [a, b, true];
  }

  /** Chunk cells (per storage dimension) a plan's elements fall in, last dimension fastest. */
  cellsOf(plan: Pick<ReadPlan, "lo" | "hi">): number[][] {
    const { start, chunkShape } = this.source;
    const n = start.length;
    const from = new Array<number>(n);
    const to = new Array<number>(n);
    for (let d = 0; d < n; d++) {
      if (plan.hi[d]! <= plan.lo[d]!) return [];
      from[d] = Math.floor((plan.lo[d]! - start[d]!) / chunkShape[d]!);
      to[d] = Math.ceil((plan.hi[d]! - start[d]!) / chunkShape[d]!);
    }
    const out: number[][] = [];
    const cell = [...from];
    for (;;) {
      out.push([...cell]);
      let d = n - 1;
      for (; d >= 0; d--) {
        if (++cell[d]! < to[d]!) break;
        cell[d] = from[d]!;
      }
      if (d < 0) return out;
    }
  }

  /** First element of a chunk cell, per storage dimension. */
  chunkStart(cell: readonly number[]): number[] {
    return cell.map((c, d) => this.source.start[d]! + c * this.source.chunkShape[d]!);
  }

  /** A chunk's elements clipped to the level, per storage dimension. */
  chunkRange(cell: readonly number[]): { lo: number[]; hi: number[] } {
    const lo = this.chunkStart(cell);
    const end = (d: number) => this.source.start[d]! + this.source.shape[d]!;
    return { lo, hi: lo.map((l, d) => Math.min(l + this.source.chunkShape[d]!, end(d))) };
  }

  /** Spatial voxel box of a storage range. */
  spatialBox(range: { lo: readonly number[]; hi: readonly number[] }): VoxelBox {
    const { dims } = this.frame;
    const lo = vec3((d) => (dim(dims, d) < 0 ? 0 : range.lo[dim(dims, d)]!));
    const hi = vec3((d) => (dim(dims, d) < 0 ? 1 : range.hi[dim(dims, d)]!));
    return { origin: lo, shape: vec3((d) => hi[d]! - lo[d]!) };
  }

  readChunk(cell: Vec3): Promise<VoxelArray | undefined> {
    return this.host.readLevelChunk(this, cell);
  }

  readRegion(box: VoxelBox): Promise<VoxelArray> {
    return this.host.readLevelRegion(this, box);
  }
}

/** Storage dimension of spatial axis `d` (0 = x, 1 = y, 2 = z). */
function dim(dims: SpatialFrame["dims"], d: number): number {
  return d === 0 ? dims.x : d === 1 ? dims.y : dims.z;
}

function checkVec(v: unknown, what: string, integer: boolean): void {
  const ok =
    Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && (integer ? Number.isSafeInteger(x) : Number.isFinite(x)));
  if (!ok) throw new BraidError("INVALID_ARGUMENT", `${what} must be 3 ${integer ? "integers" : "finite numbers"} [x, y, z], got ${JSON.stringify(v)}`);
}

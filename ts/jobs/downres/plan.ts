/**
 * `planDownres`: the tasks that build scales of a pyramid, one per output shard (or per box
 * of cells of an unsharded scale) under stored source data — found by listing the source scale
 * (see populated.ts), so a plan's cost follows the data, not the bounding box — with what a
 * scheduler needs: the source shards each task reads (its dependencies), and estimated source
 * bytes and peak memory.
 */
import type { Backend } from "../../backend/backend.js";
import type { DownsampleMethod } from "../../core/downsample.js";
import { BraidError } from "../../errors.js";
import { checkGzipLevel } from "../../core/compression.js";
import { ScaleGeometry, UNSHARDED_GROUP } from "../../formats/precomputed/geometry.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import { parseInfo, type PrecomputedInfo } from "../../formats/precomputed/info.js";
import { openPyramid, precomputedPyramid, type PyramidFormat } from "../../formats/open-pyramid.js";
import type { LevelWriter } from "../../volume/writer.js";
import { storageFor, storageUrl } from "../../storage/by-url.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { chunksHoldWholeWindows, sourceBox } from "./chunk.js";
import { estimateWorkerBytes, OUTPUT_TO_SOURCE_BYTES, PRIOR_BYTES_PER_VOXEL, PROCESS_BASE_BYTES } from "./estimate.js";
import { cellBoxVoxels, cellCount, intersectCells, outputCells, storedRegions, unionCount, type CellBox, type Populated } from "./populated.js";
import { withDownresScales } from "./scales.js";
import { DEFAULT_INDEX_CACHE_BYTES, DEFAULT_WINDOW, type DownresTask } from "./task.js";

export interface PlanDownresOptions {
  /** The backend to plan and downsample on (default: the entry point's). */
  backend?: Backend;
  /**
   * The volume: a URL (path, file://, gs://, memory://) or a Storage. Tasks carry its URL; a
   * Storage object is reached by tasks that run in this thread (worker threads open the URL).
   */
  dest: string | Storage;
  /** Output scale indices, each ≥ 1; missing ones are appended to `info`. */
  scales: readonly number[];
  method?: DownsampleMethod;
  onlyMissing?: boolean;
  gzipLevel?: number;
  window?: number;
  indexCacheBytes?: number;
  storage?: OpenStorageOptions;
  /**
   * Plan against this `info` instead of reading `dest/info` (e.g. before the base scale is
   * exported). Appended scales are still written to `dest/info`.
   */
  info?: PrecomputedInfo;
  /** The pyramid's format (default: detected, `info` = precomputed, else a braid OME-Zarr group). */
  format?: PyramidFormat;
  /** OME-Zarr: the image-label group `labels/<label>` (default: the root, else the first label). */
  label?: string;
  /**
   * Measure source shard sizes (one size request per source shard) for scales whose source
   * is not being planned too; otherwise, or when no source shard exists yet, sizes are
   * extrapolated. Default true.
   */
  measure?: boolean;
}

/** Size requests in flight while measuring source shards. */
const MEASURE_CONCURRENCY = 32;

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];
const product = (v: Vec3) => v[0] * v[1] * v[2];

/** Memoised source shard sizes of one scale (missing file = 0 bytes). */
function shardSizer(level: LevelWriter) {
  const sizes = new Map<string, number>();
  return {
    async measure(shards: Iterable<string>): Promise<void> {
      const todo = [...new Set(shards)].filter((s) => !sizes.has(s));
      await forEachConcurrent(todo, MEASURE_CONCURRENCY, async (s) => {
        sizes.set(s, await level.shardSize(BigInt(s)));
      });
    },
    get: (shard: string) => sizes.get(shard) ?? 0,
    total: () => [...sizes.values()].reduce((n, b) => n + b, 0),
  };
}

/** One planned task before estimates: its output box and what it reads. */
interface TaskShape {
  shard?: string;
  cells?: { origin: Vec3; shape: Vec3 };
  /** The task's whole box of output cells (a shard or a group of an unsharded scale). */
  box: CellBox;
  /** Output cells under stored (or planned) source data: the task's work. */
  covered: CellBox[];
  /** Source boxes read, each clipped to what the task reads, with the source shard it lies in. */
  sources: { box: CellBox; of: CellBox }[];
}

/** The output scale's write units: shard boxes, or groups of cells of an unsharded scale. */
function unitShape(output: ScaleGeometry, k: number): Vec3 {
  if (!output.sharding) return UNSHARDED_GROUP;
  const shape = output.shardShape();
  if (!shape) {
    throw new BraidError(
      "UNSUPPORTED",
      `scale ${k} ("${output.scale.key}"): downres writes whole shards, and shards of a ${output.sharding.hash}-hashed scale are not boxes of chunks`,
    );
  }
  return shape;
}

/**
 * The tasks of one output scale: every write unit (shard, or cell group) under at least one
 * populated source box, with the part of each source box it reads. Costs follow the number of
 * populated boxes, not the size of the grid.
 */
function taskShapes(source: ScaleGeometry, output: ScaleGeometry, k: number, populated: Populated): TaskShape[] {
  const unit = unitShape(output, k);
  const G = output.gridShape;
  const tasks = new Map<string, TaskShape>();
  const origins: Vec3[] = [];
  for (const from of populated.boxes) {
    const out = outputCells(source, output, from);
    if (cellCount(out) === 0) continue;
    const lo = vec3((d) => Math.floor(out.origin[d]! / unit[d]!));
    const hi = vec3((d) => Math.floor((out.origin[d]! + out.shape[d]! - 1) / unit[d]!));
    for (let z = lo[2]; z <= hi[2]; z++)
      for (let y = lo[1]; y <= hi[1]; y++)
        for (let x = lo[0]; x <= hi[0]; x++) {
          const origin = vec3((d) => [x, y, z][d]! * unit[d]!);
          const key = origin.join(",");
          let t = tasks.get(key);
          if (!t) {
            const box = { origin, shape: vec3((d) => Math.min(unit[d]!, G[d]! - origin[d]!)) };
            t = { box, covered: [], sources: [] };
            tasks.set(key, t);
            origins.push(origin);
          }
          t.covered.push(intersectCells(out, t.box)!);
          t.sources.push({ box: from, of: from });
        }
  }
  // Output shard numbers of every task in one batched call.
  const shards = output.sharding ? output.place(origins).map((p) => p.shard.toString()) : undefined;
  return origins.map((origin, i) => {
    const t = tasks.get(origin.join(","))!;
    if (shards) t.shard = shards[i]!;
    else t.cells = t.box;
    // What of each source box the task reads: the source cells under its output box.
    const reads = source.cellRange(sourceBox(cellBoxVoxels(output, t.box), source.domain));
    const readBox: CellBox = { origin: reads.lo, shape: vec3((d) => Math.max(0, reads.hi[d]! - reads.lo[d]!)) };
    t.sources = t.sources.flatMap((s) => {
      const part = intersectCells(s.of, readBox);
      return part ? [{ box: part, of: s.of }] : [];
    });
    return t;
  });
}

/** Planned tasks of one scale as the populated boxes of the next scale's source. */
function plannedRegions(shapes: readonly TaskShape[]): Populated {
  // One box per planned task (the hull of what it covers), so a planned shard counts once.
  const boxes = shapes.map((t): CellBox => {
    const lo = vec3((d) => Math.min(...t.covered.map((c) => c.origin[d]!)));
    const hi = vec3((d) => Math.max(...t.covered.map((c) => c.origin[d]! + c.shape[d]!)));
    return { origin: lo, shape: vec3((d) => hi[d]! - lo[d]!), ...(t.shard === undefined ? {} : { shard: t.shard }) };
  });
  return { boxes, byShard: false };
}

/** Every write unit of the grid, for plans made before any data exists (`info` given, nothing stored). */
function wholeGrid(source: ScaleGeometry): Populated {
  return { boxes: [{ origin: [0, 0, 0], shape: source.gridShape }], byShard: false };
}

/**
 * Plans downres of `scales` (built in ascending order). Appends missing scales to `info`
 * first (atomically; workers read geometry from it) and checks that listed ones follow
 * TensorStore's domain rule (`SPEC_INVALID` otherwise).
 */
export async function planDownres(backend: Backend, options: PlanDownresOptions): Promise<DownresTask[]> {
  // Options first, before anything (info) is written.
  if (options.gzipLevel !== undefined) checkGzipLevel(options.gzipLevel);
  const window = options.window ?? DEFAULT_WINDOW;
  if (!Number.isInteger(window) || window < 1) {
    throw new BraidError("INVALID_ARGUMENT", `the downres window (output chunks in flight) must be an integer ≥ 1, got ${window}`);
  }
  const storageOptions = options.storage ? { storage: options.storage } : {};
  const dest = storageUrl(options.dest);
  const root = await storageFor(dest, options.storage);
  const opened = options.info
    ? precomputedPyramid(backend, root, parseInfo(options.info), storageOptions)
    : await openPyramid(backend, root, {
        ...storageOptions,
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.label === undefined ? {} : { label: options.label }),
      });
  const scales = [...new Set(options.scales)].sort((a, b) => a - b);
  const pyramid = await opened.withInfo(withDownresScales(opened.info, scales));
  const info = pyramid.info;
  const indexCacheBytes = options.indexCacheBytes ?? DEFAULT_INDEX_CACHE_BYTES;
  const common = {
    dest,
    ...(pyramid.format === "precomputed" ? {} : { format: pyramid.format }),
    ...(options.label === undefined ? {} : { label: options.label }),
    method: options.method ?? "mode",
    onlyMissing: options.onlyMissing ?? false,
    ...(options.gzipLevel === undefined ? {} : { gzipLevel: options.gzipLevel }),
    ...(options.window === undefined ? {} : { window: options.window }),
    ...(options.indexCacheBytes === undefined ? {} : { indexCacheBytes: options.indexCacheBytes }),
    ...(options.storage ? { storage: options.storage } : {}),
  };
  const tasks: DownresTask[] = [];
  // Estimated output bytes of the scale planned last, by shard: the next scale's source sizes.
  let previousOutput = new Map<string, number>();
  let previousShapes: TaskShape[] = [];
  for (const k of scales) {
    const source = new ScaleGeometry(backend, info.scales[k - 1]!);
    const output = new ScaleGeometry(backend, info.scales[k]!);
    const sourceExists = !scales.includes(k - 1);
    const wholeWindows = chunksHoldWholeWindows(source);
    const sourceLevel = pyramid.level(k - 1);
    // Where the source holds data: a listing of what is stored, or what the previous step plans.
    let populated = sourceExists ? await storedRegions(sourceLevel) : plannedRegions(previousShapes);
    if (sourceExists && populated.boxes.length === 0 && options.info) populated = wholeGrid(source);
    const shapes = taskShapes(source, output, k, populated);
    // Source shards a task reads, exactly: from the stored shards' boxes, or the planned ones.
    const sourceShards = (t: TaskShape): string[] | null => {
      if (!source.sharding || !source.shardShape()) return null;
      if (populated.byShard || !sourceExists) return [...new Set(t.sources.map((s) => s.of.shard!).filter((x) => x !== undefined))];
      return null;
    };
    const measured = sourceExists && (options.measure ?? true) && populated.byShard ? shardSizer(sourceLevel) : undefined;
    if (measured) await measured.measure(shapes.flatMap((t) => sourceShards(t) ?? []));
    // Source shard sizes: measured, else the previous planned scale's estimates, else a prior.
    const shardBytes =
      measured && measured.total() > 0
        ? measured.get
        : previousOutput.size > 0
          ? (s: string) => previousOutput.get(s) ?? 0
          : undefined;
    const outputBytes = new Map<string, number>();
    for (const t of shapes) {
      const reads = sourceShards(t);
      const sourceChunks = t.sources.reduce((n, s) => n + cellCount(s.box), 0);
      const sourceBytes =
        reads && shardBytes
          ? t.sources.reduce((n, s) => n + (cellCount(s.box) / cellCount(s.of)) * (s.of.shard === undefined ? 0 : shardBytes(s.of.shard)), 0)
          : sourceChunks * product(source.chunkSize) * PRIOR_BYTES_PER_VOXEL;
      const estimatedOutputBytes = Math.round(sourceBytes * OUTPUT_TO_SOURCE_BYTES);
      if (t.shard !== undefined) outputBytes.set(t.shard, estimatedOutputBytes);
      const outputChunks = unionCount(t.covered, t.box);
      const memory = { outputChunks, sourceChunks, wholeWindows };
      const estimatedWorkerBytes = estimateWorkerBytes(output, memory, window, indexCacheBytes);
      tasks.push({
        ...common,
        scale: k,
        ...(t.shard === undefined ? {} : { shard: t.shard }),
        ...(t.cells === undefined ? {} : { cells: { origin: t.cells.origin, shape: t.cells.shape } }),
        outputChunks,
        sourceChunks,
        sourceShards: reads,
        estimatedSourceBytes: Math.round(sourceBytes),
        estimatedOutputBytes,
        estimatedWorkerBytes,
        estimatedPeakBytes: PROCESS_BASE_BYTES + estimatedWorkerBytes,
      });
    }
    previousOutput = outputBytes;
    previousShapes = shapes;
  }
  return tasks.sort(byScaleAndPlace);
}

/** Tasks by scale, then shard number or cell box (z, y, x): the order the grid lists them. */
function byScaleAndPlace(a: DownresTask, b: DownresTask): number {
  if (a.scale !== b.scale) return a.scale - b.scale;
  if (a.shard !== undefined && b.shard !== undefined) {
    const [x, y] = [BigInt(a.shard), BigInt(b.shard)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const [p, q] = [a.cells?.origin ?? [0, 0, 0], b.cells?.origin ?? [0, 0, 0]];
  return p[2] - q[2] || p[1] - q[1] || p[0] - q[0];
}

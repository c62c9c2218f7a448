/**
 * `planDownres`: the tasks that build scales of a pyramid, one per output shard (or per box
 * of cells of an unsharded scale), with what a scheduler needs: the source shards each task
 * reads (its dependencies), and estimated source bytes and peak memory.
 */
import type { Backend } from "../../backend/backend.js";
import type { DownsampleMethod } from "../../core/downsample.js";
import { BraidError } from "../../errors.js";
import { checkGzipLevel } from "../../core/compression.js";
import { ScaleGeometry } from "../../formats/precomputed/geometry.js";
import type { VoxelBox } from "../../volume/box.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import { parseInfo, type PrecomputedInfo } from "../../formats/precomputed/info.js";
import { openPrecomputed, PrecomputedVolume } from "../../formats/precomputed/volume.js";
import { openStorage, type OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { chunksHoldWholeWindows, sourceBox } from "./chunk.js";
import { estimateWorkerBytes, OUTPUT_TO_SOURCE_BYTES, PRIOR_BYTES_PER_VOXEL, PROCESS_BASE_BYTES } from "./estimate.js";
import { prepareScales } from "./scales.js";
import { DEFAULT_INDEX_CACHE_BYTES, DEFAULT_WINDOW, type DownresTask } from "./task.js";

export interface PlanDownresOptions {
  /** The backend to plan and downsample on (default: the entry point's). */
  backend?: Backend;
  /** Volume URL (path, file://, gs://, memory://). */
  dest: string;
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
  /**
   * Measure source shard sizes (one size request per source shard) for scales whose source
   * is not being planned too; otherwise, or when no source shard exists yet, sizes are
   * extrapolated. Default true.
   */
  measure?: boolean;
}

/** Grid cells of an unsharded output scale per task. */
const UNSHARDED_GROUP: Vec3 = [8, 8, 8];
/** Size requests in flight while measuring source shards. */
const MEASURE_CONCURRENCY = 32;

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];
const product = (v: Vec3) => v[0] * v[1] * v[2];

interface SourcePart {
  shard: string;
  /** Fraction of the source shard's cells the task reads. */
  fraction: number;
}

/** The source shards a range of source cells touches (identity-hashed boxes), with overlap. */
function sourceParts(g: ScaleGeometry, shardShape: Vec3, lo: Vec3, hi: Vec3): SourcePart[] {
  const first = vec3((d) => Math.floor(lo[d]! / shardShape[d]!));
  const last = vec3((d) => Math.ceil(hi[d]! / shardShape[d]!));
  const origins: Vec3[] = [];
  const fractions: number[] = [];
  for (let z = first[2]; z < last[2]; z++)
    for (let y = first[1]; y < last[1]; y++)
      for (let x = first[0]; x < last[0]; x++) {
        const origin = vec3((d) => [x, y, z][d]! * shardShape[d]!);
        const end = vec3((d) => Math.min(origin[d]! + shardShape[d]!, g.gridShape[d]!));
        const overlap = vec3((d) => Math.min(end[d]!, hi[d]!) - Math.max(origin[d]!, lo[d]!));
        origins.push(origin);
        fractions.push(product(overlap) / product(vec3((d) => end[d]! - origin[d]!)));
      }
  return g.place(origins).map((p, i) => ({ shard: p.shard.toString(), fraction: fractions[i]! }));
}

/** Memoised source shard sizes of one scale (missing file = 0 bytes). */
function shardSizer(storage: Storage, g: ScaleGeometry) {
  const sizes = new Map<string, number>();
  return {
    async measure(shards: Iterable<string>): Promise<void> {
      const todo = [...new Set(shards)].filter((s) => !sizes.has(s));
      await forEachConcurrent(todo, MEASURE_CONCURRENCY, async (s) => {
        sizes.set(s, (await storage.size(g.shardFile(BigInt(s)))) ?? 0);
      });
    },
    get: (shard: string) => sizes.get(shard) ?? 0,
    total: () => [...sizes.values()].reduce((n, b) => n + b, 0),
  };
}

interface TaskShape {
  shard?: string;
  cells?: { origin: Vec3; shape: Vec3 };
  /** Output voxels covered. */
  voxels: VoxelBox;
  outputChunks: number;
}

function taskShapes(output: ScaleGeometry, k: number): TaskShape[] {
  if (output.sharding) {
    const boxes = output.shards();
    if (!boxes) {
      throw new BraidError(
        "UNSUPPORTED",
        `scale ${k} ("${output.scale.key}"): downres writes whole shards, and shards of a ${output.sharding.hash}-hashed scale are not boxes of chunks`,
      );
    }
    return boxes.map((b) => ({ shard: b.shard.toString(), voxels: b.voxels, outputChunks: product(b.cellShape) }));
  }
  const shapes: TaskShape[] = [];
  const G = output.gridShape;
  const n = UNSHARDED_GROUP;
  for (let z = 0; z < G[2]; z += n[2])
    for (let y = 0; y < G[1]; y += n[1])
      for (let x = 0; x < G[0]; x += n[0]) {
        const origin: Vec3 = [x, y, z];
        const shape = vec3((d) => Math.min(n[d]!, G[d]! - origin[d]!));
        const first = output.chunkBox(origin);
        const last = output.chunkBox(vec3((d) => origin[d]! + shape[d]! - 1));
        const voxels = { origin: first.origin, shape: vec3((d) => last.origin[d]! + last.shape[d]! - first.origin[d]!) };
        shapes.push({ cells: { origin, shape }, voxels, outputChunks: product(shape) });
      }
  return shapes;
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
  const volume = options.info
    ? new PrecomputedVolume(backend, await openStorage(options.dest, options.storage), parseInfo(options.info), storageOptions)
    : await openPrecomputed(backend, options.dest, storageOptions);
  const scales = [...new Set(options.scales)].sort((a, b) => a - b);
  const info = await prepareScales(volume.storage, volume.info, scales);
  const indexCacheBytes = options.indexCacheBytes ?? DEFAULT_INDEX_CACHE_BYTES;
  const common = {
    dest: options.dest,
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
  for (const k of scales) {
    const source = new ScaleGeometry(backend, info.scales[k - 1]!);
    const output = new ScaleGeometry(backend, info.scales[k]!);
    const sourceExists = !scales.includes(k - 1);
    const wholeWindows = chunksHoldWholeWindows(source);
    const sourceShape = source.sharding ? source.shardShape() : undefined;
    const measured = sourceExists && (options.measure ?? true) && sourceShape ? shardSizer(volume.scale(k - 1).storage, source) : undefined;
    const planned = taskShapes(output, k).map((shape) => {
      const from = sourceBox(shape.voxels, source.domain);
      const { lo, hi } = source.cellRange(from);
      const parts = sourceShape ? sourceParts(source, sourceShape, lo, hi) : null;
      return { shape, from, sourceChunks: product(vec3((d) => hi[d]! - lo[d]!)), parts };
    });
    if (measured) await measured.measure(planned.flatMap((p) => p.parts!.map((q) => q.shard)));
    // Source shard sizes: measured (unless nothing is there yet, e.g. planned before the base
    // scale is exported), else the previous planned scale's estimates, else a prior.
    const shardBytes =
      measured && measured.total() > 0
        ? measured.get
        : previousOutput.size > 0
          ? (s: string) => previousOutput.get(s) ?? 0
          : undefined;
    const outputBytes = new Map<string, number>();
    for (const { shape, from, sourceChunks, parts } of planned) {
      const sourceBytes =
        parts && shardBytes
          ? parts.reduce((n, q) => n + q.fraction * shardBytes(q.shard), 0)
          : product(from.shape) * PRIOR_BYTES_PER_VOXEL;
      const estimatedOutputBytes = Math.round(sourceBytes * OUTPUT_TO_SOURCE_BYTES);
      if (shape.shard !== undefined) outputBytes.set(shape.shard, estimatedOutputBytes);
      const memory = { outputChunks: shape.outputChunks, sourceChunks, wholeWindows };
      const estimatedWorkerBytes = estimateWorkerBytes(output, memory, window, indexCacheBytes);
      tasks.push({
        ...common,
        scale: k,
        ...(shape.shard === undefined ? {} : { shard: shape.shard }),
        ...(shape.cells === undefined ? {} : { cells: shape.cells }),
        outputChunks: shape.outputChunks,
        sourceChunks,
        sourceShards: parts ? parts.map((q) => q.shard) : null,
        estimatedSourceBytes: Math.round(sourceBytes),
        estimatedOutputBytes,
        estimatedWorkerBytes,
        estimatedPeakBytes: PROCESS_BASE_BYTES + estimatedWorkerBytes,
      });
    }
    previousOutput = outputBytes;
  }
  return tasks;
}

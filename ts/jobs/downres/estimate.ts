/**
 * Rough sizes for scheduling downres tasks. Memory does not depend on the data: a task holds
 * `window` output chunks in flight (each with the source chunks it is computed from), the
 * index cache and the writer's buffers — so one memory tier fits every task of a pyramid.
 * Calibrated with benches/downres.measure.ts (64³ chunks: 155 MiB at window 1, ~260 MiB at
 * window 4 whether the shard has 64 or 32,768 chunks; ~370 MiB at window 4 when windows
 * straddle source chunks). Byte estimates only balance work; they are priors, not promises.
 */
import type { ScaleGeometry } from "../../formats/precomputed/geometry.js";
import type { Vec3 } from "../../types.js";
import { DOWNRES_FACTORS } from "./task.js";

const MiB = 2 ** 20;
/** Node, the native addon and braid's code at rest (measured: 52 MiB). */
export const PROCESS_BASE_BYTES = 52 * MiB;
/**
 * A worker's fixed share: the shard writer's drain size, one buffered storage upload, and the
 * slack of V8 freeing decoded chunks only at its next GC.
 */
const WORKER_FIXED_BYTES = 100 * MiB;
/** Per chunk in flight, in units of its source region's bytes (decoded chunks + output). */
const REGIONS_PER_SLOT = 2;
/** Extra GC slack when whole source regions are assembled (windows straddle chunks). */
const REGION_PATH_REGIONS = 5;
/** Index cache bytes per source chunk read (a minishard entry plus its share of overhead). */
const INDEX_BYTES_PER_SOURCE_CHUNK = 48;
/** Per output chunk of a shard: its id and cell, materialised per task. */
const PER_OUTPUT_CHUNK_BYTES = 128;

/** Stored bytes per voxel when nothing has been measured: ~4 KiB per 64³ cseg+gzip chunk. */
export const PRIOR_BYTES_PER_VOXEL = 1 / 64;
/**
 * Stored size of a downsampled scale relative to its source: 8× fewer voxels, but each
 * compressed_segmentation block then holds more labels and boundaries (0.51 on the bench's
 * synthetic mCNS-like data).
 */
export const OUTPUT_TO_SOURCE_BYTES = 0.5;

const product = (v: Vec3) => v[0] * v[1] * v[2];

export interface TaskShapeForMemory {
  outputChunks: number;
  sourceChunks: number;
  /** Source chunks downsample one by one (see `chunksHoldWholeWindows`). */
  wholeWindows: boolean;
}

/** Bytes one worker adds while running a task (a process holds PROCESS_BASE_BYTES more). */
export function estimateWorkerBytes(
  output: ScaleGeometry,
  task: TaskShapeForMemory,
  window: number,
  indexCacheBytes: number,
): number {
  const regionBytes = 8 * product(output.chunkSize) * product(DOWNRES_FACTORS);
  const regions = Math.max(1, window) * REGIONS_PER_SLOT + (task.wholeWindows ? 0 : REGION_PATH_REGIONS);
  return Math.round(
    WORKER_FIXED_BYTES +
      regions * regionBytes +
      Math.min(indexCacheBytes, task.sourceChunks * INDEX_BYTES_PER_SOURCE_CHUNK) +
      task.outputChunks * PER_OUTPUT_CHUNK_BYTES,
  );
}

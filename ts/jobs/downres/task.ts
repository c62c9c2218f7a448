/**
 * The downres task: what one unit of pyramid work is, as a plain structured-cloneable (and
 * JSON-safe) object, so that `runPool` threads, `braid worker` processes and a manifest can
 * all carry it.
 *
 * Input shape (`DownresTask`, kind `"downres"`), for schedulers:
 * ```
 * { dest: "gs://bucket/volume",   // volume URL; the worker opens it and reads `info`
 *   scale: 3,                     // output scale index k; reads scale k-1 of the same volume
 *   shard: "4073",                // sharded output: the output shard number (decimal string)
 *   cells: {origin, shape},       // unsharded output: the box of grid cells written
 *   method: "mode",               // or "mode-nonzero"
 *   onlyMissing: false,           // skip the shard if its file exists (writes are atomic)
 *   gzipLevel?: 6, window?: 4, indexCacheBytes?: 33554432, storage?: {gcs: {apiEndpoint}},
 *   // planning data, ignored by the worker:
 *   outputChunks, sourceChunks, sourceShards: ["0", "1", …] | null,
 *   estimatedSourceBytes, estimatedOutputBytes, estimatedWorkerBytes, estimatedPeakBytes }
 * ```
 * A task of scale k may start once every shard of scale k-1 listed in `sourceShards` is
 * complete (all of scale k-1 when `sourceShards` is null). `scale k-1`'s output shard numbers
 * are exactly the `sourceShards` of scale k, so dependencies are a join on (scale-1, shard).
 * A process running N such tasks at once on worker threads needs about
 * `PROCESS_BASE_BYTES + N × max(estimatedWorkerBytes)`; alone, `estimatedPeakBytes`.
 */
import type { DownsampleMethod } from "../../core/downsample.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Vec3 } from "../../types.js";

/** The task kind registered with the pool. */
export const DOWNRES_TASK = "downres";

/** Every pyramid step halves each spatial axis, as tensorstore-export's `[2, 2, 2, 1]`. */
export const DOWNRES_FACTORS: Vec3 = [2, 2, 2];

export interface DownresTask {
  dest: string;
  /** The pyramid's format (default precomputed). */
  format?: "precomputed" | "ome-zarr";
  /** OME-Zarr: the image-label group `labels/<label>` the pyramid is published as. */
  label?: string;
  /** Output scale index (≥ 1); the source is `scale - 1`. */
  scale: number;
  /** Output shard number as a decimal string (sharded output scales). */
  shard?: string;
  /** Box of output grid cells (unsharded output scales). */
  cells?: { origin: Vec3; shape: Vec3 };
  method: DownsampleMethod;
  onlyMissing: boolean;
  /** gzip level for gzip `data_encoding`/`minishard_index_encoding` (writer default 5, libdeflate). */
  gzipLevel?: number;
  /** Output chunks being computed at once (default 4): bounds memory, hides read latency. */
  window?: number;
  /** Byte budget of the shard/minishard index cache (default 32 MiB). */
  indexCacheBytes?: number;
  /** Storage options when `dest` is a URL needing them; must stay structured-cloneable. */
  storage?: OpenStorageOptions;

  /** Output grid cells in the task. */
  outputChunks: number;
  /** Source grid cells read. */
  sourceChunks: number;
  /** Source shards read (decimal strings); null when the source scale is unsharded. */
  sourceShards: string[] | null;
  /** Stored bytes of source chunks read: measured from shard sizes, or extrapolated. */
  estimatedSourceBytes: number;
  /** Rough size of what the task writes, for chaining estimates to the next scale. */
  estimatedOutputBytes: number;
  /** Memory one worker (thread) adds while running this task, in bytes. */
  estimatedWorkerBytes: number;
  /** Peak resident memory of a process running this task alone, in bytes. */
  estimatedPeakBytes: number;
}

export interface DownresTaskResult {
  scale: number;
  shard?: string;
  /** Shard file (sharded output) written or skipped. */
  file?: string;
  /** `onlyMissing` found the shard already there. */
  skipped: boolean;
  /**
   * Output chunks done: the cells the plan gave the task, whether computed or known absent
   * because nothing is stored under them (absent in, absent out).
   */
  chunks: number;
  /** Output chunks actually downsampled (those with stored source chunks under them). */
  computed: number;
  /** Non-zero chunks stored (all-zero chunks are not). */
  written: number;
  /** Bytes stored. */
  bytes: number;
}

/** Defaults shared by the worker and the memory estimate. */
export const DEFAULT_WINDOW = 4;
export const DEFAULT_INDEX_CACHE_BYTES = 32 << 20;

/**
 * Plain data shared by the export planner, the per-shard task, manifests and verification.
 * Everything here is structured-cloneable and JSON-friendly (shard numbers are decimal
 * strings), so a unit of work can cross into a worker thread or into a manifest file as is.
 */
import type { PrecomputedInfo } from "../../formats/precomputed/info.js";
import type { SourceFileRef } from "../../formats/dvid/source.js";
import type { ErrorRecord } from "../../pipeline/error-record.js";
import type { OpenStorageOptions } from "../../storage/index.js";

export type { ErrorRecord, SourceFileRef };

/** Which ids the output voxels carry: agglomerated bodies (default) or raw supervoxels. */
export type LabelMode = "bodies" | "supervoxels";

/** What every unit of an export run needs to know besides its files and shards. */
export interface ExportSettings {
  labels: LabelMode;
  /** Keep every (N+1)-th z slice of scale 0 (tensorstore-export's `--z-compress`); 0 = off. */
  zCompress: number;
  /** gzip level of chunk payloads when the scale's `data_encoding` is gzip. */
  gzipLevel: number;
  /** Leave shards whose file already exists alone (writes are atomic: existing = complete). */
  onlyMissing: boolean;
}

/**
 * The smallest piece of work: some output shards of one scale and every source file feeding
 * them. Rows of the files that map to other shards are ignored by this unit.
 */
export interface ExportUnit {
  scale: number;
  files: SourceFileRef[];
  /** Shard numbers, decimal. */
  shards: string[];
  /** Rows of the unit's files that land in its shards. */
  rows: number;
  /** Source bytes those rows occupy (record batch bytes, shared batches split by row). */
  sourceBytes: number;
  /** Rows of the unit's largest shard (sizes the shard writer's index). */
  maxShardRows: number;
  /** Rows of the unit's files in all (their indexes are held while the unit runs). */
  indexRows: number;
}

/** What an export writes: neuroglancer precomputed, an OME-Zarr pyramid, or both from one pass. */
export type OutputFormat = "precomputed" | "ome-zarr" | "both";

/** The pyramids a unit writes into (precomputed at `UnitJob.dest`, OME-Zarr at `zarr.dest`). */
export interface UnitOutputs {
  precomputed: boolean;
  zarr?: { dest: string; label?: string };
}

/** Where and how units run: the same for an in-process run, worker threads and manifest workers. */
export interface UnitJob {
  source: string;
  dest: string;
  /** The destination `info` (validated), so workers need not read it. */
  info: PrecomputedInfo;
  settings: ExportSettings;
  storage?: OpenStorageOptions;
  unit: ExportUnit;
  /** Default: precomputed only. */
  outputs?: UnitOutputs;
}

export type ShardStatus = "written" | "skipped" | "empty" | "failed";

/** What happened to one output shard. */
export interface ShardOutcome {
  scale: number;
  shard: string;
  /** Shard file name, e.g. `0fe9.shard`. */
  file: string;
  status: ShardStatus;
  chunks: number;
  bytesIn: number;
  bytesOut: number;
  error?: ErrorRecord;
}

/**
 * braid — DVID segmentation to neuroglancer precomputed, with a Rust core running as a
 * native Node addon or as WebAssembly behind this one API.
 *
 * This module holds what runs on no backend: types, errors, storage, `info` handling,
 * manifest parsing. Every entry point (`entry/*.ts`) re-exports it and adds the functions and
 * classes of `api.ts`, bound to its own backend.
 */
export { Backend, type BackendName, type WasmSource } from "./backend/backend.js";
export { BraidError, isBraidError, type BraidErrorCode, type ErrorContext } from "./errors.js";
export type * from "./types.js";

// codecs (implemented in api.ts; their option and result types)
export type { DecodeDvidBlockOptions, EncodeDvidBlockOptions, TranscodeOptions } from "./formats/dvid/block.js";
export type { DecodeCompressedSegmentationOptions } from "./formats/precomputed/compressed-segmentation.js";
export type { DecompressOptions } from "./core/compression.js";
export type { DownresStep, Downsampled, DownsampleMethod, DownsampleOptions, SourcePayload } from "./core/downsample.js";

// the format-neutral volume model
export type { VoxelBox } from "./volume/box.js";
export type { DataType, LabelArray, LabelArrayOf, LabelDataType } from "./volume/labels.js";
export type { ChunkGrid } from "./volume/grid.js";
export type { Level, Volume } from "./volume/volume.js";
export type { VoxelArray, VoxelValue } from "./volume/voxels.js";
export type { Axis, AxisType } from "./volume/axes.js";
export type { Channel, ImageLabel } from "./volume/source.js";
export type { AxisSelection, LazyLevel, VoxelRoi, WorldBox } from "./volume/lazy-level.js";
export type {
  ChunksOptions,
  LazyVolume,
  LevelChoice,
  ReadOptions,
  ReadResult,
  RegionOptions,
  VolumeAxis,
  VolumeChunk,
} from "./volume/lazy-volume.js";
export type { ChunkEncodingSpec, LevelWriter, ShardBox, ShardChunk, ShardWriteOptions, VolumeWriter, WrittenShard } from "./volume/writer.js";

// DVID export files
export { DvidRecords, type RecordTranscodeOptions } from "./formats/dvid/records.js";
export type { CsvIndex, CsvIndexRow, StreamScan } from "./formats/dvid/csv-index.js";
export type { ExportRecordInput } from "./formats/dvid/export-writer.js";
export type { SynthParams, SynthRecord } from "./formats/dvid/synth.js";
export { DvidShard, DvidBlock } from "./formats/dvid/open-shard.js";
export type { SourceIndex } from "./formats/dvid/file-index.js";

// neuroglancer precomputed
export * from "./formats/precomputed/info.js";
export { downsampledScale, type ChunkPlace } from "./formats/precomputed/geometry.js";
export {
  encodeShardingSpec,
  type ChunkLocation,
  type FinishedShard,
  type HashFunction,
  type MinishardEntry,
  type ShardEncoding,
  type ShardGeometry,
  type ShardingSpec,
  type ShardLayout,
  type ShardWriterOptions,
} from "./formats/precomputed/sharding.js";
export { PrecomputedVolume, type CreatePrecomputedOptions, type PrecomputedOptions } from "./formats/precomputed/volume.js";
export { PrecomputedScale, type WriteShardOptions } from "./formats/precomputed/scale.js";

// lazy reading: openVolume (api.ts) and discovery of microscopy layouts
export type { OpenVolumeOptions } from "./formats/open-volume.js";
export { discover, type DiscoveredImage, type DiscoverOptions } from "./formats/discover.js";

// storage
export * from "./storage/index.js";

// jobs: export, verify, synthetic data, pyramids, array-job manifests
export type { ExportOptions, ExportResult, ProgressReporting } from "./jobs/export/export.js";
export type { ExportPlan, ScalePlan, PlannedFile, BlockedShard } from "./jobs/export/plan.js";
export type { RunSummary, Failure } from "./jobs/export/summary.js";
export type { MemoryEstimate } from "./jobs/export/memory.js";
export type { ExportSettings, ExportUnit, LabelMode, ShardOutcome } from "./jobs/export/types.js";
export type { ErrorRecord } from "./pipeline/error-record.js";
export type { VerifyOptions, VerifyReport, ScaleReport, Problem, ProblemKind } from "./jobs/verify/verify.js";
export type { SynthExportOptions, SynthExportResult } from "./jobs/synth/synth.js";
export { buildManifest, type Manifest, type ManifestTask } from "./jobs/manifests/export-manifest.js";
export type { ManifestTaskOptions, ManifestTaskResult } from "./jobs/manifests/export-worker.js";
export type { DownresEvents, DownresOptions, DownresOutcome, DownresScaleSummary, DownresSummary } from "./jobs/downres/run.js";
export type { PlanDownresOptions } from "./jobs/downres/plan.js";
export type { DownresTask, DownresTaskResult } from "./jobs/downres/task.js";
export { withDownresScales } from "./jobs/downres/scales.js";
export { PROCESS_BASE_BYTES as DOWNRES_PROCESS_BASE_BYTES } from "./jobs/downres/estimate.js";
export {
  buildDownresManifest,
  DOWNRES_MANIFEST_FORMAT,
  parseDownresManifest,
  type DownresManifest,
  type DownresManifestStage,
  type DownresManifestTask,
} from "./jobs/manifests/downres-manifest.js";
export type { DownresManifestTaskOptions, DownresManifestTaskResult } from "./jobs/manifests/downres-worker.js";

export type { BoundApi } from "./api.js";

/**
 * braid — DVID segmentation to neuroglancer precomputed, with a Rust core running as a
 * native Node addon or as WebAssembly behind this one API.
 */
export * from "./core/codec.js";
export * from "./core/downsample.js";
export * from "./jobs/downres/index.js";
export * from "./formats/dvid/records.js";
export * from "./jobs/export/index.js";
export * from "./formats/precomputed/sharding.js";
export * from "./formats/dvid/synth.js";
export * from "./storage/index.js";
export * from "./formats/precomputed/info.js";
export * from "./formats/precomputed/geometry.js";
export * from "./formats/precomputed/volume.js";
export { PrecomputedScale } from "./formats/precomputed/scale.js";
export type { ShardChunk, WriteShardOptions, WrittenShard } from "./formats/precomputed/shard-writer.js";
export type { LabelArray } from "./formats/precomputed/chunk-codec.js";
export { BraidError, isBraidError, type BraidErrorCode, type ErrorContext } from "./errors.js";
export { backend, init, type WasmSource } from "./backend/backend.js";
export type { BackendName } from "./backend/binding.js";
export type * from "./types.js";

/**
 * braid — DVID segmentation to neuroglancer precomputed, with a Rust core running as a
 * native Node addon or as WebAssembly behind this one API.
 */
export * from "./codec.js";
export * from "./downsample.js";
export * from "./downres/index.js";
export * from "./dvid-export.js";
export * from "./export/index.js";
export * from "./sharding.js";
export * from "./synth.js";
export * from "./storage/index.js";
export * from "./precomputed/info.js";
export * from "./precomputed/geometry.js";
export * from "./precomputed/volume.js";
export { PrecomputedScale } from "./precomputed/scale.js";
export type { ShardChunk, WriteShardOptions, WrittenShard } from "./precomputed/shard-write.js";
export type { LabelArray } from "./precomputed/chunk-codec.js";
export { BraidError, isBraidError, type BraidErrorCode, type ErrorContext } from "./errors.js";
export { backend, init, type WasmSource } from "./runtime.js";
export type { BackendName } from "./backend.js";
export type * from "./types.js";

/** The export API the `braid` CLI wraps: DVID export → precomputed, manifests, verification, synthetic exports. */
export { exportVolume, planExport, type ExportOptions, type ExportResult, type ProgressReporting } from "./export.js";
export type { ExportPlan, ScalePlan, PlannedFile, BlockedShard } from "./plan.js";
export type { RunSummary, Failure } from "./summary.js";
export type { MemoryEstimate } from "./memory.js";
export type { ExportSettings, ExportUnit, LabelMode, ShardOutcome, ErrorRecord } from "./types.js";
export { verifyExport, type VerifyOptions, type VerifyReport, type ScaleReport, type Problem, type ProblemKind } from "../verify/verify.js";
export { synthExport, type SynthExportOptions, type SynthExportResult } from "../synth/synth.js";
export { buildManifest, type Manifest, type ManifestTask } from "../manifests/export-manifest.js";
export { runManifestTask, type ManifestTaskOptions, type ManifestTaskResult } from "../manifests/export-worker.js";
export { openDvidShard, DvidShard, DvidBlock } from "../../formats/dvid/open-shard.js";
export type { SourceIndex } from "../../formats/dvid/file-index.js";

/** Multiscale pyramids: scale k from scale k-1 by TensorStore's mode downsampling. */
export { downresVolume, runDownresTasks, type DownresEvents, type DownresOptions, type DownresOutcome, type DownresScaleSummary, type DownresSummary } from "./run.js";
export { planDownres, type PlanDownresOptions } from "./plan.js";
export { withDownresScales } from "./scales.js";
export { runDownresTask } from "./handler.js";
export { DOWNRES_TASK, type DownresTask, type DownresTaskResult } from "./task.js";
export { PROCESS_BASE_BYTES as DOWNRES_PROCESS_BASE_BYTES } from "./estimate.js";
export {
  buildDownresManifest,
  DOWNRES_MANIFEST_FORMAT,
  parseDownresManifest,
  type DownresManifest,
  type DownresManifestStage,
  type DownresManifestTask,
} from "../manifests/downres-manifest.js";
export { runDownresManifestTask, type DownresManifestTaskOptions, type DownresManifestTaskResult } from "../manifests/downres-worker.js";

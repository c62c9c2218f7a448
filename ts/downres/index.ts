/** Multiscale pyramids: scale k from scale k-1 by TensorStore's mode downsampling. */
export { downresVolume, type DownresEvents, type DownresOptions, type DownresOutcome, type DownresScaleSummary, type DownresSummary } from "./run.js";
export { planDownres, type PlanDownresOptions } from "./plan.js";
export { withDownresScales } from "./scales.js";
export { runDownresTask } from "./handler.js";
export { DOWNRES_TASK, type DownresTask, type DownresTaskResult } from "./task.js";
export { PROCESS_BASE_BYTES as DOWNRES_PROCESS_BASE_BYTES } from "./estimate.js";

/**
 * `runDownresManifestTask`: one task of one stage of a downres manifest, as an array-job
 * worker runs it. Idempotent: shards that exist are skipped and writes are atomic.
 */
import type { Backend } from "../../backend/backend.js";
import { readJsonLocation } from "../../storage/locations.js";
import { processEnv, resolveTaskIndex } from "../../pipeline/array-job.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import { parseDownresManifest, selectStage, type DownresManifest } from "./downres-manifest.js";
import { runDownresTasks, type DownresEvents, type DownresSummary } from "../downres/run.js";

export interface DownresManifestTaskOptions {
  /** The backend to downsample on (default: the entry point's). */
  backend?: Backend;
  /** The manifest, or where to read it (path, file://, gs://, http(s)://). */
  manifest: string | DownresManifest;
  /** The stage's output scale; may be omitted when the manifest builds one scale. */
  scale?: number;
  /** Which task; default from the environment (CLOUD_RUN_TASK_INDEX, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX). */
  taskIndex?: number;
  /** Worker threads (default: all cores; 0 = in-process). */
  workers?: number;
  env?: Record<string, string | undefined>;
  /** Replaces the storage options the planner recorded in the tasks. */
  storage?: OpenStorageOptions;
  on?: DownresEvents;
}

export interface DownresManifestTaskResult {
  scale: number;
  task: number;
  tasks: number;
  summary: DownresSummary;
}

export async function runDownresManifestTask(backend: Backend, options: DownresManifestTaskOptions): Promise<DownresManifestTaskResult> {
  const t0 = performance.now();
  const where = typeof options.manifest === "string" ? options.manifest : "the manifest";
  const manifest =
    typeof options.manifest === "string"
      ? parseDownresManifest(await readJsonLocation(options.manifest, options.storage), options.manifest)
      : options.manifest;
  const stage = selectStage(manifest, options.scale, where);
  const index = resolveTaskIndex(options.taskIndex, stage.tasks.length, options.env ?? processEnv());
  const units = stage.tasks[index]!.units.map((t) => ({ ...t, onlyMissing: true, ...(options.storage ? { storage: options.storage } : {}) }));
  const summary = await runDownresTasks(backend, units, { ...(options.workers === undefined ? {} : { workers: options.workers }), ...(options.on ? { on: options.on } : {}) }, t0);
  return { scale: stage.scale, task: index, tasks: stage.tasks.length, summary };
}

/**
 * `runManifestTask`: one task of a manifest, as an array-job worker runs it. Idempotent and
 * safe to retry: the destination `info` is created or checked the same way by every task,
 * shards that exist are skipped (a shard file exists only once complete), and the rest are
 * written atomically.
 */
import type { Backend } from "../../backend/backend.js";
import { processEnv } from "../../pipeline/array-job.js";
import { peakRssMiB } from "../../pipeline/progress.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import { defaultWorkers } from "../../pipeline/cores.js";
import { prepareOutputs, runJobs } from "../export/export.js";
import type { ProgressReporting } from "../../pipeline/progress.js";
import { readJsonLocation } from "../../storage/locations.js";
import { parseManifest, resolveTaskIndex, type Manifest } from "./export-manifest.js";
import { sharedAcrossThreads } from "../../storage/by-url.js";
import { cpuNow, cpuSince, summarize, type RunSummary } from "../export/summary.js";
import type { UnitJob } from "../export/types.js";

export interface ManifestTaskOptions {
  /** The backend to convert on (default: the entry point's). */
  backend?: Backend;
  /** The manifest, or where to read it (path, file://, gs://, http(s)://). */
  manifest: string | Manifest;
  /** Which task; default from the environment (CLOUD_RUN_TASK_INDEX, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX). */
  taskIndex?: number;
  /** Worker threads (default: all cores; 0 = in-process). */
  workers?: number;
  env?: Record<string, string | undefined>;
  storage?: OpenStorageOptions;
  progress?: boolean | ProgressReporting;
}

export interface ManifestTaskResult {
  task: number;
  tasks: number;
  summary: RunSummary;
}

export async function runManifestTask(backend: Backend, options: ManifestTaskOptions): Promise<ManifestTaskResult> {
  const t0 = performance.now();
  const cpu0 = cpuNow();
  const manifest =
    typeof options.manifest === "string"
      ? parseManifest(await readJsonLocation(options.manifest, options.storage), options.manifest)
      : options.manifest;
  const index = resolveTaskIndex(options.taskIndex, manifest.tasks.length, options.env ?? processEnv());
  const task = manifest.tasks[index]!;
  const settings = { ...manifest.settings, onlyMissing: true };
  const scales = manifest.scales.map((s) => s.scale);
  const { info, outputs } = await prepareOutputs(
    backend,
    { dest: manifest.dest, info: manifest.info, settings },
    { ...manifest.output, dest: manifest.dest, ...(options.storage ? { storage: options.storage } : {}) },
    scales,
  );
  const jobs: UnitJob[] = task.units.map((unit) => ({
    source: manifest.source,
    dest: manifest.dest,
    info,
    settings,
    unit,
    outputs,
    ...(options.storage ? { storage: options.storage } : {}),
  }));
  const shared = sharedAcrossThreads(manifest.source) && sharedAcrossThreads(manifest.dest) && (outputs.zarr === undefined || sharedAcrossThreads(outputs.zarr.dest));
  const workers = shared ? (options.workers ?? (await defaultWorkers())) : 0;
  const { outcomes, blocks } = await runJobs(backend, jobs, workers, task.rows, options, `task ${index}`);
  const summary = summarize(outcomes, [], {
    blocks,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSince(cpu0),
    peakRssMiB: await peakRssMiB(),
    workers,
  });
  return { task: index, tasks: manifest.tasks.length, summary };
}

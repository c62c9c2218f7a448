/**
 * Task manifests for array jobs (Cloud Run jobs, Kubernetes indexed jobs, AWS Batch arrays):
 * the export plan's units split into K tasks balanced by source bytes (greedy, largest unit
 * first onto the lightest task), each with its estimated peak memory, in one JSON document.
 * A task is a list of units, so `braid worker` runs exactly the code `braid export` runs.
 */
import { BraidError } from "../errors.js";
import { parseInfo, type PrecomputedInfo } from "../precomputed/info.js";
import { estimateMemory, MEMORY_FORMULA, PROCESS_BASE_MIB, unitPeakMiB } from "./memory.js";
import type { ExportPlan } from "./plan.js";
import type { ExportSettings, ExportUnit } from "./types.js";

export const MANIFEST_FORMAT = "braid-export-manifest/1";

export interface ManifestTask {
  index: number;
  sourceBytes: number;
  rows: number;
  shards: number;
  /** Peak of one worker thread on this task's most demanding unit. */
  peakMiBPerWorker: number;
  /** Peak of a `braid worker --workers 1` process on this task. */
  peakMiB: number;
  units: ExportUnit[];
}

export interface ScaleSummary {
  scale: number;
  key: string;
  files: number;
  rows: number;
  sourceBytes: number;
  shards: number;
  units: number;
  spanning: ExportPlan["scales"][number]["spanning"];
  shared: ExportPlan["scales"][number]["shared"];
  failedFiles: Array<{ file: string; code: string; message: string }>;
  blocked: ExportPlan["scales"][number]["blocked"];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  created: string;
  source: string;
  dest: string;
  info: PrecomputedInfo;
  settings: ExportSettings;
  scales: ScaleSummary[];
  memoryFormula: string;
  tasks: ManifestTask[];
}

/** Greedy largest-first bin packing of units into `count` tasks by source bytes. */
export function packUnits(units: readonly ExportUnit[], count: number): ExportUnit[][] {
  if (!Number.isInteger(count) || count < 1) throw new BraidError("INVALID_ARGUMENT", `--tasks must be a positive integer, got ${count}`);
  const bins = Array.from({ length: count }, () => ({ bytes: 0, units: [] as ExportUnit[] }));
  const order = [...units].sort((a, b) => b.sourceBytes - a.sourceBytes || b.rows - a.rows);
  for (const u of order) {
    let best = bins[0]!;
    for (const b of bins) if (b.bytes < best.bytes) best = b;
    best.units.push(u);
    best.bytes += u.sourceBytes;
  }
  return bins.map((b) => b.units);
}

export function buildManifest(plan: ExportPlan, tasks: number): Manifest {
  const units = plan.scales.flatMap((s) => s.units);
  return {
    format: MANIFEST_FORMAT,
    created: new Date().toISOString(),
    source: plan.source,
    dest: plan.dest,
    info: plan.info,
    settings: { ...plan.settings, onlyMissing: true },
    scales: plan.scales.map((s) => ({
      scale: s.scale,
      key: s.key,
      files: s.files.length,
      rows: s.rows,
      sourceBytes: s.sourceBytes,
      shards: s.shards,
      units: s.units.length,
      spanning: s.spanning,
      shared: s.shared,
      failedFiles: s.files.filter((f) => f.error).map((f) => ({ file: f.key, code: f.error!.code, message: f.error!.message })),
      blocked: s.blocked,
    })),
    memoryFormula: MEMORY_FORMULA,
    tasks: packUnits(units, tasks).map((list, index) => {
      const perWorker = estimateMemory(list, 1).perWorkerMiB;
      return {
        index,
        sourceBytes: list.reduce((n, u) => n + u.sourceBytes, 0),
        rows: list.reduce((n, u) => n + u.rows, 0),
        shards: list.reduce((n, u) => n + u.shards.length, 0),
        peakMiBPerWorker: list.length === 0 ? 0 : Math.ceil(Math.max(...list.map(unitPeakMiB))),
        peakMiB: Math.ceil(PROCESS_BASE_MIB + perWorker),
        units: list,
      };
    }),
  };
}

/** Validates a manifest read from JSON. */
export function parseManifest(value: unknown, where: string): Manifest {
  const bad = (why: string) => new BraidError("MANIFEST_INVALID", `${where}: ${why}`, { file: where });
  if (typeof value !== "object" || value === null) throw bad("not a JSON object");
  const m = value as Partial<Manifest>;
  if (m.format !== MANIFEST_FORMAT) throw bad(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (typeof m.source !== "string" || typeof m.dest !== "string") throw bad("source and dest must be strings");
  if (!Array.isArray(m.tasks)) throw bad("tasks must be an array");
  if (typeof m.settings !== "object" || m.settings === null) throw bad("settings missing");
  return { ...(m as Manifest), info: parseInfo(m.info ?? {}) };
}

/** Environment variables array-job engines set to a task's index, in the order they are consulted. */
export const TASK_INDEX_VARIABLES = ["CLOUD_RUN_TASK_INDEX", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] as const;

/** The task to run: the explicit index, else the engine's environment. */
export function resolveTaskIndex(explicit: number | undefined, tasks: number, env: Record<string, string | undefined>): number {
  let index = explicit;
  let from = "--task-index";
  if (index === undefined) {
    for (const name of TASK_INDEX_VARIABLES) {
      const v = env[name];
      if (v === undefined || v === "") continue;
      index = Number(v);
      from = name;
      break;
    }
  }
  if (index === undefined) {
    throw new BraidError("INVALID_ARGUMENT", `no task index: pass --task-index or set one of ${TASK_INDEX_VARIABLES.join(", ")}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= tasks) {
    throw new BraidError("INVALID_ARGUMENT", `${from} = ${index} is not a task of this manifest (it has ${tasks})`);
  }
  const count = env.CLOUD_RUN_TASK_COUNT;
  if (from === "CLOUD_RUN_TASK_INDEX" && count !== undefined && count !== "" && Number(count) !== tasks) {
    throw new BraidError(
      "TASK_COUNT_MISMATCH",
      `CLOUD_RUN_TASK_COUNT is ${count} but the manifest has ${tasks} tasks: run the job with --tasks ${tasks}`,
    );
  }
  return index;
}

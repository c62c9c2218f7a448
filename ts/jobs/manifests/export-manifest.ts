/**
 * Task manifests for array jobs (Cloud Run jobs, Kubernetes indexed jobs, AWS Batch arrays):
 * the export plan's units split into K tasks balanced by source bytes (greedy, largest unit
 * first onto the lightest task), each with its estimated peak memory, in one JSON document.
 * A task is a list of units, so `braid worker` runs exactly the code `braid export` runs.
 */
import { BraidError } from "../../errors.js";
import { packBalanced } from "../../pipeline/array-job.js";
import { parseInfo, type PrecomputedInfo } from "../../formats/precomputed/info.js";
import { estimateMemory, MEMORY_FORMULA, PROCESS_BASE_MIB, unitPeakMiB } from "../export/memory.js";
import type { ExportPlan } from "../export/plan.js";
import { manifestOutputs, type ExportOutputOptions } from "../export/export.js";
import type { ExportSettings, ExportUnit } from "../export/types.js";

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
  /** Output format and OME-Zarr options (absent: precomputed only). */
  output?: ExportOutputOptions;
  scales: ScaleSummary[];
  memoryFormula: string;
  tasks: ManifestTask[];
}

const outputField = (output: ExportOutputOptions) => (Object.keys(output).length === 0 ? {} : { output });

/** Units split into `count` tasks balanced by source bytes. */
export function packUnits(units: readonly ExportUnit[], count: number): ExportUnit[][] {
  return packBalanced(units, count, (u) => u.sourceBytes);
}

export function buildManifest(plan: ExportPlan, tasks: number, output: ExportOutputOptions = {}): Manifest {
  const units = plan.scales.flatMap((s) => s.units);
  return {
    format: MANIFEST_FORMAT,
    created: new Date().toISOString(),
    source: plan.source,
    dest: plan.dest,
    info: plan.info,
    settings: { ...plan.settings, onlyMissing: true },
    ...outputField(manifestOutputs({ ...output, dest: plan.dest })),
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
  if (!Array.isArray(m.scales) || m.scales.some((s) => !Number.isInteger(s?.scale))) throw bad("scales must be an array of {scale, …}");
  m.tasks.forEach((task, i) => {
    if (!Array.isArray(task?.units)) throw bad(`task ${i}: units must be an array`);
    for (const u of task.units as Partial<ExportUnit>[]) {
      const shards = Array.isArray(u?.shards) && u.shards.every((x) => typeof x === "string" && /^\d+$/.test(x));
      if (!Number.isInteger(u?.scale) || !Array.isArray(u?.files) || !shards) {
        throw bad(`task ${i}: a unit needs a scale, files and decimal shard numbers`);
      }
    }
  });
  return { ...(m as Manifest), info: parseInfo(m.info ?? {}) };
}

export { resolveTaskIndex, TASK_INDEX_VARIABLES } from "../../pipeline/array-job.js";

/**
 * Downres manifests for array jobs: a planned pyramid split into stages, one per output scale,
 * each stage K tasks balanced by estimated source bytes. Scale k reads scale k-1, so stages run
 * in order — one array-job execution per scale (`braid worker --scale k`), each started once
 * the previous one succeeded; within a stage every task is independent, idempotent and
 * retryable (`onlyMissing`, atomic shard writes).
 */
import { BraidError } from "../../errors.js";
import { packBalanced } from "../../pipeline/array-job.js";
import { PROCESS_BASE_BYTES } from "../downres/estimate.js";
import type { DownresTask } from "../downres/task.js";

export const DOWNRES_MANIFEST_FORMAT = "braid-downres-manifest/1";

const MiB = 2 ** 20;

export interface DownresManifestTask {
  index: number;
  estimatedSourceBytes: number;
  outputChunks: number;
  /** Memory one more worker thread adds on this task's most demanding unit. */
  peakMiBPerWorker: number;
  /** Peak of a `braid worker --workers 1` process on this task. */
  peakMiB: number;
  /** Output shards (or boxes of unsharded cells), as `braid downres` plans them. */
  units: DownresTask[];
}

export interface DownresManifestStage {
  /** Output scale; its source is `scale - 1`. */
  scale: number;
  units: number;
  outputChunks: number;
  /** Exactly the manifest's task count; a task may be empty when there are few shards. */
  tasks: DownresManifestTask[];
}

export interface DownresManifest {
  format: typeof DOWNRES_MANIFEST_FORMAT;
  created: string;
  dest: string;
  stages: DownresManifestStage[];
}

/** Splits planned downres tasks into one stage per scale of `count` balanced tasks each. */
export function buildDownresManifest(dest: string, planned: readonly DownresTask[], count: number): DownresManifest {
  const scales = [...new Set(planned.map((t) => t.scale))].sort((a, b) => a - b);
  const stages = scales.map((scale): DownresManifestStage => {
    const units = planned.filter((t) => t.scale === scale).map((t) => ({ ...t, onlyMissing: true }));
    const bins = packBalanced(units, count, (t) => t.estimatedSourceBytes);
    return {
      scale,
      units: units.length,
      outputChunks: units.reduce((n, t) => n + t.outputChunks, 0),
      tasks: bins.map((list, index) => {
        const perWorker = list.length === 0 ? 0 : Math.max(...list.map((t) => t.estimatedWorkerBytes));
        return {
          index,
          estimatedSourceBytes: list.reduce((n, t) => n + t.estimatedSourceBytes, 0),
          outputChunks: list.reduce((n, t) => n + t.outputChunks, 0),
          peakMiBPerWorker: Math.ceil(perWorker / MiB),
          peakMiB: Math.ceil((PROCESS_BASE_BYTES + perWorker) / MiB),
          units: list,
        };
      }),
    };
  });
  return { format: DOWNRES_MANIFEST_FORMAT, created: new Date().toISOString(), dest, stages };
}

/** Validates a downres manifest read from JSON. */
export function parseDownresManifest(value: unknown, where: string): DownresManifest {
  const bad = (why: string) => new BraidError("MANIFEST_INVALID", `${where}: ${why}`, { file: where });
  if (typeof value !== "object" || value === null) throw bad("not a JSON object");
  const m = value as Partial<DownresManifest>;
  if (m.format !== DOWNRES_MANIFEST_FORMAT) throw bad(`format is ${JSON.stringify(m.format)}, expected "${DOWNRES_MANIFEST_FORMAT}"`);
  if (typeof m.dest !== "string") throw bad("dest must be a string");
  if (!Array.isArray(m.stages) || m.stages.some((s) => !Number.isInteger(s?.scale) || !Array.isArray(s.tasks))) {
    throw bad("stages must be an array of {scale, tasks}");
  }
  const vec3 = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every(Number.isInteger);
  for (const stage of m.stages) {
    stage.tasks.forEach((task, i) => {
      const at = `scale ${stage.scale} task ${i}`;
      if (!Array.isArray(task?.units)) throw bad(`${at}: units must be an array of downres tasks`);
      for (const u of task.units as Partial<DownresTask>[]) {
        if (typeof u?.dest !== "string" || u.scale !== stage.scale) throw bad(`${at}: a unit lacks dest or is not for scale ${stage.scale}`);
        const shard = typeof u.shard === "string" && /^\d+$/.test(u.shard);
        const cells = typeof u.cells === "object" && u.cells !== null && vec3(u.cells.origin) && vec3(u.cells.shape);
        if (shard === cells) throw bad(`${at}: a unit needs a decimal shard number or a cells box, not ${JSON.stringify(u.shard ?? u.cells)}`);
        if (u.method !== "mode" && u.method !== "mode-nonzero") throw bad(`${at}: method ${JSON.stringify(u.method)} is not mode or mode-nonzero`);
      }
    });
  }
  return m as DownresManifest;
}

/** The stage to run: the one asked for, or the only one. */
export function selectStage(manifest: DownresManifest, scale: number | undefined, where: string): DownresManifestStage {
  const scales = manifest.stages.map((s) => s.scale);
  if (scale === undefined) {
    if (manifest.stages.length === 1) return manifest.stages[0]!;
    throw new BraidError(
      "INVALID_ARGUMENT",
      `${where} builds scales ${scales.join(",")}: pass --scale, one execution per scale in this order, each after the previous one succeeded`,
    );
  }
  const stage = manifest.stages.find((s) => s.scale === scale);
  if (!stage) throw new BraidError("INVALID_ARGUMENT", `${where} does not build scale ${scale} (it builds ${scales.join(",")})`);
  return stage;
}

/**
 * Runs export units on the worker pool (or in-process) and collects one outcome per shard,
 * whatever happens to a unit: a unit whose worker died reports all its shards as failed.
 */
import type { Backend } from "../../backend/backend.js";
import { ScaleGeometry } from "../../formats/precomputed/geometry.js";
import type { ProgressDelta } from "../../pipeline/tasks.js";
import { runTasks } from "../run-tasks.js";
import { errorRecord } from "../../pipeline/error-record.js";
import { EXPORT_UNIT_TASK } from "./unit-task.js";
import type { ShardOutcome, UnitJob } from "./types.js";

export interface RunUnitsOptions {
  workers: number;
  onProgress?: (d: ProgressDelta) => void;
  /** Called for every shard as its unit ends (for failure log lines). */
  onShard?: (o: ShardOutcome) => void;
}

export async function runUnits(backend: Backend, jobs: readonly UnitJob[], options: RunUnitsOptions): Promise<ShardOutcome[]> {
  const outcomes: ShardOutcome[] = [];
  await runTasks<UnitJob, ShardOutcome[]>(EXPORT_UNIT_TASK, jobs, {
    backend,
    workers: options.workers,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onTaskEnd(o) {
      const job = o.input as UnitJob;
      const shardOutcomes: ShardOutcome[] = o.ok
        ? (o.output as ShardOutcome[])
        : job.unit.shards.map((shard) => ({
            scale: job.unit.scale,
            shard,
            file: new ScaleGeometry(backend, job.info.scales[job.unit.scale]!).shardFile(BigInt(shard)),
            status: "failed",
            chunks: 0,
            bytesIn: 0,
            bytesOut: 0,
            error: errorRecord(o.error),
          }));
      for (const s of shardOutcomes) {
        outcomes.push(s);
        options.onShard?.(s);
      }
    },
  });
  return outcomes;
}

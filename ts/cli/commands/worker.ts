/**
 * `braid worker`: runs one task of a manifest (array jobs). Idempotent: existing shards are
 * skipped and writes are atomic, so a retried or duplicated task is harmless.
 */
import { formatSummary } from "../../export/summary.js";
import { runManifestTask } from "../../export/worker.js";
import { intOption, required, type Command } from "../command.js";

const usage = `options:
  --manifest <file|url>   manifest written by braid manifest (path, gs://, http(s)://)
  --task-index <i>        task to run (default: CLOUD_RUN_TASK_INDEX, JOB_COMPLETION_INDEX or
                          AWS_BATCH_JOB_ARRAY_INDEX; CLOUD_RUN_TASK_COUNT must match the manifest)
  --workers <n>           worker threads (default: all cores; 0 = in-process)`;

export const workerCommand: Command = {
  name: "worker",
  summary: "run one task of an export manifest (Cloud Run, Kubernetes, AWS Batch)",
  usage,
  options: { manifest: { type: "string" }, "task-index": { type: "string" }, workers: { type: "string" } },
  async run(values) {
    const manifest = required(values, "manifest");
    const taskIndex = values["task-index"] === undefined ? undefined : intOption(values, "task-index", 0);
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const result = await runManifestTask({
      manifest,
      ...(taskIndex === undefined ? {} : { taskIndex }),
      ...(workers === undefined ? {} : { workers }),
      progress: true,
    });
    console.log(formatSummary(result.summary, `task ${result.task} of ${result.tasks}`));
    return result.summary.ok ? 0 : 1;
  },
};

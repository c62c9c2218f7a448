/**
 * `braid worker`: runs one task of a manifest (array jobs), export or downres by the
 * manifest's format. Idempotent: existing shards are skipped and writes are atomic, so a
 * retried or duplicated task is harmless.
 */
import { DOWNRES_MANIFEST_FORMAT, parseDownresManifest, runDownresManifestTask, runManifestTask } from "../../entry/node.js";
import { readJsonLocation } from "../../storage/locations.js";
import { parseManifest } from "../../jobs/manifests/export-manifest.js";
import { formatSummary } from "../../jobs/export/summary.js";
import { intOption, required, type Command } from "../command.js";
import { downresReporting } from "./downres.js";

const usage = `options:
  --manifest <file|url>   manifest written by braid manifest (path, gs://, http(s)://)
  --task-index <i>        task to run (default: CLOUD_RUN_TASK_INDEX, JOB_COMPLETION_INDEX or
                          AWS_BATCH_JOB_ARRAY_INDEX; CLOUD_RUN_TASK_COUNT must match the manifest)
  --scale <k>             downres manifests: the stage (output scale) to run; stages run in
                          order, each once the previous one succeeded
  --workers <n>           worker threads (default: all cores; 0 = in-process)`;

export const workerCommand: Command = {
  name: "worker",
  summary: "run one task of an export or downres manifest (Cloud Run, Kubernetes, AWS Batch)",
  usage,
  options: { manifest: { type: "string" }, "task-index": { type: "string" }, scale: { type: "string" }, workers: { type: "string" } },
  async run(values) {
    const location = required(values, "manifest");
    const taskIndex = values["task-index"] === undefined ? undefined : intOption(values, "task-index", 0);
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const common = { ...(taskIndex === undefined ? {} : { taskIndex }), ...(workers === undefined ? {} : { workers }) };
    const json = await readJsonLocation(location);
    if ((json as { format?: unknown } | null)?.format === DOWNRES_MANIFEST_FORMAT) {
      const scale = values.scale === undefined ? undefined : intOption(values, "scale", 1);
      const reporting = downresReporting("worker");
      const result = await runDownresManifestTask({
        manifest: parseDownresManifest(json, location),
        ...common,
        ...(scale === undefined ? {} : { scale }),
        on: reporting.on,
      });
      console.log(`scale ${result.scale} task ${result.task} of ${result.tasks}:`);
      return reporting.finish(result.summary);
    }
    const result = await runManifestTask({ manifest: parseManifest(json, location), ...common, progress: true });
    console.log(formatSummary(result.summary, `task ${result.task} of ${result.tasks}`));
    return result.summary.ok ? 0 : 1;
  },
};

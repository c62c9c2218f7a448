/**
 * `braid manifest`: plans an export once and splits it into K task manifests balanced by
 * source bytes, for `braid worker` on an array job (one JSON document; stdout without --out).
 */
import { planExport } from "../../export/export.js";
import { writeLocation } from "../../export/locations.js";
import { buildManifest } from "../../export/manifest.js";
import { intOption, required, UsageError, type Command } from "../command.js";
import { exportArguments, exportOptions } from "./export.js";

const usage = `options:
  --source <dir|gs://…>   the DVID export
  --dest <dir|gs://…>     the precomputed volume the workers will write
  --spec <file|url>       neuroglancer volume spec
  --tasks <k>             number of tasks (array job size)
  --out <file|gs://…>     where to write the manifest (default: stdout)
  --scales, --supervoxels, --z-compress, --gzip-level   as for braid export

Each task lists its units (output shards and the files feeding them) and its estimated peak
memory; run task i with: braid worker --manifest <out> --task-index i (or CLOUD_RUN_TASK_INDEX,
JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX).`;

export const manifestCommand: Command = {
  name: "manifest",
  summary: "split an export into K task manifests for array jobs",
  usage,
  options: { ...exportOptions, tasks: { type: "string" }, out: { type: "string" } },
  async run(values) {
    const args = await exportArguments(values);
    required(values, "tasks");
    const tasks = intOption(values, "tasks", 1);
    if (tasks < 1) throw new UsageError("--tasks must be at least 1");
    const { plan } = await planExport({ ...args, workers: 1 });
    const manifest = buildManifest(plan, tasks);
    const text = JSON.stringify(manifest, null, 1);
    if (typeof values.out === "string") await writeLocation(values.out, text);
    else process.stdout.write(`${text}\n`);
    const failed = manifest.scales.flatMap((s) => s.failedFiles);
    const lines = [
      `manifest: ${manifest.tasks.length} tasks, ${manifest.tasks.reduce((n, t) => n + t.shards, 0)} shards, ` +
        `${manifest.tasks.reduce((n, t) => n + t.rows, 0)} blocks${typeof values.out === "string" ? ` → ${values.out}` : ""}`,
      ...manifest.tasks.map(
        (t) => `  task ${t.index}: ${t.units.length} units, ${t.shards} shards, ${(t.sourceBytes / 1e6).toFixed(1)} MB, peak ≈ ${t.peakMiB} MiB (+${t.peakMiBPerWorker} MiB per extra worker)`,
      ),
      `  ${manifest.memoryFormula}`,
      ...failed.map((f) => `  cannot read ${f.file}: [${f.code}] ${f.message}`),
    ];
    console.error(lines.join("\n"));
    return failed.length > 0 ? 1 : 0;
  },
};

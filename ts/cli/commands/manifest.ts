/**
 * `braid manifest`: plans a job once and splits it into K task manifests for `braid worker`
 * on an array job (one JSON document; stdout without --out). An export manifest balances
 * units by source bytes; a downres manifest (`--downres`) has one stage of K tasks per scale.
 */
import { buildDownresManifest, planDownres, planExport, type DownresManifest } from "../../entry/node.js";
import { writeLocation } from "../../storage/locations.js";
import { buildManifest, type Manifest } from "../../jobs/manifests/export-manifest.js";
import { intOption, required, scaleList, UsageError, type Command, type OptionValues } from "../command.js";
import { downresMethod } from "./downres.js";
import { exportArguments, exportOptions } from "./export.js";

const usage = `options:
  --source <dir|gs://…>   the DVID export
  --dest <dir|gs://…>     the precomputed volume the workers will write
  --spec <file|url>       neuroglancer volume spec
  --tasks <k>             number of tasks (array job size)
  --out <file|gs://…>     where to write the manifest (default: stdout)
  --scales, --supervoxels, --z-compress, --gzip-level   as for braid export
  --format, --zarr-dest, --ome-labels, --zarr-shard, --zarr-codec   as for braid export

  --downres <list>        instead: a pyramid manifest for the existing volume at --dest
                          (no --source/--spec), one stage of K tasks per scale, e.g. 1-9;
                          --method and --gzip-level as for braid downres

Each task lists its units (output shards and what feeds them) and its estimated peak memory;
run task i with: braid worker --manifest <out> --task-index i (or CLOUD_RUN_TASK_INDEX,
JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX). Downres stages run in scale order, one
execution each: braid worker --manifest <out> --scale k.`;

async function publish(values: OptionValues, manifest: Manifest | DownresManifest): Promise<void> {
  const text = JSON.stringify(manifest, null, 1);
  if (typeof values.out === "string") await writeLocation(values.out, text);
  else process.stdout.write(`${text}\n`);
}

const destination = (values: OptionValues) => (typeof values.out === "string" ? ` → ${values.out}` : "");

async function exportManifest(values: OptionValues, tasks: number): Promise<number> {
  const args = await exportArguments(values);
  const { plan } = await planExport({ ...args, workers: 1 });
  const { format, zarrDest, omeLabels, zarrShardChunks, zarrCompression } = args;
  const manifest = buildManifest(plan, tasks, { format, zarrDest, omeLabels, zarrShardChunks, zarrCompression });
  await publish(values, manifest);
  const failed = manifest.scales.flatMap((s) => s.failedFiles);
  const lines = [
    `manifest: ${manifest.tasks.length} tasks, ${manifest.tasks.reduce((n, t) => n + t.shards, 0)} shards, ` +
      `${manifest.tasks.reduce((n, t) => n + t.rows, 0)} blocks${destination(values)}`,
    ...manifest.tasks.map(
      (t) => `  task ${t.index}: ${t.units.length} units, ${t.shards} shards, ${(t.sourceBytes / 1e6).toFixed(1)} MB, peak ≈ ${t.peakMiB} MiB (+${t.peakMiBPerWorker} MiB per extra worker)`,
    ),
    `  ${manifest.memoryFormula}`,
    ...failed.map((f) => `  cannot read ${f.file}: [${f.code}] ${f.message}`),
  ];
  console.error(lines.join("\n"));
  return failed.length > 0 ? 1 : 0;
}

async function downresManifest(values: OptionValues, tasks: number): Promise<number> {
  for (const name of ["source", "spec", "scales", "supervoxels", "z-compress"] as const) {
    if (values[name] !== undefined) throw new UsageError(`--downres plans the existing volume at --dest; --${name} does not apply`);
  }
  const dest = required(values, "dest");
  const scales = scaleList(required(values, "downres"));
  if (scales.includes(0)) throw new UsageError("--downres: scale 0 is the source; downres builds scales ≥ 1");
  const gzipLevel = values["gzip-level"] === undefined ? undefined : intOption(values, "gzip-level", 6);
  const planned = await planDownres({ dest, scales, method: downresMethod(values), ...(gzipLevel === undefined ? {} : { gzipLevel }) });
  const manifest = buildDownresManifest(dest, planned, tasks);
  await publish(values, manifest);
  const lines = [
    `downres manifest: scales ${manifest.stages.map((s) => s.scale).join(",")}, ${tasks} tasks per scale${destination(values)}`,
    ...manifest.stages.map((s) => {
      const busy = s.tasks.filter((t) => t.units.length > 0);
      const peak = Math.max(0, ...busy.map((t) => t.peakMiB));
      return `  scale ${s.scale}: ${s.units} shards, ${s.outputChunks} chunks, ${busy.length} busy tasks, peak ≈ ${peak} MiB per 1-worker task`;
    }),
  ];
  console.error(lines.join("\n"));
  return 0;
}

export const manifestCommand: Command = {
  name: "manifest",
  summary: "split an export or a pyramid into K task manifests for array jobs",
  usage,
  options: { ...exportOptions, tasks: { type: "string" }, out: { type: "string" }, downres: { type: "string" }, method: { type: "string" } },
  async run(values) {
    required(values, "tasks");
    const tasks = intOption(values, "tasks", 1);
    if (tasks < 1) throw new UsageError("--tasks must be at least 1");
    return typeof values.downres === "string" ? downresManifest(values, tasks) : exportManifest(values, tasks);
  },
};

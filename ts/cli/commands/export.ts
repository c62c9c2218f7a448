/**
 * `braid export`: a DVID export to a sharded neuroglancer precomputed volume on all cores,
 * with a progress line, a summary, and a non-zero exit when anything failed.
 */
import { exportVolume } from "../../entry/node.js";
import type { ExportOutputOptions } from "../../jobs/export/export.js";
import { readJsonLocation } from "../../storage/locations.js";
import { formatPlan, formatSummary } from "../../jobs/export/summary.js";
import { intOption, required, scaleList, UsageError, type Command, type OptionValues } from "../command.js";
import { downres } from "./downres.js";

const usage = `options:
  --source <dir|gs://…>   the DVID export (s<k>/<X>_<Y>_<Z>.arrow + .csv)
  --dest <dir|gs://…>     the volume to write (precomputed; with --format ome-zarr the OME-Zarr root)
  --format <f>            precomputed (default), ome-zarr, or both (one pass over the DVID blocks)
  --zarr-dest <dir|gs://…> OME-Zarr root for --format both (default: <dest>.ome.zarr)
  --ome-labels <name>     publish the OME-Zarr pyramid as the image-label group labels/<name>
  --zarr-shard <x,y,z>    inner chunks per zarr shard, dividing the spec's shard box (default: equal)
  --zarr-codec <c[:l]>    zarr inner chunk compression: zstd (default, level 3), gzip or none
  --spec <file|url>       neuroglancer volume spec (e.g. DVID's export spec JSON)
  --scales <list>         scales to export, e.g. 0,1 or 1-9 (default: all with source files)
  --supervoxels           write supervoxel ids instead of body ids
  --z-compress <n>        keep every (n+1)-th z slice of scale 0 (the spec gives the output size)
  --only-missing          skip output shards that already exist (resume; writes are atomic)
  --workers <n>           worker threads (default: all cores; 0 = in-process)
  --gzip-level <l>        gzip level of chunk payloads (default 3)
  --downres <list>        then build these lower scales from the exported ones, e.g. 1-9
                          (as \`braid downres\`; --downres-method mode|mode-nonzero)
  --dry-run               print the plan (units, shards, spanning files, memory) and exit
  --json                  print the summary as JSON`;

/** Options shared by `export` and `manifest`. */
export const exportOptions = {
  source: { type: "string" },
  dest: { type: "string" },
  spec: { type: "string" },
  scales: { type: "string" },
  supervoxels: { type: "boolean" },
  "z-compress": { type: "string" },
  "gzip-level": { type: "string" },
  format: { type: "string" },
  "zarr-dest": { type: "string" },
  "ome-labels": { type: "string" },
  "zarr-shard": { type: "string" },
  "zarr-codec": { type: "string" },
} as const;

/** The OME-Zarr output options of `export` and `manifest`. */
function zarrArguments(values: OptionValues): ExportOutputOptions {
  const format = values.format ?? "precomputed";
  if (format !== "precomputed" && format !== "ome-zarr" && format !== "both") {
    throw new UsageError(`--format must be precomputed, ome-zarr or both, got ${String(format)}`);
  }
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  if (format === "precomputed") {
    for (const name of ["zarr-dest", "ome-labels", "zarr-shard", "zarr-codec"]) {
      if (text(name) !== undefined) throw new UsageError(`--${name} needs --format ome-zarr or both`);
    }
    return {};
  }
  if (format === "ome-zarr" && text("zarr-dest") !== undefined) throw new UsageError("--zarr-dest is for --format both; with ome-zarr, --dest is the OME-Zarr root");
  const shard = text("zarr-shard")?.split(",").map(Number);
  if (shard && (shard.length !== 3 || !shard.every((n) => Number.isInteger(n) && n > 0))) {
    throw new UsageError(`--zarr-shard must be three positive integers x,y,z, got ${text("zarr-shard")}`);
  }
  const codec = text("zarr-codec");
  const [name, level] = codec?.split(":") ?? [];
  if (codec !== undefined && name !== "zstd" && name !== "gzip" && name !== "none") throw new UsageError(`--zarr-codec must be zstd, gzip or none (optionally :level), got ${codec}`);
  return {
    format: format as "ome-zarr" | "both",
    ...(text("zarr-dest") === undefined ? {} : { zarrDest: text("zarr-dest")! }),
    ...(text("ome-labels") === undefined ? {} : { omeLabels: text("ome-labels")! }),
    ...(shard ? { zarrShardChunks: shard as [number, number, number] } : {}),
    ...(codec === undefined ? {} : { zarrCompression: { codec: name as "zstd" | "gzip" | "none", ...(level === undefined ? {} : { level: Number(level) }) } }),
  };
}

export async function exportArguments(values: OptionValues) {
  const spec = await readJsonLocation(required(values, "spec"));
  const scales = typeof values.scales === "string" ? scaleList(values.scales) : undefined;
  const gzip = values["gzip-level"] === undefined ? undefined : intOption(values, "gzip-level", 3);
  return {
    source: required(values, "source"),
    dest: required(values, "dest"),
    spec: spec as object,
    ...(scales ? { scales } : {}),
    supervoxels: values.supervoxels === true,
    zCompress: intOption(values, "z-compress", 0),
    ...(gzip === undefined ? {} : { gzipLevel: gzip }),
    ...zarrArguments(values),
  };
}

export const exportCommand: Command = {
  name: "export",
  summary: "convert a DVID export to neuroglancer precomputed and/or OME-Zarr",
  usage,
  options: {
    ...exportOptions,
    "only-missing": { type: "boolean" },
    workers: { type: "string" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
    downres: { type: "string" },
    "downres-method": { type: "string" },
  },
  async run(values) {
    // The pyramid's report is text; mixed into stdout it would break the JSON.
    if (values.json && typeof values.downres === "string") throw new UsageError("--json cannot be combined with --downres; run braid downres after the export");
    const args = await exportArguments(values);
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const result = await exportVolume({
      ...args,
      onlyMissing: values["only-missing"] === true,
      dryRun: values["dry-run"] === true,
      ...(workers === undefined ? {} : { workers }),
      progress: true,
    });
    if (!result.summary) {
      console.log(formatPlan(result.plan, result.estimate));
      return result.plan.scales.some((s) => s.files.some((f) => f.error)) ? 1 : 0;
    }
    if (values.json) {
      const { outcomes: _o, ...rest } = result.summary;
      console.log(JSON.stringify(rest, null, 1));
    } else {
      console.log(formatSummary(result.summary));
    }
    if (!result.summary.ok) return 1;
    if (typeof values.downres !== "string") return 0;
    // The pyramid is built from what was just written, by the same code as `braid downres`:
    // for `both`, once per format.
    const dests = values.format === "both" ? [values.dest, result.zarrDest] : [values.dest];
    for (const dest of dests) {
      const code = await downres.run(
        {
          dest,
          scales: values.downres,
          method: values["downres-method"],
          "only-missing": values["only-missing"],
          workers: values.workers,
        },
        [],
      );
      if (code !== 0) return code;
    }
    return 0;
  },
};

/**
 * `braid export`: a DVID export to a sharded neuroglancer precomputed volume on all cores,
 * with a progress line, a summary, and a non-zero exit when anything failed.
 */
import { exportVolume } from "../../entry/node.js";
import { readJsonLocation } from "../../storage/locations.js";
import { formatPlan, formatSummary } from "../../jobs/export/summary.js";
import { intOption, required, scaleList, UsageError, type Command, type OptionValues } from "../command.js";
import { downres } from "./downres.js";

const usage = `options:
  --source <dir|gs://…>   the DVID export (s<k>/<X>_<Y>_<Z>.arrow + .csv)
  --dest <dir|gs://…>     the precomputed volume to write
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
} as const;

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
  };
}

export const exportCommand: Command = {
  name: "export",
  summary: "convert a DVID export to sharded neuroglancer precomputed",
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
    // The pyramid is built from what was just written, by the same code as `braid downres`.
    return downres.run(
      {
        dest: values.dest,
        scales: values.downres,
        method: values["downres-method"],
        "only-missing": values["only-missing"],
        workers: values.workers,
      },
      [],
    );
  },
};

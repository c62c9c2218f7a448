/** `braid verify`: checks an exported volume against its DVID source; non-zero exit on any discrepancy. */
import { verifyExport } from "../../entry/node.js";
import { formatVerifyReport } from "../../jobs/verify/verify.js";
import { intOption, required, scaleList, type Command } from "../command.js";

const usage = `options:
  --source <dir|gs://…>   the DVID export
  --dest <dir|gs://…>     the exported volume: precomputed or braid-written OME-Zarr (detected)
  --ome-labels <name>     OME-Zarr: the label group labels/<name> (default: the one braid wrote)
  --scales <list>         scales to check (default: all with source files)
  --values <k>            also compare k random chunks voxel by voxel with the DVID decode
  --seed <s>              seed of the random choice (default 1)
  --dvid                  also require each DVID file to land in a single output shard
  --json                  print the report as JSON`;

export const verifyCommand: Command = {
  name: "verify",
  summary: "check an export against its DVID source (shards, chunk indexes, voxels)",
  usage,
  options: {
    source: { type: "string" },
    dest: { type: "string" },
    "ome-labels": { type: "string" },
    scales: { type: "string" },
    values: { type: "string" },
    seed: { type: "string" },
    dvid: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(values) {
    const report = await verifyExport({
      source: required(values, "source"),
      dest: required(values, "dest"),
      ...(typeof values.scales === "string" ? { scales: scaleList(values.scales) } : {}),
      values: intOption(values, "values", 0),
      seed: intOption(values, "seed", 1),
      dvid: values.dvid === true,
      ...(typeof values["ome-labels"] === "string" ? { label: values["ome-labels"] } : {}),
    });
    console.log(values.json ? JSON.stringify(report, null, 1) : formatVerifyReport(report));
    return report.ok ? 0 : 1;
  },
};

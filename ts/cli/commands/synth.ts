/** `braid synth`: a synthetic DVID export (Arrow + CSV per shard box) and its neuroglancer spec. */
import { synthExport } from "../../entry/node.js";
import type { Vec3 } from "../../types.js";
import { intOption, required, UsageError, type Command, type OptionValues } from "../command.js";

const usage = `options:
  --dest <dir|gs://…>     where to write s<k>/<X>_<Y>_<Z>.arrow + .csv and spec.json
  --size <x,y,z>          scale-0 volume size in voxels (default 512,512,512)
  --shard-blocks <s>      DVID shard box edge in 64³ blocks, a power of two (default 8)
  --batch-size <b>        records per Arrow record batch (default 1, as DVID)
  --seed <s>              generator seed (default 1)
  --scale <k>             write scale k's export (its size is scale 0's halved k times)
  --workers <n>           worker threads (default: all cores; 0 = in-process)`;

function vec3(values: OptionValues, name: string, fallback: Vec3): Vec3 {
  const v = values[name];
  if (v === undefined) return fallback;
  const parts = String(v).split(",").map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new UsageError(`--${name} must be three positive integers like 640,640,640, got ${String(v)}`);
  }
  return parts as unknown as Vec3;
}

export const synthCommand: Command = {
  name: "synth",
  summary: "generate a synthetic DVID export with mCNS-like statistics (and its spec)",
  usage,
  options: {
    dest: { type: "string" },
    size: { type: "string" },
    "shard-blocks": { type: "string" },
    "batch-size": { type: "string" },
    seed: { type: "string" },
    scale: { type: "string" },
    workers: { type: "string" },
  },
  async run(values) {
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const r = await synthExport({
      dest: required(values, "dest"),
      size: vec3(values, "size", [512, 512, 512]),
      shardBlocks: intOption(values, "shard-blocks", 8),
      batchSize: intOption(values, "batch-size", 1),
      seed: intOption(values, "seed", 1),
      scale: intOption(values, "scale", 0),
      ...(workers === undefined ? {} : { workers }),
      progress: true,
    });
    console.log(
      `synth: scale ${r.scale}, ${r.files.length} files, ${r.blocks} blocks (${r.omitted} all-zero left out), ` +
        `${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(1)} s; spec: spec.json`,
    );
    return 0;
  },
};

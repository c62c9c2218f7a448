/**
 * `braid demo`: the whole job on a laptop in about a minute — a synthetic DVID export
 * (several shards, a clipped edge, supervoxels agglomerated into bodies), exported to
 * neuroglancer precomputed, verified voxel by voxel against the DVID decode.
 */
import { exportVolume, synthExport, verifyExport } from "../../entry/node.js";
import { formatSummary } from "../../jobs/export/summary.js";
import { formatVerifyReport } from "../../jobs/verify/verify.js";
import type { Vec3 } from "../../types.js";
import { intOption, type Command } from "../command.js";

/** 10 × 10 × 10 blocks whose last one is clipped on every axis: 8 DVID shards of 8³ blocks. */
const SIZE: Vec3 = [620, 610, 600];
const VALUES = 32;

const usage = `options:
  --dir <dir>             where to put the demo (default: a new temporary directory)
  --workers <n>           worker threads (default: all cores)`;

export const demoCommand: Command = {
  name: "demo",
  summary: "synthesize a DVID export, export it and verify it (about a minute)",
  usage,
  options: { dir: { type: "string" }, workers: { type: "string" } },
  async run(values) {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join, resolve } = await import("node:path");
    const dir = typeof values.dir === "string" ? resolve(values.dir) : await mkdtemp(join(tmpdir(), "braid-demo-"));
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const source = join(dir, "dvid-export");
    const dest = join(dir, "precomputed");
    const threads = workers === undefined ? {} : { workers };

    console.log(`1/3 synthesizing a DVID export of ${SIZE.join("×")} voxels in ${source}`);
    const synth = await synthExport({ dest: source, size: SIZE, shardBlocks: 8, ...threads, progress: true });
    console.log(`    ${synth.files.length} Arrow files, ${synth.blocks} blocks, ${(synth.bytes / 1e6).toFixed(1)} MB in ${synth.seconds.toFixed(1)} s`);

    console.log(`2/3 exporting to ${dest}`);
    const exported = await exportVolume({ source, dest, spec: synth.spec, ...threads, progress: true });
    console.log(formatSummary(exported.summary!));

    console.log(`3/3 verifying (every shard and chunk index, ${VALUES} chunks voxel by voxel)`);
    const report = await verifyExport({ source, dest, values: VALUES });
    console.log(formatVerifyReport(report));
    console.log(`\nview it: serve ${dir} over http and open precomputed://http://…/precomputed in neuroglancer`);
    console.log(`or run: braid view ${dest}`);
    return exported.summary!.ok && report.ok ? 0 : 1;
  },
};

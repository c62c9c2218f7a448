/**
 * `braid demo`: the whole job on a laptop in about a minute — a synthetic DVID export
 * (several shards, a clipped edge, supervoxels agglomerated into bodies), exported to
 * neuroglancer precomputed, its multiscale pyramid built, verified voxel by voxel against the
 * DVID decode, and how to look at it.
 */
import { downresVolume, exportVolume, synthExport, verifyExport } from "../../entry/node.js";
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
  summary: "synthesize a DVID export, export it, build its pyramid and verify it (about a minute)",
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

    console.log(`1/4 synthesizing a DVID export of ${SIZE.join("×")} voxels in ${source}`);
    const synth = await synthExport({ dest: source, size: SIZE, shardBlocks: 8, ...threads, progress: true });
    console.log(`    ${synth.files.length} Arrow files, ${synth.blocks} blocks, ${(synth.bytes / 1e6).toFixed(1)} MB in ${synth.seconds.toFixed(1)} s`);

    console.log(`2/4 exporting to ${dest}`);
    const exported = await exportVolume({ source, dest, spec: synth.spec, ...threads, progress: true });
    console.log(formatSummary(exported.summary!));

    const lower = synth.spec.scales.map((_, k) => k).filter((k) => k > synth.scale);
    console.log(`3/4 building the pyramid: scales ${lower.join(",")} by mode downsampling`);
    const pyramid = await downresVolume({ dest, scales: lower, ...threads });
    for (const s of pyramid.scales) {
      console.log(`    scale ${s.scale}: ${s.written} chunks stored of ${s.chunks} planned, ${(s.bytes / 1e6).toFixed(2)} MB in ${s.seconds.toFixed(1)} s`);
    }

    console.log(`4/4 verifying (every shard and chunk index, ${VALUES} chunks voxel by voxel)`);
    const report = await verifyExport({ source, dest, values: VALUES });
    console.log(formatVerifyReport(report));
    console.log(`\nlook at it: serve ${dest} over http (Range requests, CORS) and add precomputed://http://…/ to neuroglancer,`);
    console.log(`or run: braid view ${dest}`);
    return exported.summary!.ok && pyramid.ok && report.ok ? 0 : 1;
  },
};

/**
 * `synthExport`: a synthetic DVID export laid out exactly like DVID's `export-shards` output
 * (`s<k>/<X>_<Y>_<Z>.arrow` + `.csv` per non-empty shard box) plus the matching neuroglancer
 * spec (`spec.json`), generated on worker threads from deterministic mCNS-like blocks.
 */
import type { Backend } from "../../backend/backend.js";
import { runTasks } from "../run-tasks.js";
import { BraidError } from "../../errors.js";
import { Progress } from "../../pipeline/progress.js";
import { ScaleGeometry } from "../../formats/precomputed/geometry.js";
import type { PrecomputedInfo } from "../../formats/precomputed/info.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { SynthParams } from "../../formats/dvid/synth.js";
import type { Vec3 } from "../../types.js";
import { defaultWorkers } from "../../pipeline/cores.js";
import type { ProgressReporting } from "../../pipeline/progress.js";
import { sharedAcrossThreads, storageFor, storageUrl } from "../../storage/by-url.js";
import { dvidShardBlocks, synthSpec } from "./synth-spec.js";
import { SYNTH_FILE_TASK, type SynthFileJob, type SynthFileResult } from "./synth-task.js";

export const SYNTH_SPEC_KEY = "spec.json";

export interface SynthExportOptions {
  /** The backend to generate on (default: the entry point's). */
  backend?: Backend;
  dest: string | Storage;
  /** Scale-0 volume size in voxels (default 512³: 8³ blocks). */
  size?: Vec3;
  /** DVID shard box edge in blocks, a power of two (default 8). */
  shardBlocks?: number;
  /** Records per Arrow record batch (DVID's default 1). */
  batchSize?: number;
  seed?: number;
  /** Which scale's export to write (its size follows from scale 0's). */
  scale?: number;
  /** Generator parameters besides seed and extent (default: mCNS-like). */
  params?: Omit<SynthParams, "seed" | "extent">;
  workers?: number;
  storage?: OpenStorageOptions;
  progress?: boolean | ProgressReporting;
}

export interface SynthExportResult {
  spec: PrecomputedInfo;
  scale: number;
  files: string[];
  blocks: number;
  /** Blocks left out because they map to all zeros. */
  omitted: number;
  bytes: number;
  seconds: number;
}

export async function synthExport(backend: Backend, options: SynthExportOptions): Promise<SynthExportResult> {
  const t0 = performance.now();
  const scale = options.scale ?? 0;
  const batchSize = options.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new BraidError("INVALID_ARGUMENT", `batch size must be ≥ 1, got ${batchSize}`);
  const spec = synthSpec({ size: options.size ?? [512, 512, 512], shardBlocks: options.shardBlocks ?? 8, minScales: scale + 1 });
  const scaleInfo = spec.scales[scale]!;
  const geometry = new ScaleGeometry(backend, scaleInfo);
  const box = dvidShardBlocks(backend, scaleInfo);
  const dest = storageUrl(options.dest);
  const jobs: SynthFileJob[] = [];
  const g = geometry.gridShape;
  for (let z = 0; z < g[2]; z += box)
    for (let y = 0; y < g[1]; y += box)
      for (let x = 0; x < g[0]; x += box) {
        jobs.push({
          dest,
          scale,
          boxOrigin: [x, y, z],
          boxBlocks: box,
          grid: g,
          size: scaleInfo.size,
          batchSize,
          params: { ...options.params, seed: options.seed ?? 1 },
          ...(options.storage ? { storage: options.storage } : {}),
        });
      }
  const workers = sharedAcrossThreads(options.dest) ? (options.workers ?? (await defaultWorkers())) : 0;
  const reporting = options.progress === true ? {} : options.progress || undefined;
  const progress = reporting ? new Progress({ label: "synth", totalChunks: geometry.chunkCount, ...reporting }) : undefined;
  const outcomes = await runTasks<SynthFileJob, SynthFileResult>(SYNTH_FILE_TASK, jobs, {
    backend,
    workers,
    onProgress: (d) => progress?.add(d),
  });
  progress?.done();
  const failed = outcomes.find((o) => !o.ok);
  if (failed) throw failed.error!;
  const results = outcomes.map((o) => o.output!).filter((r) => r.blocks > 0);
  const storage = await storageFor(dest, options.storage);
  await storage.write(SYNTH_SPEC_KEY, JSON.stringify(spec, null, 1), { contentType: "application/json" });
  return {
    spec,
    scale,
    files: results.map((r) => `${r.file}.arrow`).sort(),
    blocks: results.reduce((n, r) => n + r.blocks, 0),
    omitted: outcomes.reduce((n, o) => n + o.output!.omitted, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    seconds: (performance.now() - t0) / 1000,
  };
}

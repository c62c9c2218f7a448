/**
 * Downres throughput and memory.
 *
 * (a) The mode kernel against TensorStore's `downsample(…, "mode")` on the same 64³ and 256³
 *     uint64 segmentations, single core: braid's `downsampleMode` on this thread, TensorStore
 *     in a child process (pinned to one CPU with `taskset` when available) timing only the
 *     downsample read; best of several repetitions each, outputs compared voxel for voxel.
 * (b) `downresVolume` end to end on sharded volumes whose one output shard grows from 4³ to
 *     16³ chunks of 64³ (32³ = an mCNS shard with BRAID_BENCH_FULL=1): chunks/s and the peak
 *     RSS of a fresh process running one worker, which must stay flat as the shard grows, next
 *     to the planner's memory estimate; then all cores on a volume of eight 8³-chunk shards.
 * (c) The cost follows the data: one real DVID shard exported at scale 1 of the real mCNS spec,
 *     then `braid downres --scales 2,3` (seconds; planned, computed and stored chunks).
 * (d) braid against TensorStore building the same scale 1 of the same sharded volume (8³
 *     output chunks of 64³ from 16³ gzip'd cseg chunks), each in a fresh process pinned to one
 *     CPU (`taskset`), TensorStore's pools limited to one thread, writing into sharded
 *     precomputed as tensorstore-export does: output chunks/s per core, the ratio, and the
 *     stored bytes per output chunk of each.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import {
  chunkIdsInShard,
  createPrecomputed,
  decodeDvidBlock,
  downsampleMode,
  gzip,
  planDownres,
  synthDvidRecord,
  transcodeDvidBlock,
  withDownresScales,
  type PrecomputedInfo,
  type ShardChunk,
  type Vec3,
} from "braid-seg";
import { synthSpec } from "../ts/jobs/synth/synth-spec.js";
import { repoRoot } from "../test/helpers/data.js";
import { braid, MCNS_SPEC, realSource } from "../test/helpers/export.js";
import { python } from "../test/helpers/python.js";
import { report } from "./report.js";

const tempDir = () => mkdtempSync(join(tmpdir(), "braid-bench-downres-"));
const MiB = 2 ** 20;

/** An n³ segmentation tiled from synthetic DVID blocks (mCNS-like label statistics). */
function segmentation(n: number): BigUint64Array {
  const k = n / 64;
  const out = new BigUint64Array(n ** 3);
  for (let bz = 0; bz < k; bz++)
    for (let by = 0; by < k; by++)
      for (let bx = 0; bx < k; bx++) {
        const r = synthDvidRecord([bx, by, bz], { seed: 3 });
        const block = decodeDvidBlock(r.block, { labels: r.labels }).data;
        for (let z = 0; z < 64; z++)
          for (let y = 0; y < 64; y++) {
            const src = 64 * (y + 64 * z);
            out.set(block.subarray(src, src + 64), bx * 64 + n * (by * 64 + y + n * (bz * 64 + z)));
          }
      }
  return out;
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-c", "0", "true"]);
    return true;
  } catch {
    return false;
  }
}

it("(a) mode kernel vs TensorStore, single core", () => {
  const pinned = hasTaskset();
  for (const [n, reps] of [
    [64, 200],
    [256, 8],
  ] as const) {
    const volume = segmentation(n);
    const shape: Vec3 = [n, n, n];
    const times: number[] = [];
    let ours = downsampleMode(volume, shape, [2, 2, 2]).data;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      ours = downsampleMode(volume, shape, [2, 2, 2]).data;
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);

    const dir = tempDir();
    try {
      writeFileSync(join(dir, "in.raw"), volume);
      const args = [join(repoRoot, "test/oracle/downsample_reference.py"), join(dir, "in.raw"), join(dir, "out.raw")];
      args.push("--shape", String(n), String(n), String(n), "--repeat", String(reps));
      const stdout = pinned ? execFileSync("taskset", ["-c", "0", python, ...args], { encoding: "utf8" }) : execFileSync(python, args, { encoding: "utf8" });
      const ts = JSON.parse(stdout) as { seconds: number };
      const theirs = readFileSync(join(dir, "out.raw"));
      expect(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(theirs), `${n}³ output differs from TensorStore`).toBe(true);
      const best = times[0]!;
      report(`downres kernel: mode 2×2×2 of a ${n}³ uint64 segmentation, single core`, {
        braid_GVox_per_s: n ** 3 / best / 1e9,
        braid_median_GVox_per_s: n ** 3 / times[times.length >> 1]! / 1e9,
        tensorstore_GVox_per_s: n ** 3 / ts.seconds / 1e9,
        speedup_vs_tensorstore: ts.seconds / best,
        reps,
        tensorstore: pinned ? "taskset -c 0" : "unpinned",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

const VARIANTS = 48;

/**
 * Scale 0 with a (2n)³ grid of 64³ chunks, gzip'd cseg chunks, sharded with `within`
 * preshift+minishard bits (15 = mCNS's p=9 m=6: 32³-chunk shards).
 */
async function buildSource(dir: string, n: number, payloads: Uint8Array[], within = 15): Promise<void> {
  const grid = 2 * n;
  const info = synthSpec({ size: [grid * 64, grid * 64, grid * 64], shardBlocks: 2 ** (within / 3) });
  const scale = (await createPrecomputed(pathToFileURL(dir).href, info)).scale(0);
  const g = scale.geometry;
  for (const { shard } of g.shards()!) {
    const ids = chunkIdsInShard(info.scales[0]!.sharding!, g.size, g.chunkSize, shard);
    function* chunks(): Generator<ShardChunk> {
      // Neighbouring chunks get unrelated variants, so labels meet at every chunk face.
      for (const id of ids) yield { chunkId: id, encoded: payloads[Number((id * 2654435761n) % BigInt(VARIANTS))]! };
    }
    await scale.writeShard(shard, chunks(), { layout: "tensorstore" });
  }
}

/** Runs `downresVolume` for scale 1 in a fresh Node process; its peak RSS is the worker's. */
interface ChildRun {
  chunks: number;
  seconds: number;
  /** User + system CPU time of the whole process (all threads). */
  cpuSeconds: number;
  peakRssMiB: number;
  baselineRssMiB: number;
}

function downresInChild(dest: string, workers: number, cpu?: number): ChildRun {
  const entry = join(repoRoot, "dist/entry/node.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run pnpm run build:ts`);
  const script = `
    import { downresVolume } from ${JSON.stringify(pathToFileURL(entry).href)};
    import { peakRssMiB } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/pipeline/progress.js")).href)};
    const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
    const cpu = process.cpuUsage();
    const s = await downresVolume({ dest: process.argv[1], scales: [1], workers: Number(process.argv[2]) });
    if (!s.ok) throw new Error(JSON.stringify(s.failures.map((f) => f.error?.message)));
    const { user, system } = process.cpuUsage(cpu);
    const cpuSeconds = (user + system) / 1e6;
    console.log(JSON.stringify({ chunks: s.chunks, seconds: s.seconds, cpuSeconds, peakRssMiB: await peakRssMiB(), baselineRssMiB }));
  `;
  const args = ["--input-type=module", "-e", script, dest, String(workers)];
  const stdout =
    cpu === undefined
      ? execFileSync(process.execPath, args, { encoding: "utf8" })
      : execFileSync("taskset", ["-c", String(cpu), process.execPath, ...args], { encoding: "utf8" });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

/** Stored source chunks: synthetic DVID blocks (mCNS-like labels) as gzip'd cseg. */
const sourcePayloads = () =>
  Array.from({ length: VARIANTS }, (_, v) => {
    const r = synthDvidRecord([v % 4, (v >> 2) % 4, v >> 4], { seed: 7 });
    return gzip(transcodeDvidBlock(r.block, { labels: r.labels, uncompressedSize: r.uncompressedSize })!, 6);
  });

/** Bytes of the files under `dir`. */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

it("(d) braid downres vs TensorStore downsample(…, \"mode\") into sharded precomputed, one core each", async () => {
  if (!hasTaskset() || !existsSync(python)) return;
  const n = Number(process.env.BRAID_BENCH_DOWNRES_N ?? 8);
  const dir = tempDir();
  const theirs = tempDir();
  try {
    await buildSource(dir, n, sourcePayloads());
    const info = JSON.parse(readFileSync(join(dir, "info"), "utf8")) as PrecomputedInfo;
    writeFileSync(join(theirs, "info"), JSON.stringify(withDownresScales(info, [1])));
    const ts = JSON.parse(
      execFileSync("taskset", ["-c", "0", python, join(repoRoot, "test/oracle/time_downres.py"), dir, theirs], { encoding: "utf8" }),
    ) as { seconds: number; cpu_seconds: number; grid_chunks: number };
    const ours = downresInChild(dir, 0, 0);
    expect(ours.chunks).toBe(n ** 3);
    expect(ts.grid_chunks).toBe(n ** 3);
    const key = withDownresScales(info, [1]).scales[1]!.key;
    report(`downres braid vs TensorStore: scale 1 of ${n}³ output chunks (64³, gzip'd cseg, sharded), one CPU each`, {
      output_chunks: ours.chunks,
      braid_chunks_per_s: ours.chunks / ours.seconds,
      braid_chunks_per_cpu_s: ours.chunks / ours.cpuSeconds,
      tensorstore_chunks_per_s: ts.grid_chunks / ts.seconds,
      tensorstore_chunks_per_cpu_s: ts.grid_chunks / ts.cpu_seconds,
      ratio: ts.seconds / ours.seconds,
      braid_bytes_per_chunk: treeBytes(join(dir, key)) / ours.chunks,
      tensorstore_bytes_per_chunk: treeBytes(join(theirs, key)) / ts.grid_chunks,
      source_bytes_per_chunk: treeBytes(join(dir, info.scales[0]!.key)) / (8 * n ** 3),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(theirs, { recursive: true, force: true });
  }
});

it("(b) end-to-end downres: chunks/s and peak RSS per worker as the output shard grows", async () => {
  const payloads = sourcePayloads();
  const sizes = process.env.BRAID_BENCH_FULL ? [4, 8, 16, 32] : [4, 8, 16];
  const peaks: number[] = [];
  let largest = "";
  try {
    for (const n of sizes) {
      const dir = tempDir();
      await buildSource(dir, n, payloads);
      const run = downresInChild(dir, 0);
      expect(run.chunks).toBe(n ** 3);
      const [task] = await planDownres({ dest: pathToFileURL(dir).href, scales: [1] });
      peaks.push(run.peakRssMiB);
      report(`downres end-to-end: one output shard of ${n}³ chunks (64³), 1 worker, local`, {
        output_chunks: run.chunks,
        source_chunks: 8 * n ** 3,
        chunks_per_s: run.chunks / run.seconds,
        // Wall time suffers on a shared machine; CPU time is what the work costs.
        chunks_per_cpu_s: run.chunks / run.cpuSeconds,
        seconds: run.seconds,
        peak_rss_MiB: run.peakRssMiB,
        baseline_rss_MiB: run.baselineRssMiB,
        planned_peak_MiB: task!.estimatedPeakBytes / MiB,
      });
      if (largest) rmSync(largest, { recursive: true, force: true });
      largest = dir;
    }
    // Flat memory: from 512 chunks on, 8× (and 64×) larger shards keep about the same peak.
    const settled = peaks.slice(1);
    expect(Math.max(...settled) - Math.min(...settled)).toBeLessThan(64);
    expect(Math.max(...peaks)).toBeLessThan(512);
  } finally {
    if (largest) rmSync(largest, { recursive: true, force: true });
  }

  // All cores on eight output shards (p+m = 9: 8³-chunk shards), each task one shard.
  const cores = availableParallelism();
  const dir = tempDir();
  try {
    await buildSource(dir, 16, payloads, 9);
    const one = downresInChild(dir, 0);
    rmSync(join(dir, "16x16x16"), { recursive: true, force: true });
    const all = downresInChild(dir, cores);
    expect(all.chunks).toBe(16 ** 3);
    report(`downres end-to-end: 8 output shards of 8³ chunks, ${cores} worker threads vs in-process, local`, {
      output_chunks: all.chunks,
      chunks_per_s_1_worker: one.chunks / one.seconds,
      chunks_per_s_all_workers: all.chunks / all.seconds,
      speedup: one.seconds / all.seconds,
      chunks_per_cpu_s_1_worker: one.chunks / one.cpuSeconds,
      chunks_per_cpu_s_all_workers: all.chunks / all.cpuSeconds,
      peak_rss_MiB_all_workers: all.peakRssMiB,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("(c) a partial export of a real-sized volume: one real shard at scale 1 of the mCNS spec, then scales 2-3", () => {
  const source = realSource();
  const dest = tempDir();
  try {
    const exported = braid(["export", "--source", source, "--dest", dest, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1"]);
    expect(exported.code, exported.stderr).toBe(0);
    const t0 = performance.now();
    const run = braid(["downres", "--dest", dest, "--scales", "2,3", "--workers", "1"]);
    const seconds = (performance.now() - t0) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.match(/(\d+) chunks \((\d+) stored, \d+ all-zero\), (\d+) with source data/)!;
    report("downres one real mCNS shard: scales 2-3 of a 47044×39159×67288 scale 1 (CLI, 1 worker)", {
      seconds,
      planned_chunks: Number(line[1]),
      computed_chunks: Number(line[3]),
      stored_chunks: Number(line[2]),
      grid_chunks_scale2: Math.ceil(23522 / 64) * Math.ceil(19580 / 64) * Math.ceil(33644 / 64),
    });
    expect(seconds).toBeLessThan(60);
  } finally {
    rmSync(source, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
  }
});

/**
 * Oracle: every pyramid scale `braid downres` writes equals TensorStore's
 * `downsample(previous scale, [2,2,2,1], "mode")` voxel for voxel, and the `info` domains it
 * appends equal TensorStore's downsampled domains — on a segmentation with odd sizes, a
 * non-zero (partly negative) voxel_offset, clipped edge chunks, all-zero chunks, labels ≥ 2^63
 * and tie-heavy noise; sharded and unsharded output scales. Raw/raw shards are byte-identical
 * to TensorStore writing the downsampled view as the next scale (tensorstore-export's write).
 * `mode-nonzero` is checked against a naive reference; the planner's tasks, dependencies and
 * estimates are checked; inconsistent `info` scales and murmur-hashed outputs are refused.
 *
 * Then the run itself: `--only-missing` after deleting shards restores identical bytes,
 * worker threads write the same bytes as one thread, the CLI exits non-zero on a failed shard
 * while the other shards complete, and a gs:// volume gets the same objects as a local one.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BraidError,
  chunkIdsInShard,
  createPrecomputed,
  downresVolume,
  openPrecomputed,
  openStorage,
  planDownres,
  withDownresScales,
  type PrecomputedInfo,
  type ScaleInfo,
  type ShardChunk,
  type Vec3,
  type VoxelBox,
} from "braid-seg";
import { repoRoot, rng } from "../helpers/data.js";
import { startFakeGcs } from "../helpers/fake-gcs.js";
import { runPython, tensorstoreRead } from "../helpers/python.js";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { bytesOf, crop, expectSameVoxels, voxelCount } from "../helpers/volume.js";

const SIZE: Vec3 = [157, 119, 83];
const OFFSET: Vec3 = [3, -5, 7];
const CHUNK: Vec3 = [16, 16, 16];

const BASE_SCALE: ScaleInfo = {
  key: "8_8_8",
  size: SIZE,
  voxel_offset: OFFSET,
  resolution: [8, 8, 8],
  chunk_sizes: [CHUNK],
  encoding: "compressed_segmentation",
  compressed_segmentation_block_size: [8, 8, 8],
  // Grid 10×8×6 needs 4+3+3 Morton bits: 2 preshift + 2 minishard + 6 shard bits.
  sharding: {
    "@type": "neuroglancer_uint64_sharded_v1",
    hash: "identity",
    preshift_bits: 2,
    minishard_bits: 2,
    shard_bits: 6,
    minishard_index_encoding: "gzip",
    data_encoding: "gzip",
  },
};

const infoWith = (scales: ScaleInfo[]): PrecomputedInfo => ({
  "@type": "neuroglancer_multiscale_volume",
  type: "segmentation",
  data_type: "uint64",
  num_channels: 1,
  scales,
});

const NOISE = [0n, 5n, 2n ** 63n + 1n, 2n ** 64n - 1n];
const BLOBS = Array.from({ length: 13 }, (_, i) => (i === 4 ? 0n : 0xfedc_ba98_0000_0000n + BigInt(i * 7919 + 1)));

/**
 * Labels by relative position: an empty corner spanning whole chunks down to scale 2, a slab
 * of 4-valued noise (ties everywhere, 0 voting, values ≥ 2^63 ordered unsigned) and blobs of
 * large labels elsewhere.
 */
function groundTruth(): BigUint64Array {
  const next = rng(11n);
  const out = new BigUint64Array(voxelCount(SIZE));
  let i = 0;
  for (let z = 0; z < SIZE[2]; z++)
    for (let y = 0; y < SIZE[1]; y++)
      for (let x = 0; x < SIZE[0]; x++, i++) {
        if (x < 80 && y < 64) continue;
        if (z >= 40 && z < 60) out[i] = NOISE[Number(next() & 3n)]!;
        else out[i] = BLOBS[(Math.floor(x / 7) * 3 + Math.floor(y / 5) * 7 + Math.floor(z / 6) * 11) % 13]!;
      }
  return out;
}

interface BaseOptions {
  /** Scales listed after scale 0. */
  extraScales?: ScaleInfo[];
  /** Overrides of scale 0 (offset, sharding encodings). */
  base?: Partial<ScaleInfo>;
}

/** Creates a volume whose scale 0 holds `volume` (sharded, TensorStore's chunk order). */
/** Writes the base scale to `target`, a directory or a storage URL. */
async function createBase(target: string, volume: BigUint64Array, options: BaseOptions = {}): Promise<void> {
  const info = infoWith([{ ...BASE_SCALE, ...options.base }, ...(options.extraScales ?? [])]);
  const url = /^[a-z]+:\/\//.test(target) ? target : fileUrl(target);
  const scale = (await createPrecomputed(url, info)).scale(0);
  const g = scale.geometry;
  for (const { shard } of g.shards()!) {
    const ids = chunkIdsInShard(scale.info.sharding!, g.size, g.chunkSize, shard);
    const chunks: ShardChunk[] = [];
    g.cells(ids).forEach((cell, i) => {
      const data = crop(volume, g.domain, g.chunkBox(cell));
      if (data.some((v) => v !== 0n)) chunks.push({ chunkId: ids[i]!, payload: scale.encodeChunk(cell, data) });
    });
    await scale.writeShard(shard, chunks, { layout: "tensorstore" });
  }
}


interface Downsampled {
  origin: Vec3;
  shape: Vec3;
  data: BigUint64Array;
}

/**
 * TensorStore's `downsample(scale k, [2,2,2,1], "mode")` for each k in `sourceScales`; with
 * `writeTo`, also written there as scale k+1 (tensorstore-export's write).
 */
function tensorstoreDownsample(dir: string, sourceScales: number[], writeTo?: string): Map<number, Downsampled> {
  const out = tempDir("downres");
  const args = [dir, ...sourceScales.flatMap((k) => ["--source-scale", String(k)]), "--out-dir", out];
  if (writeTo) args.push("--write-to", writeTo);
  const lines = runPython("downsample_precomputed.py", args)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { source_scale: number; origin: Vec3; shape: Vec3; dtype: string });
  return new Map(
    lines.map((m) => {
      expect(m.dtype).toBe("uint64");
      const raw = readFileSync(join(out, `${m.source_scale}.raw`));
      return [m.source_scale, { origin: m.origin, shape: m.shape, data: new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8) }];
    }),
  );
}

/** Checks the domains and voxels of scales 1..n against TensorStore's downsampling of the scale before. */
async function expectTensorStorePyramid(dir: string, n: number): Promise<void> {
  const volume = await openPrecomputed(fileUrl(dir));
  const reference = tensorstoreDownsample(dir, Array.from({ length: n }, (_, k) => k));
  for (let k = 1; k <= n; k++) {
    const scale = volume.scale(k).info;
    const ts = reference.get(k - 1)!;
    expect([scale.voxel_offset, scale.size], `scale ${k} domain`).toEqual([ts.origin, ts.shape]);
    const ours = tensorstoreRead(dir, { scaleIndex: k });
    expect([ours.origin, ours.shape]).toEqual([ts.origin, ts.shape]);
    expectSameVoxels(ours.data, ts.data, `scale ${k} (TensorStore reading braid's scale vs TensorStore's downsample of scale ${k - 1})`);
  }
}

/** DVID's rule, voxel by voxel: the most frequent non-zero label, ties to the smaller; 0 if none. */
function naiveModeNonzero(input: BigUint64Array, domain: VoxelBox, outDomain: VoxelBox): BigUint64Array {
  const out = new BigUint64Array(voxelCount(outDomain.shape));
  const [sx, sy] = domain.shape;
  let i = 0;
  for (let z = 0; z < outDomain.shape[2]; z++)
    for (let y = 0; y < outDomain.shape[1]; y++)
      for (let x = 0; x < outDomain.shape[0]; x++, i++) {
        const counts = new Map<bigint, number>();
        const o = [x + outDomain.origin[0], y + outDomain.origin[1], z + outDomain.origin[2]];
        for (let dz = 0; dz < 2; dz++)
          for (let dy = 0; dy < 2; dy++)
            for (let dx = 0; dx < 2; dx++) {
              const a = [2 * o[0]! + dx, 2 * o[1]! + dy, 2 * o[2]! + dz].map((v, d) => v - domain.origin[d]!);
              if (a.some((v, d) => v < 0 || v >= domain.shape[d]!)) continue;
              const v = input[a[0]! + sx * (a[1]! + sy * a[2]!)]!;
              if (v !== 0n) counts.set(v, (counts.get(v) ?? 0) + 1);
            }
        let best = 0n;
        let most = 0;
        for (const [v, c] of counts) if (c > most || (c === most && v < best)) [best, most] = [v, c];
        out[i] = best;
      }
  return out;
}

/** Every file under `dir` (relative path → bytes). */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out.set(path, readFileSync(join(dir, path)));
    }
  };
  walk("");
  return out;
}

function expectSameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>, what: string): void {
  expect([...actual.keys()].sort(), `${what}: file list`).toEqual([...expected.keys()].sort());
  for (const [path, bytes] of expected) expect(actual.get(path)!.equals(bytes), `${what}: ${path} differs`).toBe(true);
}

/** Shard number (decimal) of a shard file name. */
const shardOf = (file: string) => BigInt(`0x${file.replace(".shard", "")}`).toString();
const shardFiles = (dir: string, key: string) => readdirSync(join(dir, key)).filter((f) => f.endsWith(".shard")).sort();

describe("braid downres vs TensorStore downsample(…, [2,2,2,1], \"mode\")", () => {
  const truth = groundTruth();
  let base: string;

  beforeAll(async () => {
    base = tempDir("downres");
    await createBase(base, truth);
  });

  // An odd offset makes windows straddle source chunks (whole 2× regions are read); an even
  // one lets each source chunk downsample alone (scales 1–3 here; scale 3 has offset [1,-2,3]).
  it.each([
    { name: "odd offset", offset: OFFSET },
    { name: "even offset", offset: [8, -16, 24] as Vec3 },
  ])("sharded pyramid of 4 scales appended to info, $name: domains and voxels match", async ({ offset }) => {
    const dir = tempDir("downres");
    if (offset === OFFSET) cpSync(base, dir, { recursive: true });
    else await createBase(dir, truth, { base: { voxel_offset: offset } });
    const summary = await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3, 4], workers: 0 });
    expect(summary.ok).toBe(true);
    expect(summary.scales.map((s) => s.scale)).toEqual([1, 2, 3, 4]);
    // The empty corner leaves all-zero chunks that are computed but not stored.
    expect(summary.scales[0]!.chunks).toBeGreaterThan(summary.scales[0]!.written);
    expect(summary.scales[1]!.chunks).toBeGreaterThan(summary.scales[1]!.written);
    const info = (await openPrecomputed(fileUrl(dir))).info;
    expect(info.scales.map((s) => s.key)).toEqual(["8_8_8", "16_16_16", "32_32_32", "64_64_64", "128_128_128"]);
    expect(info.scales.map((s) => s.resolution[0])).toEqual([8, 16, 32, 64, 128]);
    // Sharding bits shrink with the grid: 10 Morton bits at scale 0, 7 at scale 1, 1 at scale 4.
    expect(info.scales.map((s) => s.sharding?.shard_bits)).toEqual([6, 3, 0, 0, 0]);
    // Scale 1 is split in several shards, so tasks run per shard.
    expect(summary.scales[0]!.tasks).toBeGreaterThan(4);
    await expectTensorStorePyramid(dir, 4);
  });

  it("raw/raw shards are byte-identical to TensorStore writing downsample(previous) as the next scale", async () => {
    const raw = { ...BASE_SCALE.sharding!, minishard_index_encoding: "raw" as const, data_encoding: "raw" as const };
    const ours = tempDir("downres");
    await createBase(ours, truth, { base: { sharding: raw } });
    expect((await downresVolume({ dest: fileUrl(ours), scales: [1, 2, 3], workers: 0 })).ok).toBe(true);
    // TensorStore writes into a volume with braid's info and scale 0, as tensorstore-export does.
    const theirs = tempDir("downres");
    cpSync(ours, theirs, { recursive: true });
    for (const key of ["16_16_16", "32_32_32", "64_64_64"]) rmSync(join(theirs, key), { recursive: true });
    tensorstoreDownsample(ours, [0, 1, 2], theirs);
    const pyramid = (snap: Map<string, Buffer>) => new Map([...snap].filter(([path]) => !path.startsWith("8_8_8/") && path !== "info"));
    const expected = pyramid(snapshot(theirs));
    expect(expected.size).toBeGreaterThan(5);
    expectSameFiles(pyramid(snapshot(ours)), expected, "raw/raw pyramid vs TensorStore's");
  });

  it("an unsharded scale listed in info and unsharded scales derived from it match too", async () => {
    const dir = tempDir("downres");
    const s1: ScaleInfo = {
      key: "s1-unsharded",
      size: [79, 60, 42],
      voxel_offset: [1, -3, 3],
      resolution: [16, 16, 16],
      chunk_sizes: [[8, 8, 8]],
      encoding: "compressed_segmentation",
      compressed_segmentation_block_size: [4, 4, 4],
    };
    await createBase(dir, truth, { extraScales: [s1] });
    const summary = await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3], workers: 0 });
    expect(summary.ok).toBe(true);
    const info = (await openPrecomputed(fileUrl(dir))).info;
    expect(info.scales[1]).toEqual({ ...s1, chunk_sizes: [[8, 8, 8]] });
    expect(info.scales.slice(1).every((s) => s.sharding === undefined)).toBe(true);
    await expectTensorStorePyramid(dir, 3);

    // Unsharded chunks are written one by one: --only-missing restores deleted ones exactly.
    const written = snapshot(dir);
    const chunkFiles = readdirSync(join(dir, "s1-unsharded")).sort();
    expect(chunkFiles.length).toBeGreaterThan(10);
    for (const f of chunkFiles.slice(0, 5)) rmSync(join(dir, "s1-unsharded", f));
    const resumed = await downresVolume({ dest: fileUrl(dir), scales: [1], workers: 0, onlyMissing: true });
    expect(resumed.written).toBe(5);
    expectSameFiles(snapshot(dir), written, "unsharded resume");
  });

  it("mode-nonzero pyramid equals a naive reference of DVID's rule", async () => {
    const dir = tempDir("downres");
    cpSync(base, dir, { recursive: true });
    const summary = await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3, 4], method: "mode-nonzero", workers: 0 });
    expect(summary.ok).toBe(true);
    const volume = await openPrecomputed(fileUrl(dir));
    let previous = await volume.scale(0).readRegion(volume.scale(0).geometry.domain);
    for (let k = 1; k <= 4; k++) {
      const from = volume.scale(k - 1).geometry.domain;
      const to = volume.scale(k).geometry.domain;
      const ours = await volume.scale(k).readRegion(to);
      expectSameVoxels(ours, naiveModeNonzero(previous, from, to), `mode-nonzero scale ${k}`);
      previous = ours;
    }
    // Zeros lose here but win ties under "mode": the two pyramids really differ.
    const ts = tensorstoreDownsample(base, [0]).get(0)!;
    const s1 = await volume.scale(1).readRegion(volume.scale(1).geometry.domain);
    expect(bytesOf(s1).equals(bytesOf(ts.data))).toBe(false);
  });

  it("plans one task per output shard, with the source shards it reads and estimates", async () => {
    const dir = tempDir("downres");
    cpSync(base, dir, { recursive: true });
    const tasks = await planDownres({ dest: fileUrl(dir), scales: [1, 2] });
    const volume = await openPrecomputed(fileUrl(dir));
    expect(volume.info.scales).toHaveLength(3);
    const sourceFiles = shardFiles(dir, "8_8_8");
    const sourceBytes = sourceFiles.reduce((n, f) => n + readFileSync(join(dir, "8_8_8", f)).length, 0);
    for (const k of [1, 2]) {
      const mine = tasks.filter((t) => t.scale === k);
      const g = volume.scale(k).geometry;
      // Every output shard exactly once, covering the grid.
      expect(mine.map((t) => t.shard)).toEqual(g.shards()!.map((b) => b.shard.toString()));
      expect(mine.reduce((n, t) => n + t.outputChunks, 0)).toBe(g.chunkCount);
      const sources = new Set(volume.scale(k - 1).geometry.shards()!.map((b) => b.shard.toString()));
      for (const t of mine) {
        expect(t.sourceShards!.length).toBeGreaterThan(0);
        for (const s of t.sourceShards!) expect(sources.has(s), `scale ${k} shard ${t.shard} reads ${s}`).toBe(true);
        expect(t.estimatedPeakBytes).toBeGreaterThan(100 * 2 ** 20);
        expect(t.estimatedPeakBytes).toBeLessThan(512 * 2 ** 20);
        expect(JSON.parse(JSON.stringify(t))).toEqual(t);
      }
    }
    // Scale 0 exists: its shard sizes are measured and apportioned, seams counted twice.
    const measured = tasks.filter((t) => t.scale === 1).reduce((n, t) => n + t.estimatedSourceBytes, 0);
    expect(measured).toBeGreaterThanOrEqual(sourceBytes * 0.99);
    expect(measured).toBeLessThan(sourceBytes * 3);
    // Scale 1 does not exist yet: scale 2's sources are scale 1's estimated outputs.
    const chained = tasks.filter((t) => t.scale === 2).reduce((n, t) => n + t.estimatedSourceBytes, 0);
    const predicted = tasks.filter((t) => t.scale === 1).reduce((n, t) => n + t.estimatedOutputBytes, 0);
    expect(chained).toBeGreaterThanOrEqual(predicted * 0.99);
    expect(chained).toBeLessThan(predicted * 3);

    // Before scale 0 exists: planned from a given info, which gets the scales and is written;
    // with no source shard to measure, source bytes come from the prior.
    const early = tempDir("downres");
    const given = infoWith([BASE_SCALE]);
    const planned = await planDownres({ dest: fileUrl(early), scales: [1, 2], info: given });
    expect(planned.map((t) => [t.scale, t.shard])).toEqual(tasks.map((t) => [t.scale, t.shard]));
    expect(planned.every((t) => t.estimatedSourceBytes > 0)).toBe(true);
    const written = (await openPrecomputed(fileUrl(early))).info;
    expect(written.scales).toEqual(volume.info.scales);
    expect(withDownresScales(given, [1, 2])).toEqual(written);
  });

  it("refuses murmur-hashed output scales, whose shards are not boxes of chunks", async () => {
    const dir = tempDir("downres");
    const murmur: ScaleInfo = {
      ...BASE_SCALE,
      key: "murmur",
      size: [79, 60, 42],
      voxel_offset: [1, -3, 3],
      resolution: [16, 16, 16],
      sharding: { ...BASE_SCALE.sharding!, hash: "murmurhash3_x86_128", shard_bits: 2 },
    };
    await createBase(dir, truth, { extraScales: [murmur] });
    await expect(planDownres({ dest: fileUrl(dir), scales: [1] })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringMatching(/scale 1 \("murmur"\).*murmurhash3_x86_128-hashed/),
    });
  });

  it("refuses a window below 1 or a gzip level outside 0..9 before writing anything", async () => {
    const dir = tempDir("downres");
    await createBase(dir, truth);
    const info = readFileSync(join(dir, "info"));
    for (const bad of [{ window: 0 }, { window: 2.5 }, { gzipLevel: 12 }]) {
      await expect(planDownres({ dest: fileUrl(dir), scales: [1], ...bad })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    // The scale was not appended to info.
    expect(readFileSync(join(dir, "info")).equals(info)).toBe(true);
  });

  it("refuses an info scale whose domain does not follow TensorStore's rule", async () => {
    const dir = tempDir("downres");
    // The floor rule of neuroglancer's docs example (157 → 78) instead of TensorStore's [1, 80).
    const floor: ScaleInfo = {
      ...BASE_SCALE,
      key: "floor",
      size: [78, 59, 41],
      voxel_offset: [1, -3, 3],
      resolution: [16, 16, 16],
      sharding: { ...BASE_SCALE.sharding!, shard_bits: 3 },
    };
    await createBase(dir, truth, { extraScales: [floor] });
    const error = await planDownres({ dest: fileUrl(dir), scales: [1] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BraidError);
    expect((error as BraidError).code).toBe("SPEC_INVALID");
    expect((error as BraidError).message).toMatch(/scale 1 \("floor"\).*size \[78,59,41\].*size \[79,60,42\]/);
    await expect(planDownres({ dest: fileUrl(dir), scales: [3] })).rejects.toThrow(/scale 3 is built from scale 2/);
  });
});

function braidCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = join(repoRoot, "dist/cli/bin.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm run build:ts`);
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("braid downres runs: resume, workers, CLI, gs://", () => {
  let base: string;
  /** Scales 1–3 written by one in-process run: the reference bytes. */
  let reference: Map<string, Buffer>;

  beforeAll(async () => {
    base = tempDir("downres");
    await createBase(base, groundTruth());
    const dir = tempDir("downres");
    cpSync(base, dir, { recursive: true });
    expect((await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3], workers: 0 })).ok).toBe(true);
    reference = snapshot(dir);
  });

  it("--only-missing after deleting shards rebuilds exactly them, byte for byte", async () => {
    const dir = tempDir("downres");
    cpSync(base, dir, { recursive: true });
    await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3], workers: 0 });
    const keys = ["16_16_16", "32_32_32", "64_64_64"];
    const before = keys.map((key) => shardFiles(dir, key));
    expect(before[0]!.length).toBeGreaterThan(3);
    const deleted = [`16_16_16/${before[0]![0]}`, `16_16_16/${before[0]!.at(-1)}`, `32_32_32/${before[1]![0]}`];
    for (const f of deleted) rmSync(join(dir, f));
    const kept = keys.map((key) => shardFiles(dir, key).map(shardOf));
    const summary = await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3], workers: 0, onlyMissing: true });
    expect(summary.ok).toBe(true);
    expect(summary.scales.map((s) => s.skipped)).toEqual(kept.map((k) => k.length));
    // Exactly the tasks without a shard file ran: the deleted ones, and any all-zero shard.
    const plan = await planDownres({ dest: fileUrl(dir), scales: [1, 2, 3] });
    const recomputed = (k: number) =>
      plan.filter((t) => t.scale === k && !kept[k - 1]!.includes(t.shard!)).reduce((n, t) => n + t.outputChunks, 0);
    expect(summary.scales.map((s) => s.chunks)).toEqual([recomputed(1), recomputed(2), recomputed(3)]);
    expect(summary.scales[0]!.chunks).toBeGreaterThan(0);
    expectSameFiles(snapshot(dir), reference, "resumed");
  });

  it("two worker threads write the same bytes as one in-process run", async () => {
    const dir = tempDir("downres");
    cpSync(base, dir, { recursive: true });
    const threads = new Set<number | undefined>();
    const summary = await downresVolume({ dest: fileUrl(dir), scales: [1, 2, 3], workers: 2, on: { taskEnd: (o) => threads.add(o.worker) } });
    expect(summary.ok).toBe(true);
    // Both threads took tasks; none fell back to this thread.
    expect(threads).toEqual(new Set([0, 1]));
    expectSameFiles(snapshot(dir), reference, "2 workers");
  });

  it("a memory:// volume runs in this thread whatever `workers` says, and writes the same bytes", async () => {
    const url = "memory://downres-workers/vol";
    await createBase(url, groundTruth());
    const summary = await downresVolume({ dest: url, scales: [1, 2, 3], workers: 2 });
    expect(summary.ok, JSON.stringify(summary.failures.map((f) => f.error?.message))).toBe(true);
    const storage = await openStorage(url);
    let compared = 0;
    for (const [path, bytes] of reference) {
      if (!/^(16|32|64)_\d+_\d+\//.test(path)) continue;
      expect(Buffer.from((await storage.read(path))!).equals(bytes), path).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(3);
  });

  it("CLI: builds scales with a summary; a corrupt source shard fails its task, exit 1, other shards complete", async () => {
    const good = tempDir("downres");
    cpSync(base, good, { recursive: true });
    const ok = await braidCli(["downres", "--dest", good, "--scales", "1-2", "--workers", "2"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/downres done: scales 1,2, \d+ chunks \(\d+ stored, \d+ all-zero\).*chunks\/s, peak RSS \d+ MiB/);
    for (const [path, bytes] of reference) {
      if (path.startsWith("16_16_16/") || path.startsWith("32_32_32/")) expect(readFileSync(join(good, path)).equals(bytes), path).toBe(true);
    }

    const bad = tempDir("downres");
    cpSync(base, bad, { recursive: true });
    const victim = shardFiles(bad, "8_8_8")[1]!;
    // A shard index whose minishard indexes lie past the end of the (index-only) file.
    const index = Buffer.alloc(16 * 4);
    for (let m = 0; m < 4; m++) index.writeBigUInt64LE(1000n, 16 * m + 8);
    writeFileSync(join(bad, "8_8_8", victim), index);
    const failed = await braidCli(["downres", "--dest", bad, "--scales", "1-2", "--workers", "0"]);
    expect(failed.code).toBe(1);
    // The tasks that fail are exactly those the plan says read the corrupt shard.
    const plan = (await planDownres({ dest: fileUrl(bad), scales: [1] })).filter((t) => t.sourceShards!.includes(shardOf(victim)));
    expect(plan.length).toBeGreaterThan(0);
    expect(failed.stdout).toMatch(new RegExp(`downres FAILED: scales 1, .* \\(0 skipped, ${plan.length} failed\\).*not run: scales 2`));
    const events = failed.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { event: string; code?: string; message?: string; shard?: string })
      .filter((e) => e.event === "task-failed");
    expect(events.map((e) => e.shard).sort()).toEqual(plan.map((t) => t.shard).sort());
    for (const e of events) {
      expect(e.code).toBe("SHARD_CORRUPT");
      expect(e.message).toContain(join(bad, "8_8_8", victim));
    }
    // Every other scale-1 shard was written, identical to the reference.
    const failedShards = plan.map((t) => t.shard!);
    const expected = [...reference.keys()]
      .filter((p) => p.startsWith("16_16_16/"))
      .map((p) => p.slice("16_16_16/".length))
      .filter((f) => !failedShards.includes(shardOf(f)));
    expect(expected.length).toBeGreaterThan(0);
    expect(shardFiles(bad, "16_16_16")).toEqual(expected.sort());
    for (const f of expected) expect(readFileSync(join(bad, "16_16_16", f)).equals(reference.get(`16_16_16/${f}`)!), f).toBe(true);
    expect(existsSync(join(bad, "32_32_32"))).toBe(false);
  });

  it("on gs:// (fake-gcs-server) writes the same shard objects as on disk", async () => {
    const gcs = await startFakeGcs();
    try {
      await gcs.createBucket("braid-downres");
      const url = "gs://braid-downres/pyramid";
      const storage = { gcs: { apiEndpoint: gcs.url } };
      const bucket = await openStorage(url, storage);
      for (const [path, bytes] of snapshot(base)) await bucket.write(path, bytes);
      const summary = await downresVolume({ dest: url, scales: [1, 2], workers: 0, storage });
      expect(summary.ok).toBe(true);
      const keys: string[] = [];
      for await (const k of bucket.list()) keys.push(k);
      const pyramid = [...reference.keys()].filter((p) => p.startsWith("16_16_16/") || p.startsWith("32_32_32/"));
      expect(keys.filter((k) => !k.startsWith("8_8_8/") && k !== "info").sort()).toEqual(pyramid.sort());
      for (const p of pyramid) expect(Buffer.from((await bucket.read(p))!).equals(reference.get(p)!), p).toBe(true);
    } finally {
      await gcs.stop();
    }
  });
});

/**
 * Shard I/O throughput: one full mCNS-sized shard (32,768 chunks of 64³, p=9 m=6) streamed to
 * a local file through `writeShard` with ~3.6 KB gzip'd compressed_segmentation payloads, and
 * random chunk reads back from it. Reports payload MB/s, the peak RSS the write adds above its
 * baseline, and chunks/s.
 */
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import {
  chunkIdsInShard,
  createPrecomputed,
  encodeCompressedSegmentation,
  gzip,
  openPrecomputed,
  type ShardChunk,
  type Vec3,
} from "braid-seg";
import { synthSpec } from "../ts/jobs/synth/synth-spec.js";
import { peakRssMiB, report } from "./report.js";

const CHUNK: Vec3 = [64, 64, 64];
const GRID = 32;
const VARIANTS = 64;

// 32³-chunk shards, mCNS's preshift 9 + minishard 6, one shard.
const INFO = synthSpec({ size: [GRID * 64, GRID * 64, GRID * 64], shardBlocks: GRID, resolution: [16, 16, 16] });

/**
 * Segmentation-like chunks: a few dozen large blobs with wavy boundaries, a different mix
 * per variant, so cseg tables and bit widths vary as in real data.
 */
function payloads(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const volume = new BigUint64Array(64 ** 3);
  for (let k = 0; k < VARIANTS; k++) {
    const cell = 20 + (k % 7) * 3;
    const labels = Array.from({ length: 64 }, (_, i) => BigInt(1_000_000 * (k + 1) + i * 7919));
    let i = 0;
    for (let z = 0; z < 64; z++)
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++, i++) {
          const wx = x + Math.round(3 * Math.sin((y + k) / 5));
          const wy = y + Math.round(3 * Math.cos((z + 2 * k) / 7));
          const b = Math.floor(wx / cell) * 5 + Math.floor(wy / cell) * 11 + Math.floor(z / (cell + 6)) * 17;
          volume[i] = labels[((b % 64) + 64) % 64]!;
        }
    const cseg = encodeCompressedSegmentation(volume, CHUNK);
    out.push(gzip(new Uint8Array(cseg.buffer, cseg.byteOffset, cseg.byteLength), 6));
  }
  return out;
}

/** CPU time (user + system, all threads) since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** Resets the kernel's peak-RSS counter to the current RSS (Linux), for a clean baseline. */
function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

it("streams one 32,768-chunk shard to disk and reads chunks back at random", async () => {
  const encoded = payloads();
  const dir = await mkdtemp(join(tmpdir(), "braid-bench-shard-"));
  try {
    const volume = await createPrecomputed(pathToFileURL(dir).href, INFO);
    const scale = volume.scale(0);
    const ids = chunkIdsInShard(INFO.scales[0]!.sharding!, scale.geometry.size, CHUNK, 0n);
    expect(ids.length).toBe(GRID ** 3);
    let payloadBytes = 0;
    function* chunks(): Generator<ShardChunk> {
      for (let i = 0; i < ids.length; i++) {
        const e = encoded[i % VARIANTS]!;
        payloadBytes += e.byteLength;
        yield { chunkId: ids[i]!, encoded: e };
      }
    }

    const clean = resetPeakRss();
    const baseline = await peakRssMiB();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const written = await scale.writeShard(0n, chunks(), { layout: "tensorstore" });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(cpu0);
    const peakAbove = (await peakRssMiB()) - baseline;
    expect(written.chunkCount).toBe(GRID ** 3);
    // After the RSS reading: this machine's memcpy rate, to read the figures against (the write
    // copies each byte ~3×: into the core, out of it, into the page cache).
    const probe = new Uint8Array(64 << 20).fill(1);
    const tc = performance.now();
    for (let i = 0; i < 4; i++) probe.slice();
    const memcpyGBps = (4 * probe.byteLength) / 1e9 / ((performance.now() - tc) / 1000);

    report("shard-write: 32768 chunks, gzip'd cseg payloads, local file", {
      payload_MB: payloadBytes / 1e6,
      mean_payload_KB: payloadBytes / ids.length / 1e3,
      file_MB: written.bytes / 1e6,
      seconds,
      payload_MB_per_s: payloadBytes / 1e6 / seconds,
      // Wall time suffers on a shared machine; CPU time shows what the write itself costs.
      cpu_seconds: cpu,
      payload_MB_per_cpu_s: payloadBytes / 1e6 / cpu,
      peak_rss_above_baseline_MiB: peakAbove,
      memcpy_GB_per_s: memcpyGBps,
      rss_baseline: clean ? "reset" : "process peak",
    });

    const reader = (await openPrecomputed(pathToFileURL(dir).href)).scale(0);
    const reads = 4096;
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % GRID;
    const cells: Vec3[] = Array.from({ length: reads }, () => [random(), random(), random()]);
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    for (let i = 0; i < reads; i += 16) {
      const got = await Promise.all(cells.slice(i, i + 16).map((c) => reader.readChunk(c)));
      for (const v of got) expect(v?.length).toBe(64 ** 3);
    }
    const readSeconds = (performance.now() - t1) / 1000;
    report("shard-read: random 64³ chunks from one local shard (16 in flight, decoded)", {
      chunks: reads,
      seconds: readSeconds,
      chunks_per_s: reads / readSeconds,
      cpu_seconds: cpuSeconds(cpu1),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

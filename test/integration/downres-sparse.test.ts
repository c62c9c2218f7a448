/**
 * A sparse pyramid — data in one corner of a large sharded grid, as one DVID shard in a
 * brain-sized spec is — where most output shards have no source shard at all. Those are
 * written as empty without computing their chunks, and whole-zero output chunks skip the core;
 * the result must be byte-identical to computing every chunk (tasks planned without their
 * `sourceShards`, which disables the shard shortcut), and stale shards of an earlier run over
 * now-empty places must be deleted either way.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPrecomputed, openPrecomputed, planDownres, runDownresTasks, type Vec3 } from "braid-seg";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { voxelCount, writeShardedScale } from "../helpers/volume.js";

const SIZE: Vec3 = [256, 256, 256];
const CHUNK: Vec3 = [16, 16, 16];

/** Labels in a 40³ box near the origin, zero elsewhere. */
function labels(): BigUint64Array {
  const out = new BigUint64Array(voxelCount(SIZE));
  for (let z = 5; z < 45; z++)
    for (let y = 3; y < 43; y++)
      for (let x = 9; x < 49; x++) out[x + SIZE[0] * (y + SIZE[1] * z)] = BigInt(1 + ((x >> 3) ^ (y >> 2) ^ z) % 7) << 40n;
  return out;
}

async function sparseVolume(dir: string): Promise<void> {
  const info = {
    "@type": "neuroglancer_multiscale_volume" as const,
    type: "segmentation" as const,
    data_type: "uint64" as const,
    num_channels: 1,
    scales: [
      {
        key: "s0",
        size: SIZE,
        voxel_offset: [0, 0, 0] as Vec3,
        resolution: [8, 8, 8] as Vec3,
        chunk_sizes: [CHUNK],
        encoding: "compressed_segmentation" as const,
        compressed_segmentation_block_size: [8, 8, 8] as Vec3,
        // 16³ cells = 12 Morton bits: shards of 2×2×2 cells, 512 of them.
        sharding: {
          "@type": "neuroglancer_uint64_sharded_v1" as const,
          hash: "identity" as const,
          preshift_bits: 3,
          minishard_bits: 0,
          shard_bits: 9,
          minishard_index_encoding: "gzip" as const,
          data_encoding: "gzip" as const,
        },
      },
    ],
  };
  await writeShardedScale((await createPrecomputed(fileUrl(dir), info)).scale(0), labels());
}

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.set(join(entry.parentPath, entry.name).slice(dir.length + 1), readFileSync(join(entry.parentPath, entry.name)));
  }
  return out;
}

describe("downres of a sparse volume", () => {
  it("writes empty shards without computing them, byte-identical to computing every chunk", async () => {
    const shortcut = tempDir("sparse-downres");
    await sparseVolume(shortcut);
    const full = tempDir("sparse-downres-full");
    cpSync(shortcut, full, { recursive: true });

    const tasks = await planDownres({ dest: fileUrl(shortcut), scales: [1, 2] });
    const scale1 = tasks.filter((t) => t.scale === 1);
    expect(scale1).toHaveLength(64);
    // Scale 1's shard 63 (the far corner) has no source shard; leave a stale file there.
    const volume = await openPrecomputed(fileUrl(shortcut));
    const farCorner = scale1.find((t) => t.shard === "63")!;
    expect(await Promise.all(farCorner.sourceShards!.map((s) => volume.scale(0).hasShard(BigInt(s))))).not.toContain(true);
    const path = (k: number, shard: bigint) => `${volume.scale(k).key}/${volume.scale(k).shardFile(shard)}`;
    for (const dir of [shortcut, full]) {
      if (dir === full) await planDownres({ dest: fileUrl(full), scales: [1, 2] }); // appends the scales to info
      mkdirSync(join(dir, volume.scale(1).key), { recursive: true });
      cpSync(join(dir, path(0, 0n)), join(dir, path(1, 63n)));
    }

    const fast = await runDownresTasks(tasks, { workers: 0 });
    const fullTasks = (await planDownres({ dest: fileUrl(full), scales: [1, 2] })).map((t) => ({ ...t, sourceShards: null }));
    const slow = await runDownresTasks(fullTasks, { workers: 0 });

    expect(fast.ok && slow.ok).toBe(true);
    expect(fast.chunks).toBe(slow.chunks);
    expect(fast.written).toBe(slow.written);
    expect(fast.written).toBeGreaterThan(0);
    const [a, b] = [files(shortcut), files(full)];
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
    // Only the shards over the labelled corner exist; the stale one is gone.
    expect([...a.keys()].filter((k) => !k.startsWith("s0/")).sort()).toEqual(["info", path(1, 0n), path(2, 0n)].sort());
  });
});

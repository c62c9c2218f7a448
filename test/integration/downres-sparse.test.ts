/**
 * A brain in a box: one real DVID shard exported at scale 1 of the real mCNS spec, whose
 * bounding box is 47044×39159×67288 voxels at that scale (474 M chunks), then a pyramid of
 * scales 2 and 3. The cost follows the data: a listing finds the one stored shard, the plan
 * holds one task per scale, the tasks read only the stored chunks' indexes and chunks — and
 * the stored chunks are exactly those TensorStore's `downsample(…, "mode")` of the stored
 * scale below makes non-zero, voxel for voxel over the populated region.
 */
import { readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { downresVolume, openPrecomputed, openStorage, planDownres, type Vec3 } from "braid-seg";
import { countingStorage, totalRequests } from "../helpers/counting-storage.js";
import { braid, MCNS_SPEC, realSource, tempDir } from "../helpers/export.js";
import { tensorstoreDownsample, tensorstoreRead } from "../helpers/python.js";
import { fileUrl } from "../helpers/temp.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

describe("downres of a partial export of a real-sized volume", () => {
  it("plans and reads only what is stored, and stores exactly the chunks TensorStore makes non-zero", async () => {
    const source = realSource();
    const dest = tempDir("sparse");
    dirs.push(source, dest);
    const exported = braid(["export", "--source", source, "--dest", dest, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1"]);
    expect(exported.code, exported.stderr).toBe(0);

    const storage = countingStorage(await openStorage(fileUrl(dest)));
    const t0 = performance.now();
    const tasks = await planDownres({ dest: storage, scales: [2, 3] });
    // One output shard per scale holds data; the grid of scale 2 has 59,231,808 chunks.
    expect(tasks.map((t) => t.scale)).toEqual([2, 3]);
    expect(tasks.every((t) => t.sourceShards!.length === 1)).toBe(true);
    const planRequests = totalRequests(storage.counts);
    // info read (and rewritten with the new scales), one listing of scale 1, one size request.
    expect(storage.counts.list).toBe(1);
    expect(planRequests).toBeLessThanOrEqual(6);

    const summary = await downresVolume({ dest: storage, scales: [2, 3], workers: 0 });
    const seconds = (performance.now() - t0) / 1000;
    expect(summary.ok).toBe(true);
    expect(seconds).toBeLessThan(30);
    const s1 = (await openPrecomputed(fileUrl(dest))).scale(1);
    const [stored] = await s1.listShards();
    const storedChunks = (await s1.listChunks(stored!)).length;
    expect(storedChunks).toBeGreaterThan(200);
    // Reads: per source shard its index page and ≤ 64 minishard indexes, then each stored
    // chunk once; writes: one shard per scale. Nothing grows with the bounding box.
    const perShard = 1 + 64;
    const scale2Written = summary.scales[0]!.written;
    expect(storage.counts.read).toBeLessThanOrEqual(2 + 2 * perShard + storedChunks + scale2Written + 8);
    expect(storage.counts.list).toBeLessThanOrEqual(2);
    expect(storage.counts.createWriter).toBeLessThanOrEqual(2);
    for (const s of summary.scales) {
      expect(s.computed).toBeGreaterThan(0);
      expect(s.computed).toBeLessThanOrEqual(s.chunks);
    }

    // Scale 2 and 3 against TensorStore over the populated region of each.
    const volume = await openPrecomputed(fileUrl(dest));
    for (const k of [2, 3]) {
      const below = volume.scale(k - 1);
      const [shard] = await below.listShards();
      const cells = await below.listChunks(shard!);
      const g = below.geometry;
      const lo = vec3((d) => Math.min(...cells.map((c) => g.chunkBox(c).origin[d]!)));
      const hi = vec3((d) => Math.max(...cells.map((c) => g.chunkBox(c).origin[d]! + g.chunkBox(c).shape[d]!)));
      const box = [...vec3((d) => Math.floor(lo[d]! / 2)), ...vec3((d) => Math.ceil(hi[d]! / 2))];
      const theirs = tensorstoreDownsample(fileUrl(dest), [k - 1], { box }).get(k - 1)!;
      const ours = tensorstoreRead(fileUrl(dest), { scaleIndex: k, box: box as [number, number, number, number, number, number] });
      expect(ours.shape).toEqual(theirs.shape);
      expect(Buffer.from(ours.data.buffer).equals(Buffer.from(theirs.data.buffer)), `scale ${k} voxels`).toBe(true);
      // The chunks braid stored are exactly the chunks of the view holding a non-zero voxel.
      const out = volume.scale(k).geometry;
      const nonZero = new Set<string>();
      const [sx, sy] = theirs.shape;
      for (let i = 0; i < theirs.data.length; i++) {
        if (theirs.data[i] === 0n) continue;
        const v = [theirs.origin[0] + (i % sx), theirs.origin[1] + (Math.floor(i / sx) % sy), theirs.origin[2] + Math.floor(i / (sx * sy))];
        nonZero.add(vec3((d) => Math.floor((v[d]! - out.voxelOffset[d]!) / out.chunkSize[d]!)).join(","));
      }
      const shards = await volume.scale(k).listShards();
      const storedCells = (await Promise.all(shards.map((s) => volume.scale(k).listChunks(s)))).flat().map((c) => c.join(","));
      expect(new Set(storedCells), `scale ${k} chunks`).toEqual(nonZero);
      expect(summary.scales[k - 2]!.written).toBe(nonZero.size);
    }
    // What the CLI prints for the same job names the planned chunks, not the grid.
    const again = braid(["downres", "--dest", dest, "--scales", "2,3", "--workers", "1"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/downres done: scales 2,3, \d{1,5} chunks/);
    // The spec's 10 scales were in info already: downres checked scales 2 and 3 against the rule.
    expect(JSON.parse(readFileSync(`${dest}/info`, "utf8")).scales).toHaveLength(10);
  });
});

/**
 * Unsharded output: a spec scale without `sharding` is written one object per chunk
 * (`x0-x1_y0-y1_z0-z1`, the same codecs, no gzip), TensorStore reads it voxel-exactly equal
 * to the sharded export of the same data, `verify` checks it, and downres reads from and
 * writes to unsharded scales — planned from a listing of what is stored.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPrecomputed, type Vec3 } from "braid-seg";
import { braid, MCNS_SPEC, realSource, tempDir } from "../helpers/export.js";
import { tensorstoreDownsample, tensorstoreRead } from "../helpers/python.js";
import { fileUrl } from "../helpers/temp.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

/** The mCNS spec with scales 1 and 2 unsharded. */
function unshardedSpec(): string {
  const spec = JSON.parse(readFileSync(MCNS_SPEC, "utf8")) as { scales: Record<string, unknown>[] };
  for (const k of [1, 2]) delete spec.scales[k]!.sharding;
  const dir = tempDir("spec");
  dirs.push(dir);
  const path = join(dir, "spec.json");
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe("unsharded scales", () => {
  it("export writes one object per chunk that TensorStore reads like the sharded export; verify and downres work on them", async () => {
    const source = realSource();
    const sharded = tempDir("sharded");
    const unsharded = tempDir("unsharded");
    dirs.push(source, sharded, unsharded);
    expect(braid(["export", "--source", source, "--dest", sharded, "--spec", MCNS_SPEC, "--scales", "1"]).code).toBe(0);
    const r = braid(["export", "--source", source, "--dest", unsharded, "--spec", unshardedSpec(), "--scales", "1"]);
    expect(r.code, r.stderr).toBe(0);

    const volume = await openPrecomputed(fileUrl(unsharded));
    const s1 = volume.scale(1);
    expect(s1.sharded).toBe(false);
    const keys = readdirSync(join(unsharded, s1.key)).sort();
    const cells = await s1.listChunks();
    expect(keys).toHaveLength(cells.length);
    expect(keys.every((k) => /^\d+-\d+_\d+-\d+_\d+-\d+$/.test(k))).toBe(true);
    const shardedScale = (await openPrecomputed(fileUrl(sharded))).scale(1);
    const [shard] = await shardedScale.listShards();
    const shardedCells = await shardedScale.listChunks(shard!);
    // The same non-zero chunks, stored one per object.
    expect(cells.map((c) => c.join(",")).sort()).toEqual(shardedCells.map((c) => c.join(",")).sort());

    // TensorStore reads both the same, voxel for voxel, over the populated region.
    const g = s1.geometry;
    const lo = vec3((d) => Math.min(...cells.map((c) => g.chunkBox(c).origin[d]!)));
    // A 4×3×4-chunk corner of the populated region keeps TensorStore's reads small.
    const hi = vec3((d) => Math.min(lo[d]! + [256, 192, 256][d]!, Math.max(...cells.map((c) => g.chunkBox(c).origin[d]! + g.chunkBox(c).shape[d]!))));
    const box = [...lo, ...hi] as [number, number, number, number, number, number];
    const a = tensorstoreRead(fileUrl(unsharded), { scaleIndex: 1, box });
    const b = tensorstoreRead(fileUrl(sharded), { scaleIndex: 1, box });
    expect(a.data.some((v) => v !== 0n)).toBe(true);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);

    const verified = braid(["verify", "--source", source, "--dest", unsharded, "--scales", "1", "--values", "5"]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain("verify passed");

    // A stray chunk object is reported; a deleted non-zero one is missing.
    const stray = g.chunkKey([0, 0, 0]);
    writeFileSync(join(unsharded, s1.key, stray), readFileSync(join(unsharded, s1.key, keys[0]!)));
    rmSync(join(unsharded, s1.key, keys[1]!));
    const broken = braid(["verify", "--source", source, "--dest", unsharded, "--scales", "1"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("unexpected-chunk");
    expect(broken.stdout).toMatch(/missing-(chunk|shard)/);
    rmSync(join(unsharded, s1.key, stray));
    // --only-missing writes back exactly the missing chunk.
    const resumed = braid(["export", "--source", source, "--dest", unsharded, "--spec", unshardedSpec(), "--scales", "1", "--only-missing"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readdirSync(join(unsharded, s1.key)).sort()).toEqual(keys);

    // Downres from the unsharded scale 1 into the unsharded scale 2 equals TensorStore's mode.
    const d = braid(["downres", "--dest", unsharded, "--scales", "2", "--workers", "1"]);
    expect(d.code, d.stderr).toBe(0);
    const view = [...vec3((i) => Math.floor(lo[i]! / 2)), ...vec3((i) => Math.ceil(hi[i]! / 2))];
    const theirs = tensorstoreDownsample(fileUrl(unsharded), [1], { box: view }).get(1)!;
    const ours = tensorstoreRead(fileUrl(unsharded), { scaleIndex: 2, box: view as [number, number, number, number, number, number] });
    expect(Buffer.from(ours.data.buffer).equals(Buffer.from(theirs.data.buffer))).toBe(true);
    const s2 = (await openPrecomputed(fileUrl(unsharded))).scale(2);
    expect((await s2.listChunks()).length).toBeGreaterThan(0);
    expect((await s2.listChunks()).length).toBeLessThan(cells.length);
  });
});

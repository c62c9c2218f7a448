/**
 * `braid synth` writes an export laid out like DVID's (file names = voxel origins of cubic
 * shard boxes, unsorted rows, lazy-schema CSV, all-zero blocks left out, clipped edges) with
 * a matching spec; `braid demo` runs the whole job end to end.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDvidShard, parseCsvIndex, parseInfo, shardGeometry, synthDvidRecord, type Vec3 } from "braid-seg";
import { braid, snapshot, tempDir } from "../helpers/export.js";

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe("braid synth", () => {
  const SIZE: Vec3 = [200, 130, 70];
  const GRID: Vec3 = [4, 3, 2];
  let dir: string;

  beforeAll(() => {
    dir = tempDir("synth");
    cleanup.push(dir);
    const r = braid(["synth", "--dest", dir, "--size", SIZE.join(","), "--shard-blocks", "2", "--batch-size", "3", "--seed", "3", "--workers", "2"]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
  });

  it("names files by the voxel origins of 2³-block DVID shard boxes", () => {
    expect(readdirSync(join(dir, "s0")).sort()).toEqual(
      ["0_0_0", "0_128_0", "128_0_0", "128_128_0"].flatMap((n) => [`${n}.arrow`, `${n}.csv`]).sort(),
    );
  });

  it("writes a spec whose scale-0 shards are exactly those boxes and cover the grid", () => {
    const spec = parseInfo(readFileSync(join(dir, "spec.json")));
    const s0 = spec.scales[0]!;
    expect(s0.size).toEqual(SIZE);
    const g = shardGeometry(s0.sharding!, s0.size, s0.chunk_sizes[0]!)!;
    expect(g.shardShape).toEqual([2, 2, 2]);
    expect(g.shards.length).toBe(4);
    // Lower scales go down to a single chunk.
    expect(spec.scales.at(-1)!.size.every((v) => v <= 64)).toBe(true);
  });

  it("indexes like DVID (lazy schema), rows unsorted, every non-zero block once, all-zero blocks left out", async () => {
    const seen = new Map<string, string>();
    let unsorted = false;
    for (const name of readdirSync(join(dir, "s0")).filter((n) => n.endsWith(".csv"))) {
      const text = readFileSync(join(dir, "s0", name), "utf8");
      expect(text.split("\n").slice(0, 2)).toEqual(["# schema_size=0", "x,y,z,offset,size,batch_idx"]);
      const index = parseCsvIndex(text);
      expect(index.rows[0]!.offset).toBe(0);
      expect(Math.max(...index.rows.map((r) => r.batchRow))).toBeLessThanOrEqual(2);
      const origin = name.slice(0, -4).split("_").map(Number);
      const keys = index.rows.map((r) => r.chunk.join(","));
      if (keys.join(" ") !== [...keys].sort().join(" ")) unsorted = true;
      for (const r of index.rows) {
        r.chunk.forEach((c, d) => expect(Math.floor((c * 64) / 128) * 128).toBe(origin[d]));
        expect(seen.has(r.chunk.join(","))).toBe(false);
        seen.set(r.chunk.join(","), name);
      }
      // The stream decodes to the same chunks in the same order.
      const shard = await openDvidShard(dir, `s0/${name.slice(0, -4)}`);
      const streamed: string[] = [];
      for await (const records of shard.records()) for (let i = 0; i < records.length; i++) streamed.push(records.chunk(i).join(","));
      expect(streamed).toEqual(keys);
    }
    expect(unsorted).toBe(true);
    let omitted = 0;
    for (let z = 0; z < GRID[2]; z++)
      for (let y = 0; y < GRID[1]; y++)
        for (let x = 0; x < GRID[0]; x++) {
          const r = synthDvidRecord([x, y, z], { seed: 3, extent: SIZE });
          const zero = r.labels.every((l) => l === 0n);
          if (zero) omitted++;
          expect(seen.has(`${x},${y},${z}`)).toBe(!zero);
        }
    expect(seen.size + omitted).toBe(24);
  });

  it("clips the edge: voxels beyond the volume size are 0", async () => {
    const shard = await openDvidShard(dir, "s0/128_128_0");
    const block = await shard.readBlock(3, 2, 1);
    const v = block!.decode().data;
    // x ≥ 200 − 192 = 8, y ≥ 130 − 128 = 2, z ≥ 70 − 64 = 6 are outside.
    expect(v[9 + 64 * (1 + 64 * 5)]).toBe(0n);
    expect(v[7 + 64 * (2 + 64 * 5)]).toBe(0n);
    expect(v[7 + 64 * (1 + 64 * 6)]).toBe(0n);
    expect(v.subarray(0, 8).some((l) => l !== 0n)).toBe(true);
  });

  it("is deterministic, and --scale writes that scale's export", () => {
    const again = tempDir("synth-again");
    cleanup.push(again);
    expect(braid(["synth", "--dest", again, "--size", SIZE.join(","), "--shard-blocks", "2", "--batch-size", "3", "--seed", "3", "--workers", "0"]).code).toBe(0);
    expect(snapshot(again)).toEqual(snapshot(dir));

    const s1 = tempDir("synth-s1");
    cleanup.push(s1);
    expect(braid(["synth", "--dest", s1, "--size", "300,200,200", "--shard-blocks", "2", "--scale", "1"]).code).toBe(0);
    expect(readdirSync(s1).sort()).toEqual(["s1", "spec.json"]);
    const spec = parseInfo(readFileSync(join(s1, "spec.json")));
    expect(spec.scales[1]!.size).toEqual([150, 100, 100]);
    // A 3×2×2 block grid in 2³-block boxes.
    expect(readdirSync(join(s1, "s1")).filter((n) => n.endsWith(".arrow")).sort()).toEqual(["0_0_0.arrow", "128_0_0.arrow"]);
  });
});

it("braid demo synthesizes, exports and verifies in one go", () => {
  const dir = tempDir("demo");
  cleanup.push(dir);
  const t0 = performance.now();
  const r = braid(["demo", "--dir", dir, "--workers", "2"]);
  const seconds = (performance.now() - t0) / 1000;
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("8 written, 0 skipped");
  expect(r.stdout).toContain("1000 stored from 1000 source blocks");
  expect(r.stdout).toMatch(/verify passed \(bodies\)/);
  expect(r.stdout).toContain("32 chunks compared voxel by voxel");
  // It ends with the command that shows the result.
  expect(r.stdout.trim().split("\n").pop()).toBe(`or run: braid view ${join(dir, "precomputed")}`);
  expect(seconds).toBeLessThan(120);
});

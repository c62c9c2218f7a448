/**
 * DVID files and output shards that do not line up: files spanning several shards and shards
 * fed by several files are planned into connected units, reported by --dry-run and by
 * `verify --dvid`, and still export correctly. Also the TS API on in-memory storage.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportVolume, MemoryStorage, openDvidShard, openPrecomputed, synthExport, verifyExport } from "braid-seg";
import { braid, snapshot, tempDir } from "../helpers/export.js";
import { tensorstoreRead } from "../helpers/python.js";

const cleanup: string[] = [];
let source: string;

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  source = tempDir("layout-src");
  cleanup.push(source);
  // 8×8×4 blocks in four DVID files of 4³ blocks.
  expect(braid(["synth", "--dest", source, "--size", "512,512,256", "--shard-blocks", "4", "--seed", "13"]).code).toBe(0);
});

/** The synthetic spec with other within-shard bits (Morton bits of the grid: 3+3+2). */
function respec(preshift: number, minishard: number, shard: number): string {
  const spec = JSON.parse(readFileSync(join(source, "spec.json"), "utf8"));
  spec.scales = [spec.scales[0]];
  Object.assign(spec.scales[0].sharding, { preshift_bits: preshift, minishard_bits: minishard, shard_bits: shard });
  const dir = tempDir("layout-spec");
  cleanup.push(dir);
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  return join(dir, "spec.json");
}

describe.each([
  { name: "2³-block output shards (each file spans 8)", spec: () => respec(3, 0, 5), shards: 32, spanning: 4, shared: 0 },
  { name: "one output shard (fed by all 4 files)", spec: () => respec(6, 2, 0), shards: 1, spanning: 0, shared: 1 },
])("$name", ({ spec, shards, spanning, shared }) => {
  let specPath: string;
  let dest: string;

  beforeAll(() => {
    specPath = spec();
    dest = tempDir("layout-out");
    cleanup.push(dest);
  });

  it("--dry-run reports the plan without writing", () => {
    const r = braid(["export", "--source", source, "--dest", dest, "--spec", specPath, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`4 source files, 256 blocks`);
    expect(r.stdout).toContain(`→ ${shards} output shards`);
    if (spanning) expect(r.stdout).toContain(`${spanning} files span several shards`);
    else expect(r.stdout).not.toContain("span several shards");
    if (shared) expect(r.stdout).toMatch(new RegExp(`${shared} shards are fed by several files: .*← 4 files`));
    expect(r.stdout).toMatch(/estimated peak memory: \d+ MiB per worker/);
    expect(snapshot(dest).size).toBe(0);
  });

  it("exports every shard from all of its rows; verify passes, and --dvid names spanning files", () => {
    const r = braid(["export", "--source", source, "--dest", dest, "--spec", specPath, "--workers", "2", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).shards.written).toBe(shards);
    const v = braid(["verify", "--source", source, "--dest", dest, "--values", "8"]);
    expect(v.stdout).toContain("256 chunks stored");
    expect(v.code).toBe(0);
    const d = braid(["verify", "--source", source, "--dest", dest, "--dvid"]);
    if (spanning) {
      expect(d.code).toBe(1);
      expect(d.stdout.match(/dvid-span: /g)).toHaveLength(spanning);
      expect(d.stdout).toMatch(/s0\/0_0_0\.arrow: its blocks land in 8 output shards/);
    } else {
      expect(d.code).toBe(0);
    }
  });
});

it("verify finds missing, unexpected and wrong chunks", async () => {
  const dest = tempDir("layout-tamper");
  cleanup.push(dest);
  const specPath = join(source, "spec.json");
  expect(braid(["export", "--source", source, "--dest", dest, "--spec", specPath, "--workers", "0"]).code).toBe(0);
  const key = [...snapshot(dest).keys()].find((k) => k.endsWith(".shard"))!;
  // Swap two output shards' contents: one shard's chunks now sit in another's file.
  const other = [...snapshot(dest).keys()].filter((k) => k.endsWith(".shard") && k !== key)[0]!;
  const a = readFileSync(join(dest, key));
  writeFileSync(join(dest, key), readFileSync(join(dest, other)));
  writeFileSync(join(dest, other), a);
  const v = braid(["verify", "--source", source, "--dest", dest, "--values", "64"]);
  expect(v.code).toBe(1);
  expect(v.stdout).toContain("verify FAILED");
  expect(v.stdout).toMatch(/missing-chunk: .*not in/);
  expect(v.stdout).toMatch(/unexpected-chunk: .*that no source block explains/);
});

it("the TS API exports and verifies in-process on memory:// storage", async () => {
  const synth = await synthExport({ dest: "memory://layout-api/src", size: [192, 128, 100], shardBlocks: 2, seed: 21 });
  expect(synth.files).toEqual(["s0/0_0_0.arrow", "s0/128_0_0.arrow"]);
  const dest = new MemoryStorage();
  const result = await exportVolume({ source: "memory://layout-api/src", dest, spec: synth.spec, supervoxels: true });
  expect(result.summary!.ok).toBe(true);
  expect(result.summary!.chunks).toBe(synth.blocks);
  expect(result.summary!.workers).toBe(0);
  const report = await verifyExport({ source: "memory://layout-api/src", dest, values: 4 });
  expect(report).toMatchObject({ ok: true, labels: "supervoxels", zCompress: 0 });
  expect(report.scales[0]!.valuesChecked).toBe(4);
  expect((await openPrecomputed(dest)).info.braid).toEqual({ labels: "supervoxels", z_compress: 0 });
  // A second run writing body ids into the same volume is refused.
  await expect(exportVolume({ source: "memory://layout-api/src", dest, spec: synth.spec })).rejects.toMatchObject({
    code: "LABEL_MODE_MISMATCH",
  });
  // So is a spec describing another volume; scales the run does not write are not compared.
  const other = structuredClone(synth.spec);
  other.scales[0]!.size = [256, 128, 100];
  await expect(exportVolume({ source: "memory://layout-api/src", dest, spec: other, supervoxels: true })).rejects.toMatchObject({
    code: "DEST_INFO_MISMATCH",
    message: expect.stringContaining("scale 0 (\"8x8x8\") size is [192,128,100], the spec says [256,128,100]"),
  });
  other.scales[0]!.size = [192, 128, 100];
  other.scales[1]!.resolution = [32, 32, 32];
  const again = await exportVolume({ source: "memory://layout-api/src", dest, spec: other, supervoxels: true, scales: [0] });
  expect(again.summary!.ok).toBe(true);
});

it("honours voxel_offset: blocks keep their absolute voxel position (cell = chunk − offset/64)", async () => {
  const spec = JSON.parse(readFileSync(join(source, "spec.json"), "utf8"));
  spec.scales = [spec.scales[0]];
  Object.assign(spec.scales[0], { voxel_offset: [-64, 0, -128], size: [576, 512, 384] });
  spec.scales[0].sharding.shard_bits = 4; // grid 9×8×6: Morton bits 4+3+3 = 6 + 4
  const dir = tempDir("layout-offset");
  cleanup.push(dir);
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  const dest = join(dir, "out");
  expect(braid(["export", "--source", source, "--dest", dest, "--spec", join(dir, "spec.json"), "--workers", "0"]).code).toBe(0);
  expect(braid(["verify", "--source", source, "--dest", dest, "--values", "4"]).code).toBe(0);
  const ts = tensorstoreRead(dest, { box: [-64, 0, -128, 64, 64, 64] });
  expect(ts.origin).toEqual([-64, 0, -128]);
  const block = (await (await openDvidShard(source, "s0/0_0_0")).readBlock(0, 0, 0))!.decode().data;
  let mismatches = 0;
  for (let z = 0; z < 192; z++)
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 128; x++) {
        const inside = x >= 64 && z >= 128;
        const want = inside ? block[x - 64 + 64 * (y + 64 * (z - 128))]! : 0n;
        if (ts.data[x + 128 * (y + 64 * z)] !== want) mismatches++;
      }
  expect(mismatches).toBe(0);
});

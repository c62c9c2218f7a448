/**
 * The real DVID shard (mCNS scale 1, `s1/30720_24576_28672`) exported with the real spec, in
 * both label modes: TensorStore reads the output and its voxels equal braid's DVID decode;
 * `braid verify --values` passes; all three CSV variants give identical output.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDvidShard, openPrecomputed, type DvidRecords } from "braid-seg";
import { readRealShard } from "../helpers/arrow.js";
import { braid, MCNS_SPEC, REAL_NAME, realSource, snapshot, tempDir } from "../helpers/export.js";
import { tensorstoreRead } from "../helpers/python.js";

/** 2×2×2 chunks (all present in the shard) read through TensorStore. */
const BOX_CELL = [504, 414, 469] as const;
const BOX: [number, number, number, number, number, number] = [
  BOX_CELL[0] * 64,
  BOX_CELL[1] * 64,
  BOX_CELL[2] * 64,
  (BOX_CELL[0] + 2) * 64,
  (BOX_CELL[1] + 2) * 64,
  (BOX_CELL[2] + 2) * 64,
];

const cleanup: string[] = [];
let source: string;

/** braid's decode of the box from the source shard (0 where the shard has no block). */
async function decodedBox(supervoxels: boolean): Promise<BigUint64Array> {
  const shard = await openDvidShard(source, `s1/${REAL_NAME}`);
  const out = new BigUint64Array(128 ** 3);
  for (let dz = 0; dz < 2; dz++)
    for (let dy = 0; dy < 2; dy++)
      for (let dx = 0; dx < 2; dx++) {
        const block = await shard.readBlock(BOX_CELL[0] + dx, BOX_CELL[1] + dy, BOX_CELL[2] + dz);
        expect(block).toBeDefined();
        const v = block!.decode({ supervoxels }).data;
        for (let z = 0; z < 64; z++)
          for (let y = 0; y < 64; y++) {
            const src = 64 * (y + 64 * z);
            const dst = dx * 64 + 128 * (dy * 64 + y + 128 * (dz * 64 + z));
            out.set(v.subarray(src, src + 64), dst);
          }
      }
  return out;
}

beforeAll(() => {
  source = realSource("newformat");
  cleanup.push(source);
});

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe.each([
  { mode: "bodies", flags: [] as string[] },
  { mode: "supervoxels", flags: ["--supervoxels"] },
])("real shard, $mode", ({ mode, flags }) => {
  let dest: string;

  beforeAll(() => {
    dest = tempDir(`real-${mode}`);
    cleanup.push(dest);
    const r = braid(["export", "--source", source, "--dest", dest, "--spec", MCNS_SPEC, "--workers", "1", "--json", ...flags]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.shards).toEqual({ written: 1, skipped: 0, empty: 0, failed: 0 });
    expect(summary.chunks).toBe(258);
  });

  it("writes the one shard DVID's file maps to, with every block in its index", async () => {
    expect([...snapshot(dest).keys()].sort()).toEqual(["16x16x16/0fe9.shard", "info"]);
    const info = JSON.parse(readFileSync(join(dest, "info"), "utf8"));
    // Scale 0 is not part of this run, so no z decimation is recorded.
    expect(info.braid).toEqual({ labels: mode });
    const scale = (await openPrecomputed(dest)).scale(1);
    const ids = await scale.listChunkIds(4073n);
    const expected = scale.geometry.chunkIds(readRealShard().map((r) => r.chunk));
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  it("reads back through TensorStore voxel for voxel equal to braid's DVID decode", async () => {
    const ts = tensorstoreRead(dest, { scaleIndex: 1, box: BOX });
    expect(ts.shape).toEqual([128, 128, 128]);
    const want = await decodedBox(mode === "supervoxels");
    expect(ts.data.length).toBe(want.length);
    let mismatches = 0;
    for (let i = 0; i < want.length; i++) if (ts.data[i] !== want[i]) mismatches++;
    expect(mismatches).toBe(0);
    // The two modes really differ here (197 of 258 records remap some supervoxel).
    expect(new Set(want).size).toBeGreaterThan(1);
  });

  it("passes braid verify --values", () => {
    const r = braid(["verify", "--source", source, "--dest", dest, "--values", "12", "--dvid"]);
    expect(r.stdout).toContain("verify passed");
    expect(r.stdout).toContain("12 chunks compared voxel by voxel");
    expect(r.stdout).toContain(`(${mode})`);
    expect(r.code).toBe(0);
  });
});

it("the two label modes differ where DVID maps supervoxels to bodies", async () => {
  const bodies = await decodedBox(false);
  const svs = await decodedBox(true);
  expect(bodies.some((v, i) => v !== svs[i])).toBe(true);
});

it("gives identical shards from all three CSV index variants", () => {
  const outputs = (["newformat", "offsets", "legacy"] as const).map((variant) => {
    const src = variant === "newformat" ? source : realSource(variant);
    const dest = tempDir(`real-${variant}`);
    cleanup.push(src, dest);
    const r = braid(["export", "--source", src, "--dest", dest, "--spec", MCNS_SPEC, "--workers", "0"]);
    expect(r.code).toBe(0);
    return snapshot(dest);
  });
  expect(outputs[1]).toEqual(outputs[0]);
  expect(outputs[2]).toEqual(outputs[0]);
});

it("openDvidShard streams every record and reads blocks by coordinate like apache-arrow", async () => {
  const reference = readRealShard();
  const shard = await openDvidShard(source, `s1/${REAL_NAME}.arrow`);
  const streamed: Array<[number, number, number]> = [];
  for await (const records of shard.records() as AsyncIterable<DvidRecords>) {
    for (let i = 0; i < records.length; i++) streamed.push([...records.chunk(i)] as [number, number, number]);
  }
  expect(streamed).toEqual(reference.map((r) => r.chunk));
  for (const r of [reference[0]!, reference[100]!, reference[257]!]) {
    const block = await shard.readBlock(...r.chunk);
    expect(block!.chunk).toEqual(r.chunk);
    expect(block!.labels).toEqual(r.labels);
    expect(block!.supervoxels).toEqual(r.supervoxels);
    expect(block!.block).toEqual(r.block);
  }
  expect(await shard.readBlock(0, 0, 0)).toBeUndefined();
});

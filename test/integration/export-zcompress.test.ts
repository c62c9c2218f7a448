/**
 * `--z-compress 1` (tensorstore-export semantics): every 2nd z slice of scale 0 is kept, two
 * source blocks merging into one 64³ output chunk (or one block per chunk with tse's
 * [64,64,32] output spec). TensorStore reads the output and it equals a decode-and-decimate
 * of the source; verify uses the recorded decimation; inconsistent specs are refused.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDvidShard, type ScaleInfo } from "braid-seg";
import { braid, tempDir } from "../helpers/export.js";
import { tensorstoreRead } from "../helpers/python.js";

/** Source (z-doubled) volume: 3×2×4 blocks, clipped in x and z. */
const SRC = [150, 128, 250] as const;
/** Output: every 2nd z slice. */
const OUT = [150, 128, 125] as const;

const cleanup: string[] = [];
let source: string;
let reference: BigUint64Array;

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

/** Decodes every source block into the padded source volume, then keeps z = 0, 2, 4, …. */
async function decimatedReference(): Promise<BigUint64Array> {
  const [gx, gy, gz] = [3, 2, 4];
  const sx = gx * 64;
  const sy = gy * 64;
  const full = new BigUint64Array(sx * sy * gz * 64);
  for (const name of readdirSync(join(source, "s0")).filter((n) => n.endsWith(".arrow"))) {
    const shard = await openDvidShard(source, `s0/${name}`);
    for await (const records of shard.records()) {
      for (let i = 0; i < records.length; i++) {
        const [cx, cy, cz] = records.chunk(i);
        const v = records.decode(i).data;
        for (let z = 0; z < 64; z++)
          for (let y = 0; y < 64; y++) full.set(v.subarray(64 * (y + 64 * z), 64 * (y + 64 * z) + 64), cx * 64 + sx * (cy * 64 + y + sy * (cz * 64 + z)));
      }
    }
  }
  const out = new BigUint64Array(OUT[0] * OUT[1] * OUT[2]);
  for (let z = 0; z < OUT[2]; z++)
    for (let y = 0; y < OUT[1]; y++)
      for (let x = 0; x < OUT[0]; x++) out[x + OUT[0] * (y + OUT[1] * z)] = full[x + sx * (y + sy * 2 * z)]!;
  return out;
}

/** A one-scale output spec at native z resolution. */
function outputSpec(chunk: [number, number, number], bits: { p: number; m: number; s: number }, size: readonly number[] = OUT): string {
  const scale: ScaleInfo = {
    key: "8x8x16",
    size: [size[0]!, size[1]!, size[2]!],
    voxel_offset: [0, 0, 0],
    resolution: [8, 8, 16],
    chunk_sizes: [chunk],
    encoding: "compressed_segmentation",
    compressed_segmentation_block_size: [8, 8, 8],
    sharding: {
      "@type": "neuroglancer_uint64_sharded_v1",
      hash: "identity",
      preshift_bits: bits.p,
      minishard_bits: bits.m,
      shard_bits: bits.s,
      minishard_index_encoding: "gzip",
      data_encoding: "gzip",
    },
  };
  const dir = tempDir("zspec");
  cleanup.push(dir);
  const path = join(dir, "spec.json");
  writeFileSync(path, JSON.stringify({ data_type: "uint64", num_channels: 1, type: "segmentation", scales: [scale] }));
  return path;
}

beforeAll(async () => {
  source = tempDir("zsrc");
  cleanup.push(source);
  expect(braid(["synth", "--dest", source, "--size", SRC.join(","), "--shard-blocks", "2", "--seed", "9", "--batch-size", "2"]).code).toBe(0);
  reference = await decimatedReference();
});

describe.each([
  // 64³ chunks: two z-adjacent blocks merge into one output chunk (grid 3×2×2, bits 2+1+1).
  { name: "64³ chunks", chunk: [64, 64, 64] as [number, number, number], bits: { p: 3, m: 0, s: 1 } },
  // tse's native-z spec style: one decimated block per [64,64,32] chunk (grid 3×2×4, bits 2+1+2).
  { name: "[64,64,32] chunks", chunk: [64, 64, 32] as [number, number, number], bits: { p: 3, m: 0, s: 2 } },
])("--z-compress 1 with $name", ({ chunk, bits }) => {
  let dest: string;

  beforeAll(() => {
    dest = tempDir("zout");
    cleanup.push(dest);
    const r = braid(["export", "--source", source, "--dest", dest, "--spec", outputSpec(chunk, bits), "--z-compress", "1", "--json"]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
  });

  it("holds the decimated volume (read through TensorStore)", () => {
    const ts = tensorstoreRead(dest, { scaleIndex: 0 });
    expect(ts.shape).toEqual([...OUT]);
    let mismatches = 0;
    for (let i = 0; i < reference.length; i++) if (ts.data[i] !== reference[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(reference.some((v) => v !== 0n)).toBe(true);
  });

  it("records the decimation, and verify checks against it", () => {
    expect(JSON.parse(readFileSync(join(dest, "info"), "utf8")).braid).toEqual({ labels: "bodies", z_compress: 1 });
    const v = braid(["verify", "--source", source, "--dest", dest, "--values", "6"]);
    expect(v.stdout).toContain("verify passed (bodies, z stride 2 at scale 0)");
    expect(v.code).toBe(0);
  });
});

it("refuses inconsistent decimation settings with clear errors", () => {
  const dest = tempDir("zbad");
  cleanup.push(dest);
  const run = (spec: string, extra: string[]) => braid(["export", "--source", source, "--dest", dest, "--spec", spec, ...extra]);

  const stride = run(outputSpec([64, 64, 64], { p: 3, m: 0, s: 1 }), ["--z-compress", "2"]);
  expect(stride.code).toBe(1);
  expect(stride.stderr).toMatch(/Z_COMPRESS_INVALID.*stride 3 must divide/);

  const chunk = run(outputSpec([64, 64, 48], { p: 3, m: 0, s: 2 }), ["--z-compress", "1"]);
  expect(chunk.code).toBe(1);
  expect(chunk.stderr).toMatch(/CHUNK_SIZE_UNSUPPORTED.*multiple of 32/);

  // The un-decimated z size would need the source's grid; a too small one loses blocks.
  const small = run(outputSpec([64, 64, 64], { p: 3, m: 0, s: 0 }, [150, 128, 64]), ["--z-compress", "1", "--json"]);
  expect(small.code).toBe(1);
  const failure = JSON.parse(small.stdout).failures.find((f: { code: string }) => f.code === "CHUNK_OUTSIDE_GRID");
  expect(failure.message).toContain("after z decimation by 2");
  expect(failure.chunk).toMatch(/^\(\d+,\d+,[23]\)$/);
});

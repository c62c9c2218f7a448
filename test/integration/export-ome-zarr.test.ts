/**
 * OME-Zarr output from the same export run: the real DVID shard at scale 1 of the mCNS spec
 * written as precomputed and OME-Zarr in one pass (`--format both`), a pyramid of scales 2
 * and 3 for both, then every level read back by zarr-python, TensorStore and zarrita and
 * compared with TensorStore's read of the precomputed output over the populated region;
 * `ome-zarr-models validate` accepts the image and label groups; `openVolume` places both
 * outputs in the same world frame; `braid verify` checks the OME-Zarr output against the
 * source and names a corrupted shard.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zarr from "zarrita";
import { openPrecomputed, openStorage, openVolume, verifyExport, type Storage, type Vec3 } from "braid-seg";
import { braid, MCNS_SPEC, realSource, tempDir } from "../helpers/export.js";
import { omeZarrValidate, tensorstoreRead } from "../helpers/python.js";
import { fileUrl } from "../helpers/temp.js";
import { readZarr } from "../helpers/zarr.js";

const dirs: string[] = [];
let source: string;
let pc: string;
let oz: string;
let exported: ReturnType<typeof braid>;

beforeAll(() => {
  source = realSource();
  pc = tempDir("both-pc");
  oz = `${pc}.ome.zarr`;
  dirs.push(source, pc, oz);
  exported = braid([
    "export", "--source", source, "--dest", pc, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1",
    "--format", "both", "--ome-labels", "seg", "--downres", "2,3",
  ]);
}, 170_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

/** The voxel box (absolute, at scale k) holding every stored chunk of the precomputed output. */
async function populated(k: number): Promise<{ lo: Vec3; hi: Vec3 }> {
  const scale = (await openPrecomputed(fileUrl(pc))).scale(k);
  const cells = (await Promise.all((await scale.listShards()).map((s) => scale.listChunks(s)))).flat();
  const boxes = cells.map((c) => scale.geometry.chunkBox(c));
  return {
    lo: vec3((d) => Math.min(...boxes.map((b) => b.origin[d]!))),
    hi: vec3((d) => Math.max(...boxes.map((b) => b.origin[d]! + b.shape[d]!))),
  };
}

/** zarrita's store over braid's storage (the keys zarrita asks for start with "/"). */
function zarritaStore(storage: Storage) {
  return {
    get: (key: string) => storage.read(key.slice(1)),
    getRange: (key: string, range: { offset: number; length: number } | { suffixLength: number }) =>
      storage.read(key.slice(1), "suffixLength" in range ? { suffix: range.suffixLength } : range),
  };
}

const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("braid export --format both", () => {
  it("writes both formats in one run and builds both pyramids", () => {
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/258 stored from 258 source blocks/);
    // Two downres reports: precomputed, then OME-Zarr, each with the same chunks.
    const lines = exported.stdout.split("\n").filter((l) => l.startsWith("downres done"));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.replace(/, [\d.]+ MB.*/, "")).toBe(lines[1]!.replace(/, [\d.]+ MB.*/, ""));
    const group = JSON.parse(readFileSync(join(oz, "labels/seg/zarr.json"), "utf8"));
    const ms = group.attributes.ome.multiscales[0];
    expect(group.attributes.ome.version).toBe("0.5");
    expect(group.attributes.ome["image-label"]).toEqual({});
    expect(ms.axes).toEqual(["z", "y", "x"].map((name) => ({ name, type: "space", unit: "nanometer" })));
    // Voxel centres: translation = (voxel_offset + ½) · resolution, listed z, y, x.
    const info = JSON.parse(readFileSync(join(pc, "info"), "utf8"));
    expect(ms.datasets).toHaveLength(info.scales.length);
    for (const [k, ds] of ms.datasets.entries()) {
      const s = info.scales[k];
      expect(ds.path).toBe(`s${k}`);
      expect(ds.coordinateTransformations[0]).toEqual({ type: "scale", scale: [...s.resolution].reverse() });
      expect(ds.coordinateTransformations[1]).toEqual({
        type: "translation",
        translation: [2, 1, 0].map((d) => (s.voxel_offset[d] + 0.5) * s.resolution[d]),
      });
      const array = JSON.parse(readFileSync(join(oz, "labels/seg", ds.path, "zarr.json"), "utf8"));
      expect(array.shape).toEqual([...s.size].reverse());
      expect(array.dimension_names).toEqual(["z", "y", "x"]);
      expect(array.fill_value).toBe(0);
      expect(array.data_type).toBe("uint64");
      // The default zarr shard is the precomputed shard region: 2^(preshift+minishard) chunks
      // where the grid is large enough (scales 0-3), the clipped shard box where it is not.
      if (k <= 3) expect(array.chunk_grid.configuration.chunk_shape).toEqual([2048, 2048, 2048]);
      expect(array.codecs[0].configuration.chunk_shape).toEqual([64, 64, 64]);
    }
    expect(JSON.parse(readFileSync(join(oz, "labels/zarr.json"), "utf8")).attributes.ome.labels).toEqual(["seg"]);
  });

  it("every level reads voxel-exactly equal to the precomputed output in zarr-python, TensorStore and zarrita", async () => {
    const info = JSON.parse(readFileSync(join(pc, "info"), "utf8"));
    const store = zarritaStore((await openStorage(fileUrl(oz))).child("labels/seg"));
    for (const k of [1, 2, 3]) {
      const { lo, hi } = await populated(k);
      const want = tensorstoreRead(fileUrl(pc), { scaleIndex: k, box: [...lo, ...hi] as [number, number, number, number, number, number] });
      const off = info.scales[k].voxel_offset as Vec3;
      const box = [2, 1, 0].map((d) => [lo[d]! - off[d]!, hi[d]! - off[d]!] as [number, number]);
      for (const reader of ["zarr-python", "tensorstore"] as const) {
        const got = readZarr(join(oz, `labels/seg/s${k}`), reader, box);
        expect(got.shape, `${reader} s${k}`).toEqual([...want.shape].reverse());
        expect(same(got.data, want.data), `${reader} s${k} voxels`).toBe(true);
      }
      const arr = await zarr.open.v3(zarr.root(store).resolve(`s${k}`), { kind: "array" });
      const got = await zarr.get(arr, box.map(([a, b]) => zarr.slice(a, b)));
      expect(same(got.data as BigUint64Array, want.data), `zarrita s${k} voxels`).toBe(true);
    }
  }, 170_000);

  it("ome-zarr-models accepts the image-label group, the labels group and an image export", () => {
    for (const group of ["labels", "labels/seg"]) {
      const r = omeZarrValidate(join(oz, group));
      expect(r.valid, `${group}: ${r.output}`).toBe(true);
      expect(r.output).toMatch(/Valid OME-Zarr/);
    }
    const image = tempDir("image-oz");
    dirs.push(image);
    const r = braid(["export", "--source", source, "--dest", image, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1", "--format", "ome-zarr"]);
    expect(r.code, r.stderr).toBe(0);
    const v = omeZarrValidate(image);
    expect(v.valid, v.output).toBe(true);
  }, 170_000);

  it("openVolume reads both outputs in the same world frame", async () => {
    const p = await openVolume(fileUrl(pc));
    const z = await openVolume(`${fileUrl(oz)}/labels/seg`);
    expect(z.levels.length).toBe(p.levels.length);
    const scale = (await openPrecomputed(fileUrl(pc))).scale(1);
    const [shard] = await scale.listShards();
    const chunk = scale.geometry.chunkBox((await scale.listChunks(shard!))[0]!);
    const res = p.levels[1]!.resolution;
    // A world box (nm) around one stored chunk, not aligned to chunks.
    const bbox = { min: vec3((d) => (chunk.origin[d]! - 21) * res[d]!), max: vec3((d) => (chunk.origin[d]! + chunk.shape[d]! + 19) * res[d]!) };
    const a = await p.read({ scale: 1, bbox });
    const b = await z.read({ scale: 1, bbox });
    expect(b.origin).toEqual(a.origin);
    expect(b.shape).toEqual(a.shape);
    expect(same(b.data, a.data)).toBe(true);
    expect((a.data as BigUint64Array).some((v) => v !== 0n)).toBe(true);
    for (const k of [1, 2, 3]) expect(z.levels[k]!.resolution).toEqual(p.levels[k]!.resolution);
    p.close();
    z.close();
  });

  it("verify checks the OME-Zarr output against the source and names a corrupted shard", async () => {
    const ok = await verifyExport({ source, dest: oz, scales: [1], values: 16 });
    expect(ok.ok, JSON.stringify(ok.problems)).toBe(true);
    expect(ok.scales[0]!.chunksFound).toBe(258);
    expect(ok.scales[0]!.valuesChecked).toBe(16);
    // Flip a byte of the shard index: the crc32c check fails and the shard file is named.
    const dir = join(oz, "labels/seg/s1/c");
    const z = readdirSync(dir)[0]!;
    const y = readdirSync(join(dir, z))[0]!;
    const x = readdirSync(join(dir, z, y))[0]!;
    const file = join(dir, z, y, x);
    const bytes = readFileSync(file);
    const size = statSync(file).size;
    bytes[size - 10] = bytes[size - 10]! ^ 0xff;
    writeFileSync(file, bytes);
    const bad = await verifyExport({ source, dest: oz, scales: [1] });
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]!.message).toMatch(/ZARR_CORRUPT|crc32c|corrupt/i);
    expect(bad.problems[0]!.message).toContain(`c/${z}/${y}/${x}`);
  });
});

/**
 * `openVolume` on zarr and OME-Zarr written by the reference writers (zarr-python, TensorStore):
 * zarr v3 sharded arrays (index at the end and at the start; gzip, zstd), zarr v2 arrays (C and
 * F order, gzip and blosc through zarrita's codec), OME-Zarr 0.5 (channels, labels/ with
 * image-label) and 0.4 (5-D t/c/z/y/x) images — every voxel compared with what zarr-python and
 * TensorStore read, storage requests counted, LOD and world offsets checked against the
 * coordinate transformations (voxel centres → corners, docs/formats/zarr.md §5.6) — and
 * `discover` on an HCS plate, per-FOV stores (on disk and over HTTP) and a 6-D store; and the
 * same reads from a gs:// bucket (fake-gcs-server).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discover, openStorage, openVolume, type VoxelArray } from "braid-seg";
import { requestLog } from "../helpers/request-log.js";
import { startFakeGcs, type FakeGcs } from "../helpers/fake-gcs.js";
import { serveDirectory } from "../helpers/http-server.js";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { expectSameArray, labelVolume, ome05 as ome05Attributes, pattern, readZarr, writeZarr, type ZarrArraySpec } from "../helpers/zarr.js";

const ZYX = ["z", "y", "x"];

async function open(path: string) {
  const counted = requestLog(await openStorage(fileUrl(path)));
  const volume = await openVolume(counted.storage);
  return { counted, volume };
}

/** [start, stop) per C-order dimension from a braid roi ([x, y, z]) and leading non-spatial boxes. */
const cBox = (roi: { start: readonly number[]; stop: readonly number[] }, lead: [number, number][] = []): [number, number][] => [
  ...lead,
  [roi.start[2]!, roi.stop[2]!],
  [roi.start[1]!, roi.stop[1]!],
  [roi.start[0]!, roi.stop[0]!],
];

describe("zarr v3 sharded arrays", () => {
  const root = tempDir("zarr-v3");
  const shape: [number, number, number] = [70, 50, 37];
  const data = labelVolume(shape, 4);
  const base: Omit<ZarrArraySpec, "path"> = {
    data,
    dtype: "uint64",
    shape: [37, 50, 70],
    chunks: [8, 8, 16],
    shards: [16, 16, 32],
    dimension_names: ZYX,
  };
  beforeAll(() => {
    writeZarr(join(root, "py.zarr"), { writer: "zarr-python", zarr_format: 3, arrays: [{ ...base, path: "", codec: "gzip" }] });
    writeZarr(join(root, "ts.zarr"), {
      writer: "tensorstore",
      zarr_format: 3,
      arrays: [{ ...base, path: "", codec: "zstd", index_location: "start" }],
    });
  });

  it("zarr-python, index at the end: one request to open, exactly the shard indexes and inner chunks an ROI meets", async () => {
    const { counted, volume } = await open(join(root, "py.zarr"));
    expect(counted.log).toEqual(["zarr.json@all"]);
    expect(volume.format).toBe("zarr v3");
    expect(volume.scales.map((s) => [s.shape, s.chunkShape, s.shardShape])).toEqual([[[70, 50, 37], [16, 8, 8], [32, 16, 16]]]);
    counted.reset();
    const roi = { start: [10, 5, 3] as [number, number, number], stop: [40, 30, 20] as [number, number, number] };
    const r = await volume.read({ roi });
    // Inner chunks: x 0..2, y 0..3, z 0..2 = 36; shards: 2 × 2 × 2, each index read once from the end.
    const indexBytes = 16 * (2 * 2 * 2) + 4;
    const suffix = counted.log.filter((l) => l.endsWith(`@-${indexBytes}`));
    expect(suffix.map((l) => l.split("@")[0]).sort()).toEqual(["c/0/0/0", "c/0/0/1", "c/0/1/0", "c/0/1/1", "c/1/0/0", "c/1/0/1", "c/1/1/0", "c/1/1/1"]);
    expect(counted.log.length).toBe(8 + 36);
    expect(new Set(counted.log).size).toBe(counted.log.length);
    const path = join(root, "py.zarr");
    expectSameArray(r.data, readZarr(path, "zarr-python", cBox(roi)).data, "roi vs zarr-python");
    expectSameArray(r.data, readZarr(path, "tensorstore", cBox(roi)).data, "roi vs TensorStore");
    counted.reset();
    expectSameArray((await volume.read({})).data, data, "whole array");
    expect(counted.log.filter((l) => l.includes("@-")).length).toBe(3 * 4 * 3 - 8); // the shards not read before
  });

  it("TensorStore, index at the start, zstd: same voxels", async () => {
    const { counted, volume } = await open(join(root, "ts.zarr"));
    counted.reset();
    const roi = { start: [33, 17, 15] as [number, number, number], stop: [70, 50, 37] as [number, number, number] };
    const r = await volume.read({ roi });
    expect(counted.log.filter((l) => l.endsWith(`@0+${16 * 8 + 4}`)).length).toBe(2 * 3 * 3);
    expectSameArray(r.data, readZarr(join(root, "ts.zarr"), "tensorstore", cBox(roi)).data, "roi vs TensorStore");
    expectSameArray((await volume.read({})).data, data, "whole array");
  });
});

describe("zarr v2 arrays", () => {
  it("zarr-python (C order, gzip, '/') and TensorStore (F order, blosc, '.'): same voxels as zarr-python reads", async () => {
    const root = tempDir("zarr-v2");
    const u16 = pattern("uint16", 23 * 31 * 9, 2);
    writeZarr(join(root, "c.zarr"), {
      writer: "zarr-python",
      zarr_format: 2,
      arrays: [{ path: "", data: u16, dtype: "uint16", shape: [9, 31, 23], chunks: [4, 8, 8], codec: "gzip", separator: "/", fill_value: 7 }],
    });
    const f32 = pattern("float32", 5 * 6 * 7, 3);
    writeZarr(join(root, "f.zarr"), {
      writer: "tensorstore",
      zarr_format: 2,
      arrays: [{ path: "", data: f32, dtype: "float32", shape: [5, 6, 7], chunks: [2, 4, 3], codec: "blosc", order: "F", separator: "." }],
    });
    const c = await open(join(root, "c.zarr"));
    // zarr.json is missing, then .zarray and .zattrs in parallel.
    expect([...c.counted.log].sort()).toEqual([".zarray@all", ".zattrs@all", "zarr.json@all"]);
    expect(c.volume.format).toBe("zarr v2");
    expect(c.volume.fillValue).toBe(7);
    const roi = { start: [3, 7, 1] as [number, number, number], stop: [23, 30, 8] as [number, number, number] };
    expectSameArray((await c.volume.read({ roi })).data, readZarr(join(root, "c.zarr"), "zarr-python", cBox(roi)).data, "uint16 roi");
    const f = await open(join(root, "f.zarr"));
    const all = await f.volume.read({});
    expect(all.data).toBeInstanceOf(Float32Array);
    expectSameArray(all.data, readZarr(join(root, "f.zarr"), "zarr-python").data, "float32 F order");
    expectSameArray(all.data, f32, "float32 source");
  });
});

/** An OME-Zarr 0.5 image `[c, z, y, x]` with two levels, channels, and a label image. */
function ome05(root: string) {
  const s0 = { shape: [2, 12, 40, 50], data: pattern("uint16", 2 * 12 * 40 * 50, 5) };
  const s1 = { shape: [2, 12, 20, 25], data: pattern("uint16", 2 * 12 * 20 * 25, 6) };
  const l0 = labelVolume([50, 40, 12], 7);
  const l1 = labelVolume([25, 20, 12], 8);
  const axes = [
    { name: "c", type: "channel" },
    { name: "z", type: "space", unit: "micrometer" },
    { name: "y", type: "space", unit: "micrometer" },
    { name: "x", type: "space", unit: "micrometer" },
  ];
  const dataset = (path: string, scale: number[], translation: number[]) => ({
    path,
    coordinateTransformations: [
      { type: "scale", scale },
      { type: "translation", translation },
    ],
  });
  // Voxel centres: s0 at 0.5 µm xy / 2 µm z, translated; s1 twice as coarse in xy, centred half an s0 voxel on.
  const datasets = [dataset("s0", [1, 2, 0.5, 0.5], [0, 10, 3, -2]), dataset("s1", [1, 2, 1, 1], [0, 10, 3.25, -1.75])];
  const labelDatasets = datasets.map((d) => ({
    path: d.path,
    coordinateTransformations: d.coordinateTransformations.map((t) => (t.type === "scale" ? { type: "scale", scale: t.scale!.slice(1) } : { type: "translation", translation: t.translation!.slice(1) })),
  }));
  writeZarr(root, {
    writer: "zarr-python",
    zarr_format: 3,
    groups: [
      {
        path: "",
        attributes: ome05Attributes({
          multiscales: [{ name: "cells", axes, datasets }],
          omero: { channels: [{ label: "DAPI", color: "0000ff", window: { start: 0, end: 1000, min: 0, max: 65535 }, active: true }, { label: "GFP", color: "00FF00" }] },
        }),
      },
      { path: "labels", attributes: ome05Attributes({ labels: ["nuclei"] }) },
      {
        path: "labels/nuclei",
        attributes: ome05Attributes({
          multiscales: [{ axes: axes.slice(1), datasets: labelDatasets }],
          "image-label": { colors: [{ "label-value": 1, rgba: [255, 0, 0, 255] }], properties: [{ "label-value": 1, area: 12 }], source: { image: "../../" } },
        }),
      },
    ],
    arrays: [
      { path: "s0", data: s0.data, dtype: "uint16", shape: s0.shape, chunks: [1, 4, 16, 16], shards: [2, 12, 32, 32], codec: "zstd", dimension_names: ["c", ...ZYX] },
      { path: "s1", data: s1.data, dtype: "uint16", shape: s1.shape, chunks: [1, 4, 16, 16], shards: [2, 12, 32, 32], codec: "zstd", dimension_names: ["c", ...ZYX] },
      { path: "labels/nuclei/s0", data: l0, dtype: "uint64", shape: [12, 40, 50], chunks: [4, 16, 16], shards: [12, 32, 32], codec: "gzip", dimension_names: ZYX },
      { path: "labels/nuclei/s1", data: l1, dtype: "uint64", shape: [12, 20, 25], chunks: [4, 16, 16], codec: "gzip", dimension_names: ZYX },
    ],
  });
  return { s0, s1, l0, l1 };
}

describe("OME-Zarr 0.5", () => {
  const root = join(tempDir("ome-05"), "image.ome.zarr");
  let fixture: ReturnType<typeof ome05>;
  beforeAll(() => {
    fixture = ome05(root);
  });

  it("opens with one request per node, with channels, units and world offsets of voxel corners", async () => {
    const { counted, volume } = await open(root);
    expect([...counted.log].sort()).toEqual(["s0/zarr.json@all", "s1/zarr.json@all", "zarr.json@all"]);
    expect(volume.format).toBe("ome-zarr 0.5");
    expect(volume.unit).toBe("micrometer");
    expect(volume.axes.map((a) => `${a.name}:${a.size}`)).toEqual(["c:2", "z:12", "y:40", "x:50"]);
    expect(volume.channels).toEqual([
      { index: 0, name: "DAPI", color: "0000FF", active: true, window: { start: 0, end: 1000, min: 0, max: 65535 } },
      { index: 1, name: "GFP", color: "00FF00" },
    ]);
    const [l0, l1] = volume.scales;
    expect(l0!.resolution).toEqual([0.5, 0.5, 2]);
    // Corner of voxel 0 = centre translation − half a voxel, in [x, y, z].
    expect(l0!.offset).toEqual([-2.25, 2.75, 9]);
    expect(l1!.resolution).toEqual([1, 1, 2]);
    expect(l1!.offset).toEqual([-2.25, 2.75, 9]);
    expect(volume.bounds).toEqual({ min: [-2.25, 2.75, 9], max: [22.75, 22.75, 33] });
    expect(counted.log.length).toBe(3);
  });

  it("LOD by target resolution, world boxes, channel selection: the voxels zarr-python reads", async () => {
    const { volume } = await open(root);
    expect(volume.levelFor(0.5).key).toBe("s0");
    expect(volume.levelFor([0.9, 0.9, 2]).key).toBe("s0");
    expect(volume.levelFor([1, 1, 2]).key).toBe("s1");
    expect(volume.levelFor(0.1).key).toBe("s0");
    // x ∈ [0, 10) µm, y ∈ [5, 15) µm, z ∈ [13, 21) µm; s1 corners at −2.25 + i, 2.75 + i, 9 + 2i.
    const bbox = { min: [0, 5, 13] as [number, number, number], max: [10, 15, 21] as [number, number, number] };
    const coarse = await volume.read({ targetResolution: [1, 1, 2], bbox, select: { c: 1 } });
    expect(coarse.scale.key).toBe("s1");
    expect(coarse.roi).toEqual({ start: [2, 2, 2], stop: [13, 13, 6] });
    expect(coarse.origin).toEqual([-0.25, 4.75, 13]);
    expect(coarse.dims).toEqual(["x", "y", "z"]);
    expectSameArray(coarse.data, readZarr(join(root, "s1"), "zarr-python", cBox(coarse.roi, [[1, 2]])).data, "s1, channel 1");
    const fine = await volume.read({ scale: "s0", bbox });
    // s0 corners at −2.25 + i/2: voxel 4 covers [−0.25, 0.25), which meets the box.
    expect(fine.roi).toEqual({ start: [4, 4, 2], stop: [25, 25, 6] });
    expect(fine.dims).toEqual(["x", "y", "z", "c"]);
    expectSameArray(fine.data, readZarr(join(root, "s0"), "tensorstore", cBox(fine.roi, [[0, 2]])).data, "s0, both channels");
    void fixture;
  });

  it("labels/: lists and opens the label image with its image-label colours", async () => {
    const { volume } = await open(root);
    expect(await volume.labels()).toEqual(["nuclei"]);
    const nuclei = await volume.openLabel("nuclei");
    expect(nuclei.format).toBe("ome-zarr 0.5");
    expect(nuclei.dataType).toBe("uint64");
    expect(nuclei.imageLabel).toEqual({ colors: [{ labelValue: 1, rgba: [255, 0, 0, 255] }], properties: [{ labelValue: 1, area: 12 }], source: "../../" });
    expect(nuclei.scales[0]!.offset).toEqual(volume.scales[0]!.offset);
    const roi = { start: [7, 3, 2] as [number, number, number], stop: [45, 39, 11] as [number, number, number] };
    expectSameArray((await nuclei.read({ roi })).data, readZarr(join(root, "labels/nuclei/s0"), "zarr-python", cBox(roi)).data, "labels s0");
    expectSameArray((await nuclei.read({ scale: 1 })).data, fixture.l1, "labels s1");
    // The same label image opened directly.
    const direct = await openVolume(fileUrl(join(root, "labels/nuclei")));
    expect(direct.imageLabel?.colors).toEqual(nuclei.imageLabel?.colors);
  });
});

describe("OME-Zarr 0.4", () => {
  it("a 5-D t/c/z/y/x image on zarr v2: time and channel selections read what zarr-python reads", async () => {
    const root = join(tempDir("ome-04"), "timelapse.zarr");
    const shape = [3, 2, 6, 20, 24];
    const n = shape.reduce((a, b) => a * b);
    const s0 = pattern("uint8", n, 9);
    const s1 = pattern("uint8", 3 * 2 * 6 * 10 * 12, 10);
    const axes = [
      { name: "t", type: "time", unit: "second" },
      { name: "c", type: "channel" },
      { name: "z", type: "space", unit: "nanometer" },
      { name: "y", type: "space", unit: "nanometer" },
      { name: "x", type: "space", unit: "nanometer" },
    ];
    const ds = (path: string, s: number) => ({
      path,
      coordinateTransformations: [{ type: "scale", scale: [1, 1, 40, 8 * s, 8 * s] }],
    });
    writeZarr(root, {
      writer: "zarr-python",
      zarr_format: 2,
      groups: [
        {
          path: "",
          attributes: {
            multiscales: [
              {
                version: "0.4",
                axes,
                datasets: [ds("0", 1), ds("1", 2)],
                // Applied after each dataset's: a translation of the whole pyramid.
                coordinateTransformations: [{ type: "translation", translation: [0, 0, 400, 100, 200] }],
              },
            ],
            omero: { channels: [{ label: "a", color: "FF0000" }, { label: "b", color: "00FFFF" }] },
          },
        },
      ],
      arrays: [
        { path: "0", data: s0, dtype: "uint8", shape, chunks: [1, 1, 3, 8, 8], codec: "gzip", separator: "/" },
        { path: "1", data: s1, dtype: "uint8", shape: [3, 2, 6, 10, 12], chunks: [1, 2, 6, 10, 12], codec: "zstd", separator: "." },
      ],
    });
    const { counted, volume } = await open(root);
    // zarr.json missing; .zarray (missing) and .zattrs; then one .zarray per level.
    expect([...counted.log].sort()).toEqual([".zarray@all", ".zattrs@all", "0/.zarray@all", "1/.zarray@all", "zarr.json@all"]);
    expect(volume.format).toBe("ome-zarr 0.4");
    expect(volume.channels.map((c) => c.name)).toEqual(["a", "b"]);
    expect(volume.axes.map((a) => a.name)).toEqual(["t", "c", "z", "y", "x"]);
    expect(volume.scales[0]!.offset).toEqual([196, 96, 380]);
    expect(volume.scales[1]!.offset).toEqual([192, 92, 380]);
    const roi = { start: [5, 3, 1] as [number, number, number], stop: [21, 18, 5] as [number, number, number] };
    const one = await volume.read({ roi, select: { t: 2, c: 1 } });
    expect(one.dims).toEqual(["x", "y", "z"]);
    const path0 = join(root, "0");
    expectSameArray(one.data, readZarr(path0, "zarr-python", cBox(roi, [[2, 3], [1, 2]])).data, "t=2, c=1");
    const many = await volume.read({ roi, select: { t: [0, 2] } });
    expect(many.dims).toEqual(["x", "y", "z", "c", "t"]);
    expect(many.shape).toEqual([16, 15, 4, 2, 2]);
    expectSameArray(many.data, readZarr(path0, "zarr-python", cBox(roi, [[0, 2], [0, 2]])).data, "t 0..1, both channels");
    expectSameArray((await volume.read({ scale: 1 })).data, s1 as VoxelArray, "level 1, everything");
  });
});

describe("discover", () => {
  /** A one-level OME image group `[c, y, x]` (0.5) or `[y, x]` (0.4) of `size` × `size`. */
  const image = (path: string, zarrFormat: 2 | 3, seed: number, size = 8) => {
    const axes = [
      { name: "y", type: "space", unit: "micrometer" },
      { name: "x", type: "space", unit: "micrometer" },
    ];
    const ms = { version: "0.4", axes, datasets: [{ path: "0", coordinateTransformations: [{ type: "scale", scale: [0.25, 0.25] }] }] };
    return {
      group: { path, attributes: zarrFormat === 3 ? ome05Attributes({ multiscales: [{ ...ms, version: undefined }] }) : { multiscales: [ms] } },
      array: { path: `${path}/0`, data: pattern("uint16", size * size, seed), dtype: "uint16" as const, shape: [size, size], chunks: [4, 4], codec: "gzip" as const, ...(zarrFormat === 3 ? { dimension_names: ["y", "x"] } : {}) },
    };
  };

  it("an HCS plate lists plate/row/column/field, each openable", async () => {
    const root = join(tempDir("hcs"), "plate.ome.zarr");
    const wells = ["A/1", "B/2"];
    const fields = wells.flatMap((w, i) => [image(`${w}/0`, 3, 10 * i), image(`${w}/1`, 3, 10 * i + 1)]);
    writeZarr(root, {
      writer: "zarr-python",
      zarr_format: 3,
      groups: [
        {
          path: "",
          attributes: ome05Attributes({
            plate: {
              name: "screen",
              rows: [{ name: "A" }, { name: "B" }],
              columns: [{ name: "1" }, { name: "2" }],
              wells: [
                { path: "A/1", rowIndex: 0, columnIndex: 0 },
                { path: "B/2", rowIndex: 1, columnIndex: 1 },
              ],
              field_count: 2,
            },
          }),
        },
        ...wells.flatMap((w) => [
          { path: w.split("/")[0]!, attributes: {} },
          { path: w, attributes: ome05Attributes({ well: { images: [{ path: "0" }, { path: "1" }] } }) },
        ]),
        ...fields.map((f) => f.group),
      ],
      arrays: fields.map((f) => f.array),
    });
    const found = await discover(fileUrl(root));
    expect(found.map((f) => [f.name, f.layout, f.plate?.row, f.plate?.column, f.plate?.field])).toEqual([
      ["A/1/0", "plate", "A", "1", 0],
      ["A/1/1", "plate", "A", "1", 1],
      ["B/2/0", "plate", "B", "2", 0],
      ["B/2/1", "plate", "B", "2", 1],
    ]);
    expect(found[0]!.plate?.name).toBe("screen");
    const b21 = await openVolume(found[3]!.url);
    expect(b21.format).toBe("ome-zarr 0.5");
    const r = await b21.read({});
    expect(r.shape).toEqual([8, 8, 1]);
    expectSameArray(r.data, fields[3]!.array.data, "B/2/1");
    await expect(openVolume(fileUrl(root))).rejects.toThrow(/HCS plate.*discover/);
  });

  it("per-FOV stores region/fov_N.ome.zarr, on disk and over HTTP (probed: no listing there)", async () => {
    const region = tempDir("fovs");
    const stores = [0, 1, 2].map((n) => image("", 2, n, 4 + n));
    for (const [n, s] of stores.entries()) writeZarr(join(region, `fov_${n}.ome.zarr`), { writer: "zarr-python", zarr_format: 2, groups: [{ ...s.group, path: "" }], arrays: [{ ...s.array, path: "0" }] });
    const local = await discover(fileUrl(region));
    expect(local.map((f) => [f.name, f.layout, f.fov])).toEqual([
      ["fov_0", "fov-stores", 0],
      ["fov_1", "fov-stores", 1],
      ["fov_2", "fov-stores", 2],
    ]);
    const server = await serveDirectory(region);
    try {
      const remote = await discover(server.url);
      expect(remote.map((f) => f.url)).toEqual([0, 1, 2].map((n) => `${server.url}/fov_${n}.ome.zarr`));
      const fov2 = await openVolume(remote[2]!.url);
      expect(fov2.format).toBe("ome-zarr 0.4");
      expectSameArray((await fov2.read({})).data, stores[2]!.array.data, "fov 2 over http");
    } finally {
      await server.stop();
    }
  });

  it("a 6-D FOV×T×C×Z×Y×X store: one entry per FOV, read with its selection", async () => {
    const root = join(tempDir("six-d"), "acquisition.zarr");
    const shape = [3, 2, 2, 4, 6, 5];
    const data = pattern("uint16", shape.reduce((a, b) => a * b), 12);
    writeZarr(root, {
      writer: "zarr-python",
      zarr_format: 3,
      arrays: [{ path: "", data, dtype: "uint16", shape, chunks: [1, 1, 2, 4, 6, 5], codec: "zstd", dimension_names: ["fov", "t", "c", "z", "y", "x"] }],
    });
    const found = await discover(fileUrl(root));
    expect(found.map((f) => [f.name, f.layout, f.select])).toEqual([
      ["fov_0", "fov-axis", { fov: 0 }],
      ["fov_1", "fov-axis", { fov: 1 }],
      ["fov_2", "fov-axis", { fov: 2 }],
    ]);
    const volume = await openVolume(found[1]!.url);
    expect(volume.axes.map((a) => `${a.name}:${a.type}`)).toEqual(["fov:other", "t:time", "c:channel", "z:space", "y:space", "x:space"]);
    const r = await volume.read({ select: { ...found[1]!.select, t: 1 } });
    expect(r.dims).toEqual(["x", "y", "z", "c"]);
    expectSameArray(r.data, readZarr(root, "zarr-python", [[1, 2], [1, 2], [0, 2], [0, 4], [0, 6], [0, 5]]).data, "fov 1, t 1");
  });
});

describe("on gs:// (fake-gcs-server)", () => {
  let gcs: FakeGcs;
  const saved = process.env.STORAGE_EMULATOR_HOST;
  beforeAll(async () => {
    gcs = await startFakeGcs();
    await gcs.createBucket("braid-read");
    process.env.STORAGE_EMULATOR_HOST = gcs.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = saved;
    await gcs?.stop();
  });

  it("opens and reads a sharded OME-Zarr 0.5 image from a bucket like from disk", async () => {
    const local = join(tempDir("gs-ome"), "image.ome.zarr");
    const fixture = ome05(local);
    const bucket = await openStorage("gs://braid-read/image.ome.zarr");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const f of files(local)) await bucket.write(relative(local, f), readFileSync(f));
    const remote = await openVolume("gs://braid-read/image.ome.zarr");
    expect(remote.format).toBe("ome-zarr 0.5");
    expect(remote.scales.map((s) => s.offset)).toEqual((await openVolume(fileUrl(local))).scales.map((s) => s.offset));
    const r = await remote.read({ scale: "s1" });
    expectSameArray(r.data, fixture.s1.data, "s1 from the bucket");
    const label = await remote.openLabel("nuclei");
    expectSameArray((await label.read({ scale: 0 })).data, fixture.l0, "labels from the bucket");
  });
});

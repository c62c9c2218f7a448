/**
 * `openVolume` on precomputed volumes — braid-written and TensorStore-written, sharded and not,
 * two scales with non-zero voxel offsets — with every storage request counted: opening reads
 * only `info`; an ROI read fetches exactly the chunks it meets; repeated reads hit the cache;
 * the cache never exceeds its bound; the chunk iterator yields each chunk once with bounded
 * requests in flight; level of detail and world offsets; `invalidate` on a growing volume and
 * racing a read; `close`. Voxels are compared with TensorStore's reads.
 */
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BraidError,
  createPrecomputed,
  downsampledScale,
  openPrecomputed,
  openStorage,
  openVolume,
  type LazyVolume,
  type PrecomputedInfo,
  type ScaleInfo,
  type Vec3,
  type VoxelBox,
} from "braid-seg";
import { requestLog } from "../helpers/request-log.js";
import { braidWrite, tensorstoreWrite } from "../helpers/precomputed.js";
import { tensorstoreRead } from "../helpers/python.js";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { crop, expectSameVoxels } from "../helpers/volume.js";
import { labelVolume } from "../helpers/zarr.js";

const S0: ScaleInfo = {
  key: "s0",
  size: [100, 70, 45],
  voxel_offset: [3, -5, 7],
  resolution: [8, 8, 40],
  chunk_sizes: [[16, 16, 16]],
  encoding: "compressed_segmentation",
  compressed_segmentation_block_size: [8, 8, 8],
};
const SHARDING = {
  "@type": "neuroglancer_uint64_sharded_v1" as const,
  hash: "identity" as const,
  preshift_bits: 2,
  minishard_bits: 2,
  shard_bits: 4,
  minishard_index_encoding: "gzip" as const,
  data_encoding: "gzip" as const,
};

function infoOf(sharded: boolean): PrecomputedInfo {
  const s0: ScaleInfo = sharded ? { ...S0, sharding: SHARDING } : S0;
  return {
    "@type": "neuroglancer_multiscale_volume",
    type: "segmentation",
    data_type: "uint64",
    num_channels: 1,
    scales: [s0, downsampledScale(s0, [2, 2, 1])],
  };
}

const domainOf = (s: ScaleInfo): VoxelBox => ({ origin: s.voxel_offset, shape: s.size });
const end = (b: VoxelBox): Vec3 => [0, 1, 2].map((d) => b.origin[d]! + b.shape[d]!) as unknown as Vec3;

/** A braid-written two-scale volume; the scales' voxels (x fastest). */
async function braidVolume(sharded: boolean): Promise<{ dir: string; info: PrecomputedInfo; volumes: BigUint64Array[] }> {
  const dir = tempDir("open-volume");
  const info = infoOf(sharded);
  const created = await createPrecomputed(fileUrl(dir), info);
  const volumes = info.scales.map((s, i) => labelVolume(s.size, i + 1));
  for (let i = 0; i < volumes.length; i++) await braidWrite(created.scale(i), volumes[i]!, "tensorstore");
  return { dir, info, volumes };
}

async function open(dir: string, options: { cacheBytes?: number; concurrency?: number } = {}) {
  const counted = requestLog(await openStorage(fileUrl(dir)));
  const volume = await openVolume(counted.storage, options);
  return { counted, volume };
}

const roiBox = (roi: { start: Vec3; stop: Vec3 }): VoxelBox => ({
  origin: roi.start,
  shape: [0, 1, 2].map((d) => roi.stop[d]! - roi.start[d]!) as unknown as Vec3,
});

async function expectError(fn: () => unknown, code: string, text: string): Promise<void> {
  const e = await Promise.resolve().then(fn).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(BraidError);
  expect((e as BraidError).code).toBe(code);
  expect((e as BraidError).message).toContain(text);
}

describe("openVolume on precomputed", () => {
  it("opens with one request and describes the scales in the world frame (nanometres, voxel corners)", async () => {
    const { dir } = await braidVolume(true);
    const { counted, volume } = await open(dir);
    expect(counted.log).toEqual(["info@all"]);
    expect(volume.format).toBe("precomputed");
    expect(volume.dataType).toBe("uint64");
    expect(volume.unit).toBe("nanometer");
    expect(volume.axes).toEqual([
      { name: "z", type: "space", unit: "nanometer", size: 45 },
      { name: "y", type: "space", unit: "nanometer", size: 70 },
      { name: "x", type: "space", unit: "nanometer", size: 100 },
    ]);
    const summary = volume.scales.map((s) => ({
      key: s.key,
      shape: s.shape,
      chunkShape: s.chunkShape,
      resolution: s.resolution,
      voxelOffset: s.voxelOffset,
      offset: s.offset,
    }));
    // s1 = downsampledScale: offset floor([3,-5,7] / [2,2,1]) = [1,-3,7], size [52, 36, 45].
    expect(summary).toEqual([
      { key: "s0", shape: [100, 70, 45], chunkShape: [16, 16, 16], resolution: [8, 8, 40], voxelOffset: [3, -5, 7], offset: [24, -40, 280] },
      { key: "16_16_40", shape: [51, 36, 45], chunkShape: [16, 16, 16], resolution: [16, 16, 40], voxelOffset: [1, -3, 7], offset: [16, -48, 280] },
    ]);
    expect(volume.bounds).toEqual({ min: [24, -40, 280], max: [824, 520, 2080] });
    expect(volume.scales[0]!.shardShape).toEqual([64, 32, 32]);
    expect(counted.log).toEqual(["info@all"]);
  });

  it("an ROI read fetches exactly the chunks it meets (unsharded: by key); a repeated read fetches nothing", async () => {
    const { dir, info, volumes } = await braidVolume(false);
    const { counted, volume } = await open(dir);
    counted.reset();
    const roi = { start: [20, 10, 9] as Vec3, stop: [52, 29, 42] as Vec3 };
    const r = await volume.read({ roi });
    const level = volume.scales[0]!;
    const cells = level.grid.cellsInBox(roiBox(roi));
    const keys = cells.map((c) => {
      const b = level.grid.chunkBox(c);
      return `s0/${[0, 1, 2].map((d) => `${b.origin[d]}-${b.origin[d]! + b.shape[d]!}`).join("_")}@all`;
    });
    expect(cells.length).toBe(3 * 3 * 3);
    expect([...counted.log].sort()).toEqual(keys.sort());
    expectSameVoxels(r.data as BigUint64Array, crop(volumes[0]!, domainOf(info.scales[0]!), roiBox(roi)), "roi");
    expect(r.shape).toEqual([32, 19, 33]);
    expect(r.dims).toEqual(["x", "y", "z"]);
    expect(r.origin).toEqual([160, 80, 360]);

    counted.reset();
    const again = await volume.read({ roi });
    expect(counted.log).toEqual([]);
    expectSameVoxels(again.data as BigUint64Array, r.data as BigUint64Array, "cached roi");
    // An overlapping read fetches only the chunks it adds.
    counted.reset();
    await volume.read({ roi: { start: [20, 10, 9], stop: [70, 29, 42] } });
    expect(counted.log.length).toBe(1 * 3 * 3);
  });

  it("an ROI read of a sharded scale reads each shard index once and each chunk it meets once", async () => {
    const { dir, info, volumes } = await braidVolume(true);
    const { counted, volume } = await open(dir);
    counted.reset();
    const roi = { start: [10, -2, 12] as Vec3, stop: [80, 40, 40] as Vec3 };
    const r = await volume.read({ roi });
    expectSameVoxels(r.data as BigUint64Array, crop(volumes[0]!, domainOf(info.scales[0]!), roiBox(roi)), "roi");
    // Per shard the index page (at offset 0), per minishard its index, per chunk its bytes — each once.
    const geometry = (await openPrecomputed(fileUrl(dir))).scale(0).geometry;
    const places = geometry.place(geometry.cellsInBox(roiBox(roi)));
    const shards = new Set(places.map((p) => geometry.shardFile(p.shard)));
    const minishards = new Set(places.map((p) => `${p.shard}/${p.minishard}`));
    expect(shards.size).toBeGreaterThan(1);
    expect(new Set(counted.log).size).toBe(counted.log.length);
    expect(new Set(counted.log.map((l) => l.split("@")[0]))).toEqual(new Set([...shards].map((f) => `s0/${f}`)));
    expect(counted.log.filter((l) => /@0\+\d+$/.test(l)).length).toBe(shards.size);
    expect(counted.log.length).toBe(shards.size + minishards.size + places.length);
    counted.reset();
    await volume.read({ roi });
    expect(counted.log).toEqual([]);
  });

  it("reads what TensorStore reads, braid-written and TensorStore-written, at both scales, by roi and by world bbox", async () => {
    const braid = await braidVolume(true);
    const ts = tempDir("open-volume-ts");
    // TensorStore writes one scale per call here; s0 only, unsharded cseg with the offset.
    tensorstoreWrite(ts, { ...infoOf(false), scales: [S0] }, braid.volumes[0]!);
    for (const [dir, scales] of [
      [braid.dir, [0, 1]],
      [ts, [0]],
    ] as const) {
      const { volume } = await open(dir);
      for (const scale of scales) {
        const level = volume.scales[scale]!;
        const lo = level.voxelOffset;
        const roi = { start: [lo[0] + 5, lo[1] + 3, lo[2] + 2] as Vec3, stop: [lo[0] + 41, lo[1] + 33, lo[2] + 19] as Vec3 };
        const expected = tensorstoreRead(dir, { scaleIndex: scale, box: [...roi.start, ...roi.stop] }).data;
        const byRoi = await volume.read({ scale, roi });
        expectSameVoxels(byRoi.data as BigUint64Array, expected, `${dir} scale ${scale} roi`);
        // The world box of those voxels, shrunk a little, selects the same voxels.
        const box = level.boxOfRoi(roi);
        const bbox = { min: box.min.map((v) => v + 0.25) as unknown as Vec3, max: box.max.map((v) => v - 0.25) as unknown as Vec3 };
        const byBox = await volume.read({ scale, bbox });
        expect(byBox.roi).toEqual(roi);
        expect(byBox.origin).toEqual(box.min);
        expectSameVoxels(byBox.data as BigUint64Array, expected, `${dir} scale ${scale} bbox`);
      }
    }
    rmSync(ts, { recursive: true, force: true });
  });

  it("picks the coarsest scale no coarser than the target resolution; world offsets agree across scales", async () => {
    const { dir, info, volumes } = await braidVolume(true);
    const { volume } = await open(dir);
    const key = (t: number | Vec3) => volume.levelFor(t).key;
    expect(key([8, 8, 40])).toBe("s0");
    expect(key([15.9, 16, 40])).toBe("s0");
    expect(key([16, 16, 40])).toBe("16_16_40");
    expect(key(1000)).toBe("16_16_40");
    expect(key(4)).toBe("s0"); // nothing that fine: the finest
    expect(key([16, 16, 39])).toBe("s0"); // z finer than any scale's: the finest

    // One world box read at both scales: each origin is the world corner of its first voxel.
    const bbox = { min: [100, 20, 400] as Vec3, max: [300, 180, 1000] as Vec3 };
    const fine = await volume.read({ targetResolution: [8, 8, 40], bbox });
    const coarse = await volume.read({ targetResolution: [20, 20, 40], bbox });
    expect(fine.scale.key).toBe("s0");
    expect(coarse.scale.key).toBe("16_16_40");
    // s0: voxel v starts at 8v nm: x [100,300) → voxels 12..37, y [20,180) → 2..22, z [400,1000) → 10..25.
    expect(fine.roi).toEqual({ start: [12, 2, 10], stop: [38, 23, 25] });
    expect(fine.origin).toEqual([96, 16, 400]);
    // s1: 16 nm voxels: x → 6..18, y → 1..11.
    expect(coarse.roi).toEqual({ start: [6, 1, 10], stop: [19, 12, 25] });
    expect(coarse.origin).toEqual([96, 16, 400]);
    expectSameVoxels(coarse.data as BigUint64Array, crop(volumes[1]!, domainOf(info.scales[1]!), roiBox(coarse.roi)), "coarse");
    // A box outside the volume reads nothing.
    const outside = await volume.read({ bbox: { min: [-1000, -1000, 0], max: [-900, -900, 100] } });
    expect(outside.data.length).toBe(0);
  });

  it("the chunk iterator yields every chunk it meets exactly once, with bounded requests in flight", async () => {
    const { dir, info, volumes } = await braidVolume(false);
    const { counted, volume } = await open(dir);
    counted.reset();
    const roi = { start: [10, 0, 8] as Vec3, stop: [90, 60, 40] as Vec3 };
    const expected = volume.scales[0]!.grid.cellsInBox(roiBox(roi)).map((c) => c.join(","));
    const seen: string[] = [];
    let readsAtFirst = -1;
    for await (const chunk of volume.chunks({ roi, concurrency: 2, prefetch: 3 })) {
      if (readsAtFirst < 0) {
        // The consumer stalls: the iterator may not run more than `prefetch` chunks ahead.
        await new Promise((r) => setTimeout(r, 50));
        readsAtFirst = counted.log.length;
      }
      seen.push([...chunk.cell].reverse().join(","));
      const box = chunk.box;
      expect(chunk.shape).toEqual([...box.shape]);
      expect(chunk.origin).toEqual(volume.scales[0]!.worldOf(box.origin));
      expectSameVoxels(chunk.data as BigUint64Array, crop(volumes[0]!, domainOf(info.scales[0]!), box), `chunk ${chunk.cell}`);
    }
    expect(seen.sort()).toEqual(expected.sort());
    expect(counted.log.length).toBe(expected.length);
    expect(readsAtFirst).toBeLessThanOrEqual(1 + 3);
    expect(counted.maxInFlight).toBeLessThanOrEqual(2);
    // The iterator filled the same cache reads use.
    counted.reset();
    await volume.read({ roi });
    expect(counted.log).toEqual([]);
  });

  it("never holds more than its byte budget, and still reads correctly when it evicts", async () => {
    const { dir, info, volumes } = await braidVolume(true);
    const chunkBytes = 16 ** 3 * 8;
    const budget = 5 * chunkBytes;
    const { counted, volume } = await open(dir, { cacheBytes: budget });
    expect(volume.cacheBytes).toBe(budget);
    let peak = 0;
    const sample = () => (peak = Math.max(peak, volume.cachedBytes));
    const domain = domainOf(info.scales[0]!);
    for (const start of [
      [3, -5, 7],
      [40, 10, 20],
      [3, -5, 7],
    ] as Vec3[]) {
      const roi = { start, stop: [start[0] + 40, start[1] + 30, start[2] + 20] as Vec3 };
      const r = await volume.read({ roi });
      sample();
      expectSameVoxels(r.data as BigUint64Array, crop(volumes[0]!, domain, roiBox(roi)), `roi at ${start}`);
    }
    for await (const _ of volume.chunks({})) sample();
    expect(peak).toBeGreaterThan(chunkBytes);
    expect(peak).toBeLessThanOrEqual(budget);
    // Evicted chunks were fetched again: more requests than the chunks the reads met.
    expect(counted.log.length).toBeGreaterThan(volume.scales[0]!.grid.chunkCount);
  });

  it("invalidate(region) shows chunks written after they were read as absent; other chunks stay cached", async () => {
    const dir = tempDir("open-volume-grow");
    const info = infoOf(false);
    const created = await createPrecomputed(fileUrl(dir), info);
    const s0 = created.scale(0);
    const full = labelVolume(S0.size, 5);
    const { counted, volume } = await open(dir);
    const roi = { start: [3, -5, 7] as Vec3, stop: [35, 27, 23] as Vec3 };
    // Nothing written yet: everything reads as 0.
    expect((await volume.read({ roi })).data.every((v) => v === 0n)).toBe(true);
    // The volume grows: chunk (0,0,0) is written.
    await s0.writeChunk([0, 0, 0], crop(full, domainOf(S0), s0.grid.chunkBox([0, 0, 0])));
    expect((await volume.read({ roi })).data.every((v) => v === 0n)).toBe(true); // cached as absent
    counted.reset();
    volume.invalidate({ scale: 0, roi: { start: [3, -5, 7], stop: [4, -4, 8] } });
    const after = await volume.read({ roi });
    expect(counted.log).toEqual(["s0/3-19_-5-11_7-23@all"]);
    const expected = crop(full, domainOf(S0), roiBox(roi));
    const box0 = s0.grid.chunkBox([0, 0, 0]);
    // Inside chunk (0,0,0) the new voxels, elsewhere still 0.
    const first = crop(after.data as BigUint64Array, roiBox(roi), box0);
    expectSameVoxels(first, crop(expected, roiBox(roi), box0), "new chunk");
    // A whole-volume invalidate forgets everything.
    volume.invalidate();
    counted.reset();
    await volume.read({ roi });
    expect(counted.log.length).toBe(2 * 2 * 1);
  });

  it("a read racing an invalidate returns what it read but never leaves it in the cache", async () => {
    const dir = tempDir("open-volume-race");
    const info = infoOf(false);
    const created = await createPrecomputed(fileUrl(dir), info);
    const s0 = created.scale(0);
    const box = s0.grid.chunkBox([1, 1, 0]);
    const oldData = new BigUint64Array(16 ** 3).fill(7n);
    const newData = new BigUint64Array(16 ** 3).fill(9n);
    await s0.writeChunk([1, 1, 0], oldData);
    const { counted, volume } = await open(dir);
    const roi = { start: box.origin, stop: end(box) };
    const held = counted.hold((key) => key.startsWith("s0/19-35_11-27_7-23"));
    const racing = volume.read({ roi });
    await held.reached; // the read has the old bytes and waits
    await s0.writeChunk([1, 1, 0], newData);
    volume.invalidate({ scale: 0, roi });
    held.release();
    expect((await racing).data.every((v) => v === 7n)).toBe(true);
    counted.reset();
    const fresh = await volume.read({ roi });
    expect(counted.log).toEqual(["s0/19-35_11-27_7-23@all"]);
    expect(fresh.data.every((v) => v === 9n)).toBe(true);
    // And a chunk iterator racing it the same way.
    const held2 = counted.hold((key) => key.startsWith("s0/19-35_11-27_7-23"));
    volume.invalidate();
    const iterating = (async () => {
      const out: bigint[] = [];
      for await (const c of volume.chunks({ roi })) out.push((c.data as BigUint64Array)[0]!);
      return out;
    })();
    await held2.reached;
    await s0.writeChunk([1, 1, 0], oldData);
    volume.invalidate();
    held2.release();
    expect(await iterating).toEqual([9n]);
    expect((await volume.read({ roi })).data[0]).toBe(7n);
  });

  it("Level reads, dtype-preserving uint32, errors, close", async () => {
    const dir = tempDir("open-volume-u32");
    const info: PrecomputedInfo = { ...infoOf(false), data_type: "uint32", scales: [{ ...S0, encoding: "raw", compressed_segmentation_block_size: undefined } as ScaleInfo] };
    delete (info.scales[0] as Partial<ScaleInfo>).compressed_segmentation_block_size;
    const created = await createPrecomputed(fileUrl(dir), info);
    const volume64 = BigUint64Array.from(labelVolume(S0.size, 3), (v) => v & 0xffffffffn);
    await braidWrite(created.scale(0), volume64, "tensorstore");
    const { volume } = await open(dir);
    const r = await volume.read({ roi: { start: [3, -5, 7], stop: [20, 0, 9] } });
    expect(r.data).toBeInstanceOf(Uint32Array);
    expect(Array.from(r.data as Uint32Array, BigInt)).toEqual(Array.from(crop(volume64, domainOf(S0), roiBox(r.roi))));
    // The Level interface: clipped chunks and regions.
    const level = volume.level("s0");
    const chunk = await level.readChunk([6, 4, 2]);
    const cbox = level.grid.chunkBox([6, 4, 2]);
    expect(cbox.shape).toEqual([4, 6, 13]);
    expect(Array.from(chunk as Uint32Array, BigInt)).toEqual(Array.from(crop(volume64, domainOf(S0), cbox)));

    await expectError(() => volume.read({ roi: { start: [0, 0, 0], stop: [5, 5, 5] } }), "INVALID_ARGUMENT", "not inside its voxels");
    await expectError(() => volume.read({ scale: 3 }), "INVALID_ARGUMENT", "has no scale 3");
    await expectError(() => volume.read({ scale: 0, targetResolution: 8 }), "INVALID_ARGUMENT", "not both");
    await expectError(() => volume.read({ select: { c: 0 } }), "INVALID_ARGUMENT", 'cannot select "c"');
    await expectError(() => volume.read({ select: { x: 0 } }), "INVALID_ARGUMENT", "spatial");
    await expectError(() => openVolume(fileUrl(tempDir("open-volume-empty"))), "NOT_FOUND", "holds no volume");
    volume.close();
    await expectError(() => volume.read({}), "CLOSED", "closed");
  });

  it("reads multi-channel images in their data type and selects channels", async () => {
    const dir = tempDir("open-volume-rgb");
    const size: Vec3 = [20, 12, 5];
    const info: PrecomputedInfo = {
      "@type": "neuroglancer_multiscale_volume",
      type: "image",
      data_type: "uint8",
      num_channels: 3,
      scales: [{ key: "s0", size, voxel_offset: [0, 0, 0], resolution: [4, 4, 4], chunk_sizes: [[8, 8, 8]], encoding: "raw" }],
    };
    const created = await createPrecomputed(fileUrl(dir), info);
    const s0 = created.scale(0);
    const value = (x: number, y: number, z: number, c: number) => (x + 3 * y + 7 * z + 50 * c) & 255;
    for (const cell of s0.grid.cellsInBox({ origin: [0, 0, 0], shape: size })) {
      const b = s0.grid.chunkBox(cell);
      const raw = new Uint8Array(b.shape[0] * b.shape[1] * b.shape[2] * 3);
      let i = 0;
      for (let c = 0; c < 3; c++)
        for (let z = 0; z < b.shape[2]; z++)
          for (let y = 0; y < b.shape[1]; y++)
            for (let x = 0; x < b.shape[0]; x++) raw[i++] = value(b.origin[0] + x, b.origin[1] + y, b.origin[2] + z, c);
      await s0.writeChunk(cell, { encoded: raw });
    }
    const { volume } = await open(dir);
    expect(volume.axes.map((a) => `${a.name}:${a.type}:${a.size}`)).toEqual(["c:channel:3", "z:space:5", "y:space:12", "x:space:20"]);
    expect(volume.channels).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }]);
    const all = await volume.read({ roi: { start: [5, 3, 1], stop: [14, 9, 4] } });
    expect(all.data).toBeInstanceOf(Uint8Array);
    expect(all.dims).toEqual(["x", "y", "z", "c"]);
    expect(all.shape).toEqual([9, 6, 3, 3]);
    const at = (r: { data: ArrayLike<number | bigint>; shape: number[] }, x: number, y: number, z: number, c = 0) =>
      r.data[x + r.shape[0]! * (y + r.shape[1]! * (z + r.shape[2]! * c))];
    expect(at(all, 2, 1, 1, 2)).toBe(value(7, 4, 2, 2));
    const green = await volume.read({ roi: { start: [5, 3, 1], stop: [14, 9, 4] }, select: { c: 1 } });
    expect(green.dims).toEqual(["x", "y", "z"]);
    expect(at(green, 8, 5, 2)).toBe(value(13, 8, 3, 1));
    const two = await volume.read({ select: { c: [1, 3] } });
    expect(two.shape).toEqual([20, 12, 5, 2]);
    expect(at(two, 19, 11, 4, 1)).toBe(value(19, 11, 4, 2));
    await expectError(() => volume.read({ select: { c: 3 } }), "INVALID_ARGUMENT", "indices 0..2");
  });
});

export type { LazyVolume };

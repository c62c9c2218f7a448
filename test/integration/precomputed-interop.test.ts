/**
 * Oracle: precomputed volumes interoperate with TensorStore in both directions, voxel-exactly,
 * across sharded/unsharded, identity/murmur, raw/gzip data and minishard indexes, raw and
 * compressed_segmentation chunks, uint64/uint32, clipped edges, voxel offsets and multiple
 * shards; raw/raw shards written in TensorStore's order are byte-identical to its files; and
 * a volume on gs:// (fake-gcs-server) matches the same volume on disk object for object.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPrecomputed,
  openPrecomputed,
  openStorage,
  type PrecomputedInfo,
  type ShardingSpec,
  type Vec3,
  type VoxelBox,
} from "braid-seg";
import { tensorstoreRead } from "../helpers/python.js";
import { startFakeGcs, type FakeGcs } from "../helpers/fake-gcs.js";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { crop, expectSameVoxels, voxelCount } from "../helpers/volume.js";
import { allCells, braidWrite, isZero, tensorstoreWrite } from "../helpers/precomputed.js";

interface Case {
  name: string;
  dataType: "uint64" | "uint32";
  size: Vec3;
  offset: Vec3;
  chunk: Vec3;
  encoding: "raw" | "compressed_segmentation";
  block?: Vec3;
  sharding?: Omit<ShardingSpec, "@type">;
}

const CASES: Case[] = [
  {
    name: "sharded identity, gzip data and index, cseg, offset, 12 shards",
    dataType: "uint64",
    size: [100, 70, 45],
    offset: [3, -5, 7],
    chunk: [16, 16, 16],
    encoding: "compressed_segmentation",
    block: [8, 8, 8],
    sharding: {
      hash: "identity", preshift_bits: 2, minishard_bits: 2, shard_bits: 4,
      minishard_index_encoding: "gzip", data_encoding: "gzip",
    },
  },
  {
    name: "sharded murmurhash3_x86_128, raw data and index, cseg 4×4×2 blocks",
    dataType: "uint64",
    size: [90, 61, 37],
    offset: [0, 0, 0],
    chunk: [16, 16, 16],
    encoding: "compressed_segmentation",
    block: [4, 4, 2],
    sharding: {
      hash: "murmurhash3_x86_128", preshift_bits: 0, minishard_bits: 3, shard_bits: 2,
      minishard_index_encoding: "raw", data_encoding: "raw",
    },
  },
  {
    name: "sharded identity, raw data, gzip index, raw chunks",
    dataType: "uint64",
    size: [70, 50, 40],
    offset: [-8, 11, 0],
    chunk: [16, 16, 8],
    encoding: "raw",
    sharding: {
      hash: "identity", preshift_bits: 3, minishard_bits: 1, shard_bits: 6,
      minishard_index_encoding: "gzip", data_encoding: "raw",
    },
  },
  {
    name: "unsharded cseg with offset and clipped edges",
    dataType: "uint64",
    size: [70, 50, 33],
    offset: [5, 6, -7],
    chunk: [32, 32, 16],
    encoding: "compressed_segmentation",
    block: [8, 8, 8],
  },
  {
    name: "uint32, sharded identity, gzip data, raw index, cseg",
    dataType: "uint32",
    size: [64, 48, 40],
    offset: [1, 2, 3],
    chunk: [16, 16, 16],
    encoding: "compressed_segmentation",
    block: [8, 8, 8],
    sharding: {
      hash: "identity", preshift_bits: 1, minishard_bits: 2, shard_bits: 3,
      minishard_index_encoding: "raw", data_encoding: "gzip",
    },
  },
  {
    name: "uint32 unsharded raw",
    dataType: "uint32",
    size: [40, 33, 20],
    offset: [0, 0, 0],
    chunk: [16, 16, 16],
    encoding: "raw",
  },
];

function infoOf(c: Case): PrecomputedInfo {
  return {
    "@type": "neuroglancer_multiscale_volume",
    type: "segmentation",
    data_type: c.dataType,
    num_channels: 1,
    scales: [
      {
        key: "s0",
        size: c.size,
        voxel_offset: c.offset,
        resolution: [8, 8, 8],
        chunk_sizes: [c.chunk],
        encoding: c.encoding,
        ...(c.block ? { compressed_segmentation_block_size: c.block } : {}),
        ...(c.sharding ? { sharding: { "@type": "neuroglancer_uint64_sharded_v1", ...c.sharding } } : {}),
      },
    ],
  };
}

/**
 * Blobby labels (several per chunk, so cseg tables are non-trivial) with values above 2^53 for
 * uint64, and an all-zero corner so some chunks are absent.
 */
function labels(c: Case): BigUint64Array {
  const high = c.dataType === "uint64" ? 0xfedc_ba98_0000_0000n : 0n;
  const table = Array.from({ length: 23 }, (_, i) => high + BigInt(i * 7919 + 1));
  const [sx, sy, sz] = c.size;
  const out = new BigUint64Array(voxelCount(c.size));
  let i = 0;
  for (let z = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < sx; x++, i++) {
        if (x < 2 * c.chunk[0] && y < c.chunk[1] && z < c.chunk[2]) continue;
        out[i] = table[(Math.floor(x / 5) * 7 + Math.floor(y / 6) * 13 + Math.floor(z / 4) * 31) % 23]!;
      }
  return out;
}

/** TensorStore's read of a box (or everything), widened to uint64, of the data type `info` says. */
function tensorstoreReadBox(url: string, info: PrecomputedInfo, box?: VoxelBox, env?: NodeJS.ProcessEnv): BigUint64Array {
  const end = box?.origin.map((o, d) => o + box.shape[d]!);
  const dtype = info.data_type === "uint32" ? "uint32" : "uint64";
  const boxArg = box ? { box: [...box.origin, ...end!] as [number, number, number, number, number, number] } : {};
  return tensorstoreRead(url, { ...boxArg, dtype, ...(env ? { env } : {}) }).data;
}

/** A few boxes crossing chunk (and shard) boundaries, including the clipped far corner. */
function probeBoxes(c: Case): VoxelBox[] {
  const o = c.offset;
  const s = c.size;
  return [
    { origin: o, shape: s },
    { origin: [o[0] + 7, o[1] + 3, o[2] + 5], shape: [Math.min(40, s[0] - 7), Math.min(30, s[1] - 3), Math.min(20, s[2] - 5)] },
    { origin: [o[0] + s[0] - 9, o[1] + s[1] - 4, o[2] + s[2] - 3], shape: [9, 4, 3] },
    { origin: [o[0] + 1, o[1] + 1, o[2] + 1], shape: [1, 1, 1] },
  ];
}

describe.each(CASES)("precomputed interop: $name", (c) => {
  const info = infoOf(c);
  const volume = labels(c);
  const domain: VoxelBox = { origin: c.offset, shape: c.size };

  it("braid writes, TensorStore reads voxel-exactly", async () => {
    const dir = tempDir("precomputed");
    const scale = (await createPrecomputed(fileUrl(dir), info)).scale(0);
    await braidWrite(scale, volume, "indexes-at-end");
    expectSameVoxels(tensorstoreReadBox(dir, info), volume, "whole volume");
    const box = probeBoxes(c)[1]!;
    expectSameVoxels(tensorstoreReadBox(dir, info, box), crop(volume, domain, box), "box");
  });

  it("TensorStore writes, braid reads chunks and regions voxel-exactly", async () => {
    const dir = tempDir("precomputed");
    tensorstoreWrite(dir, info, volume);
    const scale = (await openPrecomputed(fileUrl(dir))).scale("s0");
    const g = scale.geometry;
    let stored = 0;
    for (const cell of allCells(scale)) {
      const expected = crop(volume, domain, g.chunkBox(cell));
      const chunk = await scale.readChunk(cell);
      if (isZero(expected)) {
        expect(chunk, `chunk ${cell} is all zero and not stored`).toBeUndefined();
      } else {
        stored++;
        expectSameVoxels(chunk!, expected, `chunk ${cell}`);
      }
    }
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(g.chunkCount);
    for (const box of probeBoxes(c)) {
      expectSameVoxels(await scale.readRegion(box), crop(volume, domain, box), `region ${JSON.stringify(box)}`);
    }

    if (scale.sharded) {
      // Every stored chunk is listed once, in the shard its id hashes to.
      const files = readdirSync(join(dir, "s0"));
      const nonZero = allCells(scale).filter((cell) => !isZero(crop(volume, domain, g.chunkBox(cell))));
      const places = g.place(nonZero);
      const shards = [...new Set(places.map((p) => p.shard))];
      expect(shards.length).toBeGreaterThan(1);
      expect(files.sort()).toEqual(shards.map((s) => g.shardFile(s)).sort());
      let listed = 0;
      for (const shard of shards) {
        const ids = [...(await scale.listChunkIds(shard))];
        const expected = places.filter((p) => p.shard === shard).map((p) => p.chunkId);
        expect(ids.slice().sort((a, b) => (a < b ? -1 : 1))).toEqual(expected.slice().sort((a, b) => (a < b ? -1 : 1)));
        listed += ids.length;
      }
      expect(listed).toBe(nonZero.length);
    }
  });
});

describe("precomputed byte parity with TensorStore", () => {
  it("raw/raw shards written in TensorStore's chunk order are byte-identical", async () => {
    const c: Case = {
      name: "parity",
      dataType: "uint64",
      size: [100, 70, 45],
      offset: [3, -5, 7],
      chunk: [16, 16, 16],
      encoding: "compressed_segmentation",
      block: [8, 8, 8],
      sharding: {
        hash: "identity", preshift_bits: 2, minishard_bits: 2, shard_bits: 4,
        minishard_index_encoding: "raw", data_encoding: "raw",
      },
    };
    const info = infoOf(c);
    const volume = labels(c);
    const theirs = tempDir("precomputed");
    tensorstoreWrite(theirs, info, volume);
    const ours = tempDir("precomputed");
    await braidWrite((await createPrecomputed(fileUrl(ours), info)).scale(0), volume, "tensorstore");
    const files = readdirSync(join(theirs, "s0")).sort();
    expect(files.length).toBeGreaterThan(4);
    expect(readdirSync(join(ours, "s0")).sort()).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(ours, "s0", f)).equals(readFileSync(join(theirs, "s0", f))), `s0/${f} differs`).toBe(true);
    }
  });

  it("unsharded compressed_segmentation chunk files are byte-identical", async () => {
    const c = CASES[3]!;
    const info = infoOf(c);
    const volume = labels(c);
    const theirs = tempDir("precomputed");
    tensorstoreWrite(theirs, info, volume);
    const ours = tempDir("precomputed");
    await braidWrite((await createPrecomputed(fileUrl(ours), info)).scale(0), volume, "tensorstore");
    const files = readdirSync(join(theirs, "s0")).sort();
    expect(readdirSync(join(ours, "s0")).sort()).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(ours, "s0", f)).equals(readFileSync(join(theirs, "s0", f))), `s0/${f} differs`).toBe(true);
    }
  });
});

describe("precomputed on gs:// (fake-gcs-server)", () => {
  let gcs: FakeGcs;
  const saved = process.env.STORAGE_EMULATOR_HOST;

  beforeAll(async () => {
    gcs = await startFakeGcs();
    await gcs.createBucket("braid-test");
    process.env.STORAGE_EMULATOR_HOST = gcs.url;
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = saved;
    await gcs?.stop();
  });

  it("writes the same objects as on disk, and both read back voxel-exactly", async () => {
    const c = CASES[0]!;
    const info = infoOf(c);
    const volume = labels(c);
    const domain: VoxelBox = { origin: c.offset, shape: c.size };
    const dir = tempDir("precomputed");
    const url = "gs://braid-test/volumes/interop";
    await braidWrite((await createPrecomputed(fileUrl(dir), info)).scale(0), volume, "indexes-at-end");
    await braidWrite((await createPrecomputed(url, info)).scale(0), volume, "indexes-at-end");

    const bucket = await openStorage(url);
    const keys: string[] = [];
    for await (const k of bucket.list()) keys.push(k);
    const local = ["info", ...readdirSync(join(dir, "s0")).map((f) => `s0/${f}`)];
    expect(keys.sort()).toEqual(local.sort());
    for (const k of local) {
      const remote = await bucket.read(k);
      expect(remote && Buffer.from(remote).equals(readFileSync(join(dir, k))), `${k} differs`).toBe(true);
    }

    for (const where of [url, fileUrl(dir)]) {
      const scale = (await openPrecomputed(where)).scale(0);
      for (const box of probeBoxes(c)) {
        expectSameVoxels(await scale.readRegion(box), crop(volume, domain, box), `${where} ${JSON.stringify(box)}`);
      }
    }

    // TensorStore reads the bucket through the same emulator.
    const read = tensorstoreReadBox(url, info, undefined, { TENSORSTORE_GCS_HTTP_URL: gcs.url });
    expectSameVoxels(read, volume, "TensorStore via gs://");
  });
});

/**
 * Precomputed volumes without a reference component: the `info` model against
 * docs/formats/precomputed.md §1.7 and sharded.md §2.10 and the real mCNS spec, scale geometry and downsampled scales (domains checked
 * against TensorStore's downsample), the docs/formats/sharded.md §2.10(b) shard bytes, malformed shard files and
 * atomic shard writes.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BraidError,
  chunkIdsInShard,
  createPrecomputed,
  downsampledScale,
  infoFromSpec,
  openPrecomputed,
  openStorage,
  parseInfo,
  ScaleGeometry,
  serializeInfo,
  type PrecomputedInfo,
  type PrecomputedScale,
  type ScaleInfo,
  type ShardingSpec,
  type Storage,
  type Vec3,
} from "braid-seg";
import { dvidData, hex } from "../helpers/data.js";
import { runPython } from "../helpers/python.js";
import { fileUrl, tempDir } from "../helpers/temp.js";

const listDir = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** Storage that logs every read as `describe(key)@offset+length` (or `@all`). */
function countingStorage(inner: Storage, log: string[]): Storage {
  return {
    url: inner.url,
    writable: inner.writable,
    read: (key, range) => {
      log.push(`${inner.describe(key)}@${range && "offset" in range ? `${range.offset}+${range.length}` : "all"}`);
      return inner.read(key, range);
    },
    size: (key) => inner.size(key),
    exists: (key) => inner.exists(key),
    write: (key, data, options) => inner.write(key, data, options),
    createWriter: (key, options) => inner.createWriter(key, options),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    child: (prefix) => countingStorage(inner.child(prefix), log),
    describe: (key) => inner.describe(key),
  };
}

/** Expects `fn` to reject with a BraidError of `code` whose message contains every `parts`. */
async function expectBraidError(fn: () => unknown, code: string, ...parts: string[]): Promise<BraidError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").toBeInstanceOf(BraidError);
  const e = caught as BraidError;
  expect(e.code).toBe(code);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}

// docs/formats/precomputed.md §1.7.
const MCNS_TWO_SCALES = `{"@type":"neuroglancer_multiscale_volume","type":"segmentation","data_type":"uint64","num_channels":1,
 "scales":[
  {"key":"8x8x8","size":[94088,78317,134576],"voxel_offset":[0,0,0],"resolution":[8,8,8],
   "chunk_sizes":[[64,64,64]],"encoding":"compressed_segmentation",
   "compressed_segmentation_block_size":[8,8,8],
   "sharding":{"@type":"neuroglancer_uint64_sharded_v1","hash":"identity","preshift_bits":9,
               "minishard_bits":6,"shard_bits":19,"minishard_index_encoding":"gzip","data_encoding":"gzip"}},
  {"key":"16x16x16","size":[47044,39159,67288],"voxel_offset":[0,0,0],"resolution":[16,16,16],
   "chunk_sizes":[[64,64,64]],"encoding":"compressed_segmentation",
   "compressed_segmentation_block_size":[8,8,8],
   "sharding":{"@type":"neuroglancer_uint64_sharded_v1","hash":"identity","preshift_bits":9,
               "minishard_bits":6,"shard_bits":16,"minishard_index_encoding":"gzip","data_encoding":"gzip"}}]}`;

// docs/formats/sharded.md §2.10(b).
const TINY_INFO: PrecomputedInfo = {
  "@type": "neuroglancer_multiscale_volume",
  type: "segmentation",
  data_type: "uint64",
  num_channels: 1,
  scales: [
    {
      key: "s0",
      size: [4, 4, 4],
      voxel_offset: [0, 0, 0],
      resolution: [8, 8, 8],
      chunk_sizes: [[2, 2, 2]],
      encoding: "compressed_segmentation",
      compressed_segmentation_block_size: [2, 2, 2],
      sharding: {
        "@type": "neuroglancer_uint64_sharded_v1",
        preshift_bits: 1,
        hash: "identity",
        minishard_bits: 1,
        shard_bits: 1,
        minishard_index_encoding: "raw",
        data_encoding: "raw",
      },
    },
  ],
};
const TINY_SHARD_0 = `
340000000000000064000000000000008c00000000000000bc00000000000000
0100000003000001020000000100000001000000000000000700000000000000
0100000002000000020000000200000000000000000000000000000001000000
0000000000000000000000000000000000000000200000000000000014000000
0000000001000000020000000200000003000000000000000100000002000000
0200000004000000000000000200000000000000010000000000000064000000
00000000000000000000000014000000000000001400000000000000`;
const TINY_SHARD_1 = `
280000000000000058000000000000006c000000000000008400000000000000
0100000002000000020000000500000000000000010000000200000002000000
0600000000000000040000000000000001000000000000000000000000000000
0000000000000000140000000000000014000000000000000100000002000000
0200000007000000000000000600000000000000580000000000000014000000
00000000`;

const mcnsSpec = () => JSON.parse(readFileSync(dvidData("mcns-export-specs.json"), "utf8")) as Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("info", () => {
  it("parses the §1.7 example and round-trips it through serializeInfo", () => {
    const info = parseInfo(MCNS_TWO_SCALES);
    expect(info.scales.map((s) => s.key)).toEqual(["8x8x8", "16x16x16"]);
    expect(info.scales[0]!.sharding).toEqual({
      "@type": "neuroglancer_uint64_sharded_v1",
      hash: "identity",
      preshift_bits: 9,
      minishard_bits: 6,
      shard_bits: 19,
      minishard_index_encoding: "gzip",
      data_encoding: "gzip",
    });
    const text = serializeInfo(info);
    expect(parseInfo(text)).toEqual(info);
    expect(JSON.parse(text)).toEqual(JSON.parse(MCNS_TWO_SCALES));
  });

  it("writes defaults explicitly: @type, voxel_offset and raw sharding encodings", () => {
    const spec = clone(TINY_INFO) as Record<string, unknown> & { scales: Record<string, unknown>[] };
    delete spec["@type"];
    delete spec.scales[0]!.voxel_offset;
    const sharding = spec.scales[0]!.sharding as Record<string, unknown>;
    delete sharding.minishard_index_encoding;
    delete sharding.data_encoding;
    const written = JSON.parse(serializeInfo(parseInfo(spec))) as typeof TINY_INFO;
    expect(written).toEqual(TINY_INFO);
    expect(Object.keys(written)[0]).toBe("@type");
  });

  it("builds the real mCNS spec (10 scales) with infoFromSpec and round-trips it", () => {
    const spec = mcnsSpec();
    const info = infoFromSpec(spec);
    expect(info.scales).toHaveLength(10);
    expect(info.type).toBe("segmentation");
    expect(parseInfo(serializeInfo(info))).toEqual(info);
    expect(JSON.parse(serializeInfo(info))).toEqual(spec);

    // The spec without `type` (as tensorstore-export's examples are) gets "segmentation"; extra keys stay.
    const { type: _type, ...untyped } = spec;
    const withMesh = infoFromSpec({ ...untyped, mesh: "mesh", segment_properties: "props" });
    expect(withMesh.type).toBe("segmentation");
    expect(JSON.parse(serializeInfo(withMesh))).toMatchObject({ mesh: "mesh", segment_properties: "props" });
    expect(() => parseInfo(untyped)).toThrow(/type/);
  });

  it("rejects sharding bits that do not cover the chunk grid, naming the numbers", async () => {
    const spec = clone(mcnsSpec()) as { scales: Array<{ sharding: { shard_bits: number } }> };
    spec.scales[0]!.sharding.shard_bits = 18;
    await expectBraidError(() => infoFromSpec(spec), "SPEC_INVALID", '"8x8x8"', "shard_bits 18", "33 bits", "34 Morton bits");
    // Murmur hashes every id bit above the preshift: the same counts are valid there.
    (spec.scales[0]!.sharding as Record<string, unknown>).hash = "murmurhash3_x86_128";
    expect(infoFromSpec(spec).scales[0]!.sharding!.shard_bits).toBe(18);
  });

  it("rejects malformed scales with the scale and field named", async () => {
    type Edit = (scale: Record<string, unknown>, info: Record<string, unknown>) => void;
    const sharding = (s: Record<string, unknown>) => s.sharding as Record<string, unknown>;
    const cases: Array<[Edit, ...string[]]> = [
      [(s) => delete s.compressed_segmentation_block_size, '"s0"', "compressed_segmentation_block_size", "required"],
      [(s) => (s.encoding = "raw"), '"s0"', "compressed_segmentation_block_size", "only valid"],
      [(s) => (s.chunk_sizes = []), '"s0"', "chunk_sizes"],
      [(s) => (s.chunk_sizes = [[2, 2, 2], [4, 4, 4]]), '"s0"', "exactly one chunk size"],
      [(s) => (s.size = [4, -1, 4]), '"s0"', "size[1]"],
      [(s) => (sharding(s).hash = "sha1"), '"s0"', "sharding.hash"],
      [(s) => (sharding(s).minishard_bits = 33), '"s0"', "minishard_bits"],
      [(s) => (sharding(s).data_encoding = "zstd"), '"s0"', "data_encoding"],
      [(_s, i) => (i.data_type = "float32"), "data_type", "segmentation"],
      [(_s, i) => ((i.data_type = "uint8"), (i.type = "image")), '"s0"', "uint32 or uint64"],
      [(_s, i) => (i.num_channels = 2), "num_channels"],
      [(_s, i) => (i["@type"] = "neuroglancer_skeletons"), "@type"],
    ];
    for (const [edit, ...parts] of cases) {
      const info = clone(TINY_INFO) as unknown as Record<string, unknown> & { scales: Record<string, unknown>[] };
      edit(info.scales[0]!, info);
      await expectBraidError(() => parseInfo(info), "SPEC_INVALID", ...parts);
    }
    await expectBraidError(() => parseInfo("{not json"), "SPEC_INVALID", "JSON");
    // TensorStore reads `"sharding": null` as unsharded.
    const nullSharding = clone({ ...TINY_INFO, scales: [{ ...TINY_INFO.scales[0], sharding: null }] });
    expect(parseInfo(nullSharding).scales[0]!.sharding).toBeUndefined();
  });
});

describe("scale geometry", () => {
  it("clips edge chunks and names unsharded chunks by absolute voxel ranges (§1.3)", () => {
    const scale = (offset: Vec3): ScaleInfo => ({
      key: "s",
      size: [100, 50, 20],
      voxel_offset: offset,
      resolution: [8, 8, 8],
      chunk_sizes: [[64, 64, 64]],
      encoding: "raw",
    });
    const g = new ScaleGeometry(scale([10, 20, 30]));
    expect(g.gridShape).toEqual([2, 1, 1]);
    expect(g.chunkKey([0, 0, 0])).toBe("10-74_20-70_30-50");
    expect(g.chunkKey([1, 0, 0])).toBe("74-110_20-70_30-50");
    expect(g.chunkBox([1, 0, 0])).toEqual({ origin: [74, 20, 30], shape: [36, 50, 20] });
    expect(new ScaleGeometry(scale([0, 0, 0])).chunkKey([1, 0, 0])).toBe("64-100_0-50_0-20");
    expect(g.cellsInBox({ origin: [73, 20, 30], shape: [2, 1, 1] })).toEqual([
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(g.cellsInBox({ origin: [80, 20, 30], shape: [30, 50, 20] })).toEqual([[1, 0, 0]]);
    expect(() => g.chunkBox([2, 0, 0])).toThrow(BraidError);
  });

  it("places mCNS chunks in shards and minishards (§2.3) and lays out shard boxes (§2.9)", () => {
    const info = infoFromSpec(mcnsSpec());
    const s0 = new ScaleGeometry(info.scales[0]!);
    const [a, b, c] = s0.place([
      [509, 413, 469],
      [1470, 1223, 2102],
      [1, 2, 3],
    ]);
    expect(a).toEqual({ chunkId: 0x7f4f7c7n, shard: 4073n, minishard: 59n });
    expect(s0.shardFile(a!.shard)).toBe("00fe9.shard");
    expect(b).toEqual({ chunkId: 11834938362n, shard: 361173n, minishard: 41n });
    expect(s0.shardFile(b!.shard)).toBe("582d5.shard");
    expect(c).toEqual({ chunkId: 53n, shard: 0n, minishard: 0n });

    const s1 = new ScaleGeometry(info.scales[1]!);
    const shards = s1.shards()!;
    expect(shards).toHaveLength(23 * 20 * 33);
    const s4073 = shards.find((s) => s.shard === 4073n)!;
    expect(s4073).toEqual({
      shard: 4073n,
      file: "0fe9.shard",
      cellOrigin: [480, 384, 448],
      cellShape: [32, 32, 32],
      voxels: { origin: [30720, 24576, 28672], shape: [2048, 2048, 2048] },
    });
    // The last shard along each axis is clipped to the grid and the volume.
    const last = shards.at(-1)!;
    expect(last.cellShape).toEqual([736 - 704, 612 - 608, 1052 - 1024]);
    expect(last.voxels).toEqual({ origin: [45056, 38912, 65536], shape: [47044 - 45056, 39159 - 38912, 67288 - 65536] });
    expect(shards.reduce((n, s) => n + s.cellShape[0] * s.cellShape[1] * s.cellShape[2], 0)).toBe(s1.chunkCount);

    const s8 = new ScaleGeometry(info.scales[8]!);
    expect(s8.gridShape).toEqual([6, 5, 9]);
    expect(s8.shards()!.map((s) => s.cellShape)).toEqual([[6, 5, 9]]);
  });

  it("downsampledScale reproduces the mCNS pyramid sizes and shard bits", () => {
    const info = infoFromSpec(mcnsSpec());
    let scale = info.scales[0]!;
    for (let i = 1; i < info.scales.length; i++) {
      scale = downsampledScale(scale, [2, 2, 2]);
      const expected = info.scales[i]!;
      expect(scale.key).toBe(expected.key);
      expect(scale.size).toEqual(expected.size);
      expect(scale.voxel_offset).toEqual([0, 0, 0]);
      expect(scale.resolution).toEqual(expected.resolution);
      const { preshift_bits: p, minishard_bits: m, shard_bits: s } = scale.sharding!;
      // The spec's own choice differs from 1024³ down (it lowers the minishard bits instead).
      if (i <= 6) expect(scale.sharding).toEqual(expected.sharding);
      expect([p, m]).toEqual([9, 6]);
      const bits = new ScaleGeometry(scale).mortonBits;
      expect(s).toBe(Math.max(0, bits[0] + bits[1] + bits[2] - 15));
      // Every level is itself a valid scale.
      parseInfo({ ...info, scales: [scale] });
    }
    expect(downsampledScale(info.scales[0]!, [2, 2, 2]).size).toEqual([47044, 39159, 67288]);
  });

  it("downsampledScale uses TensorStore's domain rule for odd and negative offsets", () => {
    const base: ScaleInfo = {
      key: "8_8_40",
      size: [10, 7, 5],
      voxel_offset: [3, -3, 5],
      resolution: [8, 8, 40],
      chunk_sizes: [[4, 4, 4]],
      encoding: "raw",
    };
    const next = downsampledScale(base, [2, 3, 1]);
    expect(next).toEqual({ ...base, key: "16_24_40", size: [6, 3, 5], voxel_offset: [1, -1, 5], resolution: [16, 24, 40] });
    // TensorStore's own downsample of the same domain.
    const dir = tempDir("precomputed");
    writeFileSync(join(dir, "in.raw"), new Uint8Array(8 * 10 * 7 * 5));
    const ref = JSON.parse(
      runPython("downsample_reference.py", [
        join(dir, "in.raw"),
        join(dir, "out.raw"),
        ...["--shape", "10", "7", "5", "--origin", "3", "-3", "5", "--factors", "2", "3", "1"],
      ]),
    ) as { origin: number[]; shape: number[] };
    expect(ref).toMatchObject({ origin: next.voxel_offset, shape: next.size });
    // An empty axis stays empty.
    expect(downsampledScale({ ...base, size: [0, 7, 5] }, [2, 2, 2]).size).toEqual([0, 4, 3]);
    expect(() => downsampledScale(base, [0, 2, 2])).toThrow(/factors/);
  });
});

/** The docs/formats/sharded.md §2.10(b) labels: chunk (1,1,1) all 0, voxel (0,0,0) = 7, every other voxel 1 + its chunk id. */
function tinyChunk(scale: PrecomputedScale, id: bigint): BigUint64Array | undefined {
  const cell = scale.geometry.cells(BigUint64Array.of(id))[0]!;
  if (cell.join() === "1,1,1") return undefined;
  const v = new BigUint64Array(8).fill(id + 1n);
  if (id === 0n) v[0] = 7n;
  return v;
}

async function writeTinyVolume(url: string): Promise<PrecomputedScale> {
  const scale = (await createPrecomputed(url, TINY_INFO)).scale(0);
  const spec = scale.info.sharding!;
  for (const shard of [0n, 1n]) {
    const ids = chunkIdsInShard(spec, [4, 4, 4], [2, 2, 2], shard);
    const chunks = [...ids].flatMap((chunkId) => {
      const v = tinyChunk(scale, chunkId);
      return v ? [{ chunkId, payload: scale.encodeChunk(scale.geometry.cells(BigUint64Array.of(chunkId))[0]!, v) }] : [];
    });
    await scale.writeShard(shard, chunks, { layout: "tensorstore" });
  }
  return scale;
}

describe("shards", () => {
  it("writes the §2.10(b) volume byte for byte and reads it back", async () => {
    const dir = tempDir("precomputed");
    await writeTinyVolume(fileUrl(dir));
    expect(readFileSync(join(dir, "s0/0.shard"))).toEqual(Buffer.from(hex(TINY_SHARD_0)));
    expect(readFileSync(join(dir, "s0/1.shard"))).toEqual(Buffer.from(hex(TINY_SHARD_1)));
    expect(JSON.parse(readFileSync(join(dir, "info"), "utf8"))).toEqual(TINY_INFO);

    const volume = await openPrecomputed(fileUrl(dir));
    const s0 = volume.scale("s0");
    expect(await s0.listChunkIds(0n)).toEqual(BigUint64Array.of(0n, 1n, 2n, 3n));
    expect(await s0.listChunkIds(1n)).toEqual(BigUint64Array.of(4n, 5n, 6n));
    expect(await s0.readChunk([1, 1, 1])).toBeUndefined();
    expect(await s0.readChunk([1, 0, 1])).toEqual(new BigUint64Array(8).fill(6n));
    const region = await s0.readRegion({ origin: [0, 0, 0], shape: [4, 4, 4] });
    expect(region[0]).toBe(7n);
    expect(region[1]).toBe(1n);
    expect(region[3 + 4 * (3 + 4 * 3)]).toBe(0n);
    expect(region[2 + 4 * (1 + 4 * 3)]).toBe(6n);
    // A shard that was never written reads as missing chunks.
    await expect(s0.listChunkIds(3n)).resolves.toHaveLength(0);
  });

  it("reads a batch of stored chunks in one range request per shard, and names a chunk cut short", async () => {
    const dir = tempDir("precomputed");
    await writeTinyVolume(fileUrl(dir));
    const reads: string[] = [];
    const s0 = (await openPrecomputed(countingStorage(await openStorage(fileUrl(dir)), reads))).scale(0) as PrecomputedScale;
    const cells: Vec3[] = [];
    for (let z = 0; z < 2; z++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) cells.push([x, y, z]);
    const one = await Promise.all(cells.map((c) => s0.readEncodedChunk(c)));
    reads.length = 0;
    const batch = await s0.readStoredChunks(cells);
    // Indexes are cached by now: the 4 + 3 stored chunks of the two shards lie back to back.
    expect(reads).toHaveLength(2);
    expect(batch.map((b) => b && Buffer.from(b).toString("hex"))).toEqual(one.map((b) => b && Buffer.from(b).toString("hex")));
    expect(batch.filter((b) => b === undefined)).toHaveLength(1);

    // The file loses its last byte after its indexes were read: the chunk ending there is named.
    const file = join(dir, "s0/1.shard");
    const bytes = readFileSync(file);
    const [, offset, length] = /@(\d+)\+(\d+)$/.exec(reads.find((r) => r.includes("1.shard"))!)!;
    writeFileSync(file, bytes.subarray(0, Number(offset) + Number(length) - 1));
    const e = await expectBraidError(() => s0.readStoredChunks(cells), "SHARD_CORRUPT", "1.shard", "extend past the end of the file");
    expect(e.file).toContain("1.shard");
    // The same chunk fails when each is read alone.
    const alone = await Promise.all(cells.map((c) => s0.readEncodedChunk(c).then(() => undefined, (x: unknown) => (x as BraidError).chunk)));
    expect(alone.filter((c) => c !== undefined)).toEqual([e.chunk]);
  });

  it("reads sharded chunks with byte ranges and caches the indexes in a bounded LRU", async () => {
    const dir = tempDir("precomputed");
    await writeTinyVolume(fileUrl(dir));
    const reads: string[] = [];
    const storage = countingStorage(await openStorage(fileUrl(dir)), reads);
    const everything = { origin: [0, 0, 0] as Vec3, shape: [4, 4, 4] as Vec3 };

    const cached = await openPrecomputed(storage, { cacheBytes: 1 << 20 });
    reads.length = 0;
    const first = await cached.scale(0).readRegion(everything);
    // Per shard: one index read, one per non-empty minishard, one per stored chunk (4 + 3).
    expect(reads.filter((r) => r.endsWith("@0+32"))).toHaveLength(2);
    expect(reads).toHaveLength(2 + 4 + 7);
    expect(reads.every((r) => /\.shard@\d+\+\d+$/.test(r))).toBe(true);
    reads.length = 0;
    expect(await cached.scale(0).readRegion(everything)).toEqual(first);
    expect(reads).toHaveLength(7);
    expect(cached.cache.bytes).toBeGreaterThan(0);
    expect(cached.cache.bytes).toBeLessThanOrEqual(1 << 20);

    // A budget smaller than one index keeps nothing: every read goes back to storage.
    const uncached = await openPrecomputed(storage, { cacheBytes: 16 });
    reads.length = 0;
    await uncached.scale(0).readRegion(everything);
    await uncached.scale(0).readRegion(everything);
    expect(reads).toHaveLength(2 * 13);
    expect(uncached.cache.bytes).toBe(0);
  });

  it("writes no file for a shard without chunks and deletes a stale one", async () => {
    const dir = tempDir("precomputed");
    const scale = await writeTinyVolume(fileUrl(dir));
    await expect(scale.writeShard(1n, [])).resolves.toEqual({ file: "1.shard", chunkCount: 0, bytes: 0 });
    expect(readdirSync(join(dir, "s0"))).toEqual(["0.shard"]);
    expect(await scale.readChunk([0, 0, 1])).toBeUndefined();
  });

  it("refuses to overwrite an info unless asked", async () => {
    const dir = tempDir("precomputed");
    await createPrecomputed(fileUrl(dir), TINY_INFO);
    await expectBraidError(() => createPrecomputed(fileUrl(dir), TINY_INFO), "ALREADY_EXISTS", "info");
    const changed = { ...TINY_INFO, mesh: "mesh" };
    await createPrecomputed(fileUrl(dir), changed, { overwrite: true });
    expect((await openPrecomputed(fileUrl(dir))).info.mesh).toBe("mesh");
    await expectBraidError(() => openPrecomputed(fileUrl(tempDir("precomputed"))), "NOT_FOUND", "info");
  });

  it("leaves nothing at the key when the chunk source fails midway", async () => {
    const dir = tempDir("precomputed");
    const scale = (await createPrecomputed(fileUrl(dir), TINY_INFO)).scale(0);
    async function* failing() {
      // More than the writer buffers, so part of the shard has already gone to storage.
      yield { chunkId: 0n, payload: randomBytes(5 << 20) };
      yield { chunkId: 1n, payload: randomBytes(1 << 20) };
      throw new Error("source went away");
    }
    const e = await expectBraidError(() => scale.writeShard(0n, failing()), "INTERNAL", "0.shard", "source went away");
    expect(e.file).toBe(join(dir, "s0/0.shard"));
    expect(listDir(join(dir, "s0"))).toEqual([]);
    expect(listDir(dir).filter((f) => f !== "s0")).toEqual(["info"]);

    // A chunk of another shard is rejected by the writer, named, and leaves nothing either.
    const foreign = [{ chunkId: 4n, payload: new Uint8Array(4) }];
    const rejected = await expectBraidError(() => scale.writeShard(0n, foreign), "CHUNK_NOT_IN_SHARD", "0.shard", "chunk 4");
    expect(rejected.chunk).toBe(4n);
    expect(listDir(join(dir, "s0"))).toEqual([]);
  });
});

describe("unsharded chunks", () => {
  it("stores non-zero chunks under their voxel-range keys and deletes a chunk rewritten as zeros", async () => {
    const dir = tempDir("precomputed");
    const info = clone(TINY_INFO) as PrecomputedInfo;
    delete info.scales[0]!.sharding;
    info.scales[0]!.voxel_offset = [10, 20, 30];
    const scale = (await createPrecomputed(fileUrl(dir), info)).scale(0);
    const labels = BigUint64Array.from({ length: 8 }, (_, i) => BigInt(i) + 2n ** 60n);
    expect(await scale.writeChunk([1, 0, 1], labels)).toBe(true);
    expect(listDir(join(dir, "s0"))).toEqual(["12-14_20-22_32-34"]);
    expect(await scale.readChunk([1, 0, 1])).toEqual(labels);
    expect(await scale.readChunk([0, 0, 0])).toBeUndefined();
    expect(await scale.readEncodedChunk([1, 0, 1])).toEqual(scale.encodeChunk([1, 0, 1], labels));
    expect(await scale.writeChunk([1, 0, 1], new BigUint64Array(8))).toBe(false);
    expect(listDir(join(dir, "s0"))).toEqual([]);
    await expectBraidError(() => scale.writeChunk([0, 0, 0], new BigUint64Array(7)), "SIZE_MISMATCH", "chunk (0,0,0)", "2×2×2");
    await expectBraidError(() => scale.writeShard(0n, []), "INVALID_ARGUMENT", "not sharded");
    const sharded = (await createPrecomputed(fileUrl(tempDir("precomputed")), TINY_INFO)).scale(0);
    await expectBraidError(() => sharded.writeChunk([0, 0, 0], labels), "INVALID_ARGUMENT", "is sharded");
  });
});

describe("malformed shard files", () => {
  /** The tiny volume with gzip data and minishard indexes, and a way to corrupt s0/0.shard. */
  async function corrupted(
    edit: (bytes: Uint8Array) => Uint8Array,
    encodings: Pick<ShardingSpec, "data_encoding" | "minishard_index_encoding"> = { data_encoding: "gzip", minishard_index_encoding: "gzip" },
  ): Promise<{ scale: PrecomputedScale; file: string }> {
    const dir = tempDir("precomputed");
    const info = clone(TINY_INFO) as PrecomputedInfo;
    info.scales[0]!.sharding = { ...info.scales[0]!.sharding!, ...encodings };
    const scale = (await createPrecomputed(fileUrl(dir), info)).scale(0);
    const chunks = [0n, 1n, 2n, 3n].map((chunkId) => ({
      chunkId,
      payload: scale.encodeChunk(scale.geometry.cells(BigUint64Array.of(chunkId))[0]!, tinyChunk(scale, chunkId)!),
    }));
    await scale.writeShard(0n, chunks);
    const file = join(dir, "s0/0.shard");
    writeFileSync(file, edit(new Uint8Array(readFileSync(file))));
    return { scale: (await openPrecomputed(fileUrl(dir))).scale(0), file };
  }

  const u64 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(at, true);
  const setU64 = (bytes: Uint8Array, at: number, v: bigint) => new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at, v, true);

  it("a truncated shard index", async () => {
    const { scale, file } = await corrupted((b) => b.slice(0, 20));
    const e = await expectBraidError(() => scale.readChunk([0, 0, 0]), "SHARD_CORRUPT", file, "chunk 0", "truncated");
    expect(e.chunk).toBe(0n);
    await expectBraidError(() => scale.readRegion({ origin: [0, 0, 0], shape: [4, 4, 2] }), "SHARD_CORRUPT", file, "truncated");
    await expectBraidError(() => scale.listChunkIds(0n), "SHARD_CORRUPT", file, "truncated");
  });

  it("a minishard index past the end of the file", async () => {
    const { scale, file } = await corrupted((b) => {
      setU64(b, 8, u64(b, 8) + 1000n);
      return b;
    });
    await expectBraidError(() => scale.readChunk([1, 0, 0]), "SHARD_CORRUPT", file, "chunk 1", "minishard 0 index", "past the end");
  });

  it("a chunk past the end of the file", async () => {
    // With a raw minishard index the sizes row can be edited: minishard 0 lists ids 0 and 1,
    // rows [ids][offsets][sizes] of 2 u64 each; make chunk 0 end far past the file.
    const { scale, file } = await corrupted(
      (b) => {
        setU64(b, 32 + Number(u64(b, 0)) + 32, 100_000n);
        return b;
      },
      { data_encoding: "raw", minishard_index_encoding: "raw" },
    );
    await expectBraidError(() => scale.readChunk([0, 0, 0]), "SHARD_CORRUPT", file, "chunk 0", "past the end");
    // Chunk ids are still listed; their bytes are what is missing.
    expect(await scale.listChunkIds(0n)).toEqual(BigUint64Array.of(0n, 1n, 2n, 3n));
    await expectBraidError(async () => {
      for await (const _ of scale.readShardChunks(0n)) void _;
    }, "SHARD_CORRUPT", file, "chunk 0");
  });

  it("bad gzip in a chunk and in a minishard index", async () => {
    // Chunk payloads come first in the indexes-at-end layout; the first payload starts at 32.
    const { scale, file } = await corrupted((b) => {
      b[32 + 10] = b[32 + 10]! ^ 0xff;
      return b;
    });
    const e = await expectBraidError(() => scale.readChunk([0, 0, 0]), "GZIP_CORRUPT", file, "chunk 0");
    expect(e.file).toBe(file);
    await expect(scale.readChunk([1, 0, 0])).resolves.toEqual(new BigUint64Array(8).fill(2n));

    const { scale: s2, file: f2 } = await corrupted((b) => {
      const start = 32 + Number(u64(b, 0));
      b[start + 12] = b[start + 12]! ^ 0xff;
      return b;
    });
    await expectBraidError(() => s2.readChunk([1, 0, 0]), "SHARD_CORRUPT", f2, "chunk 1", "minishard 0 index", "gzip");
  });

  it("a cseg payload that does not decode", async () => {
    const dir = tempDir("precomputed");
    const scale = (await createPrecomputed(fileUrl(dir), TINY_INFO)).scale(0);
    await scale.writeShard(0n, [{ chunkId: 2n, payload: Uint8Array.of(1, 0, 0, 0, 9, 9, 9, 9) }]);
    const e = await expectBraidError(() => scale.readChunk([0, 1, 0]), "CSEG_CORRUPT", join(dir, "s0/0.shard"), "chunk 2");
    expect(e.chunk).toBe(2n);
  });
});

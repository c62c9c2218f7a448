import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as braid from "braid-seg";
import { readRealShard } from "./helpers/arrow.js";
import { dvidData, hex, readGzVolume, rng, sha256 } from "./helpers/data.js";

const {
  BraidError,
  decodeCompressedSegmentation,
  decodeDvidBlock,
  encodeCompressedSegmentation,
  encodeDvidBlock,
  gunzip,
  gzip,
  transcodeDvidBlock,
  zstdCompress,
  zstdDecompress,
} = braid;

const bytesOf = (w: Uint32Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
const records = readRealShard();

describe(`codec on the ${process.env.BRAID_BACKEND ?? "default"} backend`, () => {
  it("uses the backend the environment asked for", () => {
    expect(braid.backend).toBe(process.env.BRAID_BACKEND ?? "native");
  });

  it("decodes the real fib19 block to its ground-truth volume voxel for voxel", () => {
    const block = gunzipSync(readFileSync(dvidData("fib19-64x64x64-sample1-block.dat.gz")));
    expect(sha256(block)).toBe("34b960406c837c9beff901506eedd0e7e447f69306843308ea8ad96773022e6e");
    const decoded = decodeDvidBlock(block);
    expect(decoded.shape).toEqual([64, 64, 64]);
    const truth = readGzVolume("fib19-64x64x64-sample1.dat.gz");
    expect(sha256(decoded.data)).toBe("112f124dbf2c5256389d1481e41e6d436e201c0a7fcff0ea3e0880f809373304");
    expect(decoded.data).toEqual(truth);
  });

  it("decodes all 258 blocks of the real export shard in both label modes", () => {
    expect(records).toHaveLength(258);
    let remapped = 0;
    for (const r of records) {
      const bodies = decodeDvidBlock(r.block, { labels: r.labels });
      const svs = decodeDvidBlock(r.block);
      expect(bodies.shape).toEqual([64, 64, 64]);
      // Positional remap: every voxel's body is labels[i] where supervoxels[i] is its supervoxel.
      const bodyOf = new Map<bigint, bigint>();
      r.supervoxels.forEach((sv, i) => bodyOf.set(sv, r.labels[i]!));
      for (let i = 0; i < svs.data.length; i += 997) {
        expect(bodies.data[i]).toBe(bodyOf.get(svs.data[i]!));
      }
      if (!r.labels.every((l, i) => l === r.supervoxels[i])) remapped++;
    }
    expect(remapped).toBe(197);
    const first = decodeDvidBlock(records[0]!.block, { labels: records[0]!.labels });
    expect(sha256(first.data)).toBe("5f63c539d483d1e147776a8fed1097b472745a649397be9078234d4f564ac1f1");
  });

  it("encodes the compressed_segmentation vectors byte for byte", () => {
    expect(bytesOf(encodeCompressedSegmentation(new BigUint64Array([4n, 0n, 4n, 0n]), [2, 2, 1], [2, 2, 1]))).toEqual(
      hex("0100000003000001020000000500000000000000000000000400000000000000"),
    );
    const partial = encodeCompressedSegmentation(new BigUint64Array([5n, 5n, 7n, 5n, 9n, 9n]), [3, 2, 1], [2, 2, 1]);
    expect(bytesOf(partial)).toEqual(
      hex(
        "0100000005000001040000000a00000109000000080000000500000000000000" +
          "09000000000000000400000007000000000000000900000000000000",
      ),
    );
    const cached = [4, 3, 5, 4, 1, 3, 3, 3, 3, 1, 1, 1, 5, 5, 3, 4];
    const enc32 = encodeCompressedSegmentation(Uint32Array.from(cached), [2, 2, 4], [2, 2, 1]);
    expect(bytesOf(enc32.subarray(1))).toEqual(
      hex(
        "09000002080000000d0000010c0000000d0000010f0000000900000210000000" +
          "610000000300000004000000050000000e000000010000000300000001000000" +
          "4a000000",
      ),
    );
    const solid = encodeCompressedSegmentation(new BigUint64Array(1 << 18).fill(0x0123456789abcdefn), [64, 64, 64]);
    expect(sha256(solid)).toBe("c1c95a1b36a53239019b43839487ca9f1417570ccbae6af68d2a0c85c9baf00c");
    const sample1 = encodeCompressedSegmentation(readGzVolume("fib19-64x64x64-sample1.dat.gz"), [64, 64, 64]);
    expect(sample1.byteLength).toBe(23988);
    expect(sha256(sample1)).toBe("7131875b68c18eb189d1ea36fe6a6e00eb77b21929a8013588c2cc14821d07a0");
  });

  it("round-trips fib19 sample2 and random volumes at every encoding width and odd shapes", () => {
    const sample2 = readGzVolume("fib19-64x64x64-sample2.dat.gz");
    const enc = encodeCompressedSegmentation(sample2, [64, 64, 64]);
    expect(decodeCompressedSegmentation(enc, [64, 64, 64])).toEqual(sample2);

    const next = rng();
    // Distinct labels per block chosen to hit widths 0, 1, 2, 4, 8, 16 (and 32 with a big block).
    const cases: Array<[number, [number, number, number], [number, number, number]]> = [
      [1, [9, 10, 11], [8, 8, 8]],
      [2, [13, 7, 5], [8, 8, 8]],
      [4, [17, 9, 3], [4, 4, 4]],
      [16, [31, 8, 8], [8, 8, 8]],
      [200, [8, 8, 8], [8, 8, 8]],
      [400, [8, 8, 8], [8, 8, 8]],
      [70_000, [256, 256, 2], [256, 256, 2]],
    ];
    for (const [distinct, shape, block] of cases) {
      const labels = Array.from({ length: distinct }, () => next());
      const n = shape[0] * shape[1] * shape[2];
      const v = BigUint64Array.from({ length: n }, (_, i) => labels[i < distinct ? i : Number(next() % BigInt(distinct))]!);
      const e = encodeCompressedSegmentation(v, shape, block);
      const bits = e[1]! >>> 24;
      expect(decodeCompressedSegmentation(e, shape, { blockSize: block })).toEqual(v);
      if (distinct === 70_000) expect(bits).toBe(32);
      const v32 = Uint32Array.from(v, (x) => Number(x & 0xffffffffn));
      const e32 = encodeCompressedSegmentation(v32, shape, block);
      expect(decodeCompressedSegmentation(e32, shape, { blockSize: block, dataType: "uint32" })).toEqual(v32);
    }
  });

  it("transcodes real blocks to the same bytes as decode → crop → encode, and gzips them", () => {
    const shapes: Array<[number, number, number]> = [[64, 64, 64], [64, 45, 64], [61, 62, 63], [1, 64, 8]];
    for (const r of records.slice(0, 40)) {
      for (const extent of shapes) {
        const fused = transcodeDvidBlock(r.block, { labels: r.labels, extent, uncompressedSize: r.uncompressedSize });
        const full = decodeDvidBlock(r.block, { labels: r.labels }).data;
        const cropped = new BigUint64Array(extent[0] * extent[1] * extent[2]);
        let k = 0;
        for (let z = 0; z < extent[2]; z++)
          for (let y = 0; y < extent[1]; y++)
            for (let x = 0; x < extent[0]; x++) cropped[k++] = full[x + 64 * (y + 64 * z)]!;
        if (cropped.every((v) => v === 0n)) {
          expect(fused).toBeNull();
          continue;
        }
        expect(fused).toEqual(bytesOf(encodeCompressedSegmentation(cropped, extent)));
      }
    }
    const first = transcodeDvidBlock(records[0]!.block, { labels: records[0]!.labels });
    expect(first!.byteLength).toBe(4644);
    expect(sha256(first!)).toBe("4e5e65541b9f60fb65845b33be29b6eed613049d5198e008dd6dd33b1e1dc4a3");
    const zipped = transcodeDvidBlock(records[0]!.block, { labels: records[0]!.labels, gzip: true })!;
    expect(Array.from(zipped.subarray(0, 4))).toEqual([0x1f, 0x8b, 8, 0]);
    expect(gunzip(zipped)).toEqual(first);
    expect(gunzipSync(zipped)).toEqual(Buffer.from(first!));
  });

  it("returns null for chunks whose mapped voxels are all zero", () => {
    const zero = encodeDvidBlock(new BigUint64Array(64 ** 3), [64, 64, 64]);
    expect(transcodeDvidBlock(zero)).toBeNull();
    const mixed = new BigUint64Array(64 ** 3).map((_, i) => (i % 64 < 32 ? 0n : 7n));
    const block = encodeDvidBlock(mixed, [64, 64, 64]);
    expect(transcodeDvidBlock(block, { extent: [32, 64, 64] })).toBeNull();
    expect(transcodeDvidBlock(block, { extent: [33, 64, 64] })).not.toBeNull();
  });

  it("encodes DVID blocks that decode back, zstd-wrapped like the exporter", () => {
    const shape: [number, number, number] = [24, 16, 8];
    const next = rng(7n);
    const v = BigUint64Array.from({ length: 24 * 16 * 8 }, () => next() % 5n);
    const block = encodeDvidBlock(v, shape, { zstdLevel: 3 });
    expect(Array.from(block.subarray(0, 4))).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(decodeDvidBlock(block)).toEqual({ data: v, shape });
    expect(encodeDvidBlock(new BigUint64Array(512).fill(42n), [8, 8, 8])).toEqual(
      hex("010000000100000001000000010000002a00000000000000"),
    );
  });

  it("round-trips gzip and zstd", () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 251);
    expect(gunzip(gzip(data, 9))).toEqual(data);
    expect(gunzipSync(gzip(data))).toEqual(Buffer.from(data));
    expect(zstdDecompress(zstdCompress(data), { expectedSize: data.length })).toEqual(data);
  });

  it("offers async variants with the same results", async () => {
    const r = records[5]!;
    const [sync, asyncResult] = [
      transcodeDvidBlock(r.block, { labels: r.labels, gzip: 6 }),
      await braid.transcodeDvidBlockAsync(r.block, { labels: r.labels, gzip: 6 }),
    ];
    expect(gunzip(asyncResult!)).toEqual(gunzip(sync!));
    const vol = await braid.decodeDvidBlockAsync(r.block);
    expect(vol).toEqual(decodeDvidBlock(r.block));
    const enc = await braid.encodeCompressedSegmentationAsync(vol.data, vol.shape);
    expect(await braid.decodeCompressedSegmentationAsync(enc, vol.shape)).toEqual(vol.data);
    expect(await braid.gunzipAsync(await braid.gzipAsync(r.block))).toEqual(r.block);
  });
});

describe("malformed input gives BraidError, never a crash", () => {
  const fib = gunzipSync(readFileSync(dvidData("fib19-64x64x64-sample1-block.dat.gz")));
  const expectCode = (fn: () => unknown, code: string) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BraidError);
    expect((err as InstanceType<typeof BraidError>).code).toBe(code);
    return err as Error;
  };

  it("rejects truncated, miscounted and out-of-range DVID blocks", () => {
    for (const cut of [0, 10, 16, 100, 2000, fib.length - 1]) {
      expectCode(() => decodeDvidBlock(fib.subarray(0, cut)), "DVID_TRUNCATED");
    }
    const badCount = Uint8Array.from(fib);
    new DataView(badCount.buffer).setUint32(12, 100_000_000, true);
    expectCode(() => decodeDvidBlock(badCount), "DVID_TRUNCATED");
    const badPalette = Uint8Array.from(fib);
    const n = new DataView(fib.buffer, fib.byteOffset).getUint32(12, true);
    new DataView(badPalette.buffer).setUint32(16 + 8 * n + 2 * 512, 999, true);
    const err = expectCode(() => decodeDvidBlock(badPalette), "DVID_CORRUPT");
    expect(err.message).toMatch(/palette entry 0/);
    expectCode(() => decodeDvidBlock(records[0]!.block, { labels: new BigUint64Array(1) }), "DVID_MAPPING_MISMATCH");
  });

  it("rejects bad zstd frames", () => {
    const r = records[1]!;
    expectCode(() => decodeDvidBlock(r.block.subarray(0, r.block.length - 5)), "ZSTD_CORRUPT");
    expectCode(() => transcodeDvidBlock(r.block, { uncompressedSize: r.uncompressedSize + 1 }), "SIZE_MISMATCH");
    const flipped = Uint8Array.from(r.block);
    flipped[flipped.length - 2]! ^= 0xff;
    expectCode(() => zstdDecompress(flipped), "ZSTD_CORRUPT");
  });

  it("rejects corrupt compressed_segmentation and gzip", () => {
    const enc = bytesOf(encodeCompressedSegmentation(readGzVolume("fib19-64x64x64-sample1.dat.gz"), [64, 64, 64]));
    expectCode(() => decodeCompressedSegmentation(enc.subarray(0, 4000), [64, 64, 64]), "CSEG_CORRUPT");
    expectCode(() => decodeCompressedSegmentation(enc.subarray(0, 4001), [64, 64, 64]), "CSEG_CORRUPT");
    expectCode(() => gunzip(hex("1f8b0800000000000003ffff")), "GZIP_CORRUPT");
    expectCode(() => encodeCompressedSegmentation(new BigUint64Array(7), [2, 2, 2]), "INVALID_ARGUMENT");
    // A shape whose output would be 8 GiB cannot fit in these bytes: refused before allocating.
    expectCode(() => decodeCompressedSegmentation(enc, [1024, 1024, 1024]), "CSEG_CORRUPT");
    expectCode(() => decodeCompressedSegmentation(enc, [1024, 1024, 1024], { dataType: "uint32" }), "CSEG_CORRUPT");
  });

  it("survives random garbage", () => {
    const next = rng(99n);
    for (let i = 0; i < 300; i++) {
      const len = Number(next() % 300n);
      const junk = Uint8Array.from({ length: len }, () => Number(next() & 0xffn));
      if (i % 3 === 0 && len >= 16) junk.set([8, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0], 0);
      for (const fn of [
        () => decodeDvidBlock(junk),
        () => transcodeDvidBlock(junk),
        () => decodeCompressedSegmentation(junk.subarray(0, len & ~3), [8, 8, 8]),
        () => gunzip(junk),
        () => zstdDecompress(junk),
      ]) {
        try {
          fn();
        } catch (e) {
          expect(e).toBeInstanceOf(BraidError);
        }
      }
    }
  });
});

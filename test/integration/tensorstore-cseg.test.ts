/**
 * Oracle: TensorStore reads braid's compressed_segmentation chunks voxel-exactly, from a
 * one-chunk unsharded precomputed volume per case (clipped edges and voxel offsets included).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeDvidBlock, encodeCompressedSegmentation, transcodeDvidBlock } from "braid-seg";
import { readRealShard } from "../helpers/arrow.js";
import { readGzVolume } from "../helpers/data.js";
import { tensorstoreRead } from "../helpers/python.js";

type V3 = [number, number, number];

function writeOneChunkVolume(payload: Uint8Array, size: V3, offset: V3, block: V3 = [8, 8, 8]): string {
  const dir = mkdtempSync(join(tmpdir(), "braid-oracle-"));
  const info = {
    "@type": "neuroglancer_multiscale_volume",
    type: "segmentation",
    data_type: "uint64",
    num_channels: 1,
    scales: [
      {
        key: "s0",
        size,
        voxel_offset: offset,
        resolution: [8, 8, 8],
        chunk_sizes: [[64, 64, 64]],
        encoding: "compressed_segmentation",
        compressed_segmentation_block_size: block,
      },
    ],
  };
  writeFileSync(join(dir, "info"), JSON.stringify(info));
  mkdirSync(join(dir, "s0"));
  const key = [0, 1, 2].map((d) => `${offset[d]}-${offset[d]! + size[d]!}`).join("_");
  writeFileSync(join(dir, "s0", key), payload);
  return dir;
}

function crop(full: BigUint64Array, extent: V3): BigUint64Array {
  const out = new BigUint64Array(extent[0] * extent[1] * extent[2]);
  let k = 0;
  for (let z = 0; z < extent[2]; z++)
    for (let y = 0; y < extent[1]; y++) for (let x = 0; x < extent[0]; x++) out[k++] = full[x + 64 * (y + 64 * z)]!;
  return out;
}

const bytes = (w: Uint32Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

describe("TensorStore reads braid's compressed_segmentation", () => {
  it("a full 64³ chunk (fib19 sample2)", () => {
    const v = readGzVolume("fib19-64x64x64-sample2.dat.gz");
    const dir = writeOneChunkVolume(bytes(encodeCompressedSegmentation(v, [64, 64, 64])), [64, 64, 64], [0, 0, 0]);
    const read = tensorstoreRead(dir);
    expect(read.shape).toEqual([64, 64, 64]);
    expect(read.data).toEqual(v);
  });

  it("clipped edge chunks with voxel offsets, from the fused DVID transcode", () => {
    const records = readRealShard();
    const cases: Array<[number, V3, V3]> = [
      [0, [64, 45, 64], [0, 0, 0]],
      [17, [61, 62, 63], [5, 3, 1]],
      [101, [9, 64, 3], [-10, 100, 7]],
    ];
    for (const [start, extent, offset] of cases) {
      // The first record from `start` whose clipped chunk is not all background.
      const r = records.slice(start).find((c) => transcodeDvidBlock(c.block, { labels: c.labels, extent }) !== null)!;
      const payload = transcodeDvidBlock(r.block, { labels: r.labels, extent });
      const dir = writeOneChunkVolume(payload!, extent, offset);
      const read = tensorstoreRead(dir);
      expect(read.origin).toEqual(offset);
      expect(read.data).toEqual(crop(decodeDvidBlock(r.block, { labels: r.labels }).data, extent));
    }
  });

  it("non-default block sizes and many labels per block", () => {
    const v = readGzVolume("fib19-64x64x64-sample1.dat.gz");
    for (const block of [
      [4, 4, 4],
      [16, 8, 2],
      [64, 64, 1],
    ] as V3[]) {
      const dir = writeOneChunkVolume(bytes(encodeCompressedSegmentation(v, [64, 64, 64], block)), [64, 64, 64], [0, 0, 0], block);
      expect(tensorstoreRead(dir).data).toEqual(v);
    }
  });
});

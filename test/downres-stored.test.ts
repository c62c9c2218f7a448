/**
 * The pyramid step on stored bytes (`downresCell` with `stored`: gzip members in, the output's
 * stored payload out, one core call) against the decoded path (`encodedSources`: gunzip in JS, payloads
 * in, payload out): the same output chunk for every cell, both methods, uniform regions (which
 * the core encodes from block headers alone), clipped edges and absent chunks; a corrupt source
 * chunk fails with its code, file and chunk named like the decoded path names them.
 */
import { describe, expect, it } from "vitest";
import { BraidError, chunkIdsInShard, createPrecomputed, gunzip, gzip, withDownresScales, type PrecomputedInfo, type ShardChunk, type Vec3 } from "braid-seg";
import type { PrecomputedScale } from "../ts/formats/precomputed/scale.js";
import { downresCell } from "../ts/jobs/downres/chunk.js";
import { fileUrl, tempDir } from "./helpers/temp.js";
import { crop, voxelCount } from "./helpers/volume.js";

const SIZE: Vec3 = [70, 50, 41];
const OFFSET: Vec3 = [3, -5, 7];

function info(dataEncoding: "gzip" | "raw"): PrecomputedInfo {
  return withDownresScales(
    {
      "@type": "neuroglancer_multiscale_volume",
      type: "segmentation",
      data_type: "uint64",
      num_channels: 1,
      scales: [
        {
          key: "8_8_8",
          size: SIZE,
          voxel_offset: OFFSET,
          resolution: [8, 8, 8],
          chunk_sizes: [[16, 16, 16]],
          encoding: "compressed_segmentation",
          compressed_segmentation_block_size: [8, 8, 8],
          sharding: {
            "@type": "neuroglancer_uint64_sharded_v1",
            hash: "identity",
            preshift_bits: 1,
            minishard_bits: 2,
            shard_bits: 4,
            minishard_index_encoding: "gzip",
            data_encoding: dataEncoding,
          },
        },
      ],
    },
    [1],
  );
}

/** A uniform slab (label 7, whole 2× windows and chunks), noise with ties, an empty corner. */
function groundTruth(): BigUint64Array {
  const out = new BigUint64Array(voxelCount(SIZE));
  let i = 0;
  for (let z = 0; z < SIZE[2]; z++)
    for (let y = 0; y < SIZE[1]; y++)
      for (let x = 0; x < SIZE[0]; x++, i++) {
        if (x < 32 && y < 32) continue;
        if (z < 33) out[i] = 7n;
        else out[i] = BigInt(((x >> 1) * 3 + y * 5 + (z >> 2) * 7) % 4) * 0x1_0000_0001n;
      }
  return out;
}

/** Writes scale 0; `corrupt` replaces the stored bytes of the chunk at a cell. */
async function volume(dataEncoding: "gzip" | "raw", corrupt?: { cell: Vec3; bytes: Uint8Array }) {
  const truth = groundTruth();
  const dir = tempDir("downres-stored");
  const v = await createPrecomputed(fileUrl(dir), info(dataEncoding));
  const s0 = v.scale(0) as PrecomputedScale;
  const g = s0.geometry;
  for (const { shard } of g.shards()!) {
    const ids = chunkIdsInShard(s0.info.sharding!, g.size, g.chunkSize, shard);
    const chunks: ShardChunk[] = [];
    g.cells(ids).forEach((cell, i) => {
      if (corrupt && cell.every((c, d) => c === corrupt.cell[d])) {
        chunks.push({ chunkId: ids[i]!, encoded: corrupt.bytes });
        return;
      }
      const data = crop(truth, g.domain, g.chunkBox(cell));
      if (data.some((x) => x !== 0n)) chunks.push({ chunkId: ids[i]!, payload: s0.encodeChunk(cell, data) });
    });
    await s0.writeShard(shard, chunks, { layout: "tensorstore" });
  }
  return { s0, s1: v.scale(1) as PrecomputedScale };
}

function outputCells(s1: PrecomputedScale): Vec3[] {
  const [gx, gy, gz] = s1.geometry.gridShape;
  const cells: Vec3[] = [];
  for (let z = 0; z < gz!; z++) for (let y = 0; y < gy!; y++) for (let x = 0; x < gx!; x++) cells.push([x, y, z]);
  return cells;
}

describe("downres on stored bytes", () => {
  it.each(["gzip", "raw"] as const)("gives the same output chunks as the decoded path (%s data_encoding)", async (enc) => {
    const { s0, s1 } = await volume(enc);
    expect(s0.readStoredChunks).toBeDefined();
    expect(s1.storedEncoding).toBe(enc);
    let uniform = 0;
    let absent = 0;
    for (const method of ["mode", "mode-nonzero"] as const) {
      for (const cell of outputCells(s1)) {
        const want = await downresCell(s0.backend, s0, s1, cell, method, { encodedSources: true });
        const stored = await downresCell(s0.backend, s0, s1, cell, method, { stored: true, gzipLevel: 5 });
        if (want === undefined) {
          expect(stored, `${cell}`).toBeUndefined();
          absent++;
          continue;
        }
        const got = enc === "gzip" ? gunzip(stored!) : stored!;
        expect(Buffer.from(got).equals(Buffer.from(want)), `${method} ${cell}`).toBe(true);
        const labels = s1.encodeChunk(cell, new BigUint64Array(voxelCount(s1.geometry.chunkBox(cell).shape)).fill(7n));
        if (Buffer.from(want).equals(Buffer.from(labels))) uniform++;
      }
    }
    // The slab makes whole uniform output chunks (short-circuited) and the corner absent ones.
    expect(uniform).toBeGreaterThan(0);
    expect(absent).toBeGreaterThan(0);
  });

  it("a corrupt gzip member or compressed_segmentation chunk is named by file and chunk", async () => {
    const cell: Vec3 = [2, 1, 2];
    const garbage = Uint8Array.from([1, 0, 0, 0, 9, 9, 9]);
    for (const [bytes, code] of [
      [Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]), "GZIP_CORRUPT"],
      [gzip(garbage), "CSEG_CORRUPT"],
    ] as const) {
      const { s0, s1 } = await volume("gzip", { cell, bytes });
      const out: Vec3 = [1, 0, 1];
      const [decoded, stored] = await Promise.all(
        [{ encodedSources: true }, { stored: true }].map((o) => downresCell(s0.backend, s0, s1, out, "mode", o).then(() => undefined, (e: unknown) => e as BraidError)),
      );
      for (const e of [decoded, stored]) {
        expect(e).toBeInstanceOf(BraidError);
        expect(e!.code).toBe(code);
        expect(e!.message).toContain(`scale "16_16_16" chunk (1,0,1) from scale "8_8_8"`);
      }
      const where = s0.chunkContext(cell);
      expect(stored!.file).toBe(where.file);
      expect(stored!.chunk).toBe(where.chunk);
      expect(stored!.message).toContain(where.file);
      // The decoded path names the chunk where the gzip member fails; cseg errors it only knows by the output cell.
      if (code === "GZIP_CORRUPT") expect([decoded!.file, decoded!.chunk]).toEqual([where.file, where.chunk]);
    }
  });
});

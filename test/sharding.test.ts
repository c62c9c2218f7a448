import { describe, expect, it } from "vitest";
import {
  BraidError,
  ShardWriter,
  chunkCells,
  chunkId,
  chunkIds,
  chunkIdsInShard,
  decodeMinishardIndex,
  decodeShardIndex,
  locateChunks,
  shardFileName,
  shardGeometry,
  shardOrigin,
  type ShardingSpec,
} from "braid-seg";
import { hex } from "./helpers/data.js";

const spec = (p: number, m: number, s: number, extra: Partial<ShardingSpec> = {}): ShardingSpec => ({
  "@type": "neuroglancer_uint64_sharded_v1",
  preshift_bits: p,
  hash: "identity",
  minishard_bits: m,
  shard_bits: s,
  minishard_index_encoding: "raw",
  data_encoding: "raw",
  ...extra,
});

describe("sharded precomputed math (§2)", () => {
  it("computes compressed Morton chunk ids", () => {
    const cases: Array<[[number, number, number], [number, number, number], [number, number, number], bigint]> = [
      [[256, 64, 192], [64, 64, 64], [3, 0, 2], 13n],
      [[4, 4, 4], [2, 2, 2], [1, 1, 1], 7n],
      [[100, 50, 20], [10, 10, 10], [9, 4, 1], 197n],
      [[94088, 78317, 134576], [64, 64, 64], [1, 2, 3], 53n],
      [[94088, 78317, 134576], [64, 64, 64], [509, 413, 469], 133494727n],
      [[94088, 78317, 134576], [64, 64, 64], [1470, 1223, 2102], 11834938362n],
      [[47044, 39159, 67288], [64, 64, 64], [735, 611, 1051], 1479367295n],
    ];
    for (const [size, chunk, cell, id] of cases) {
      expect(chunkId(size, chunk, cell)).toBe(id);
      expect(chunkCells(size, chunk, BigUint64Array.of(id))).toEqual([cell]);
    }
    expect(() => chunkIds([4, 4, 4], [2, 2, 2], [[2, 0, 0]])).toThrow(BraidError);
  });

  it("locates chunks with identity and murmurhash3_x86_128 and names shard files", () => {
    const murmur = spec(0, 2, 3, { hash: "murmurhash3_x86_128" });
    expect(locateChunks(murmur, BigUint64Array.of(0n, 1n, 42n))).toEqual([
      { shard: 0n, minishard: 1n },
      { shard: 6n, minishard: 2n },
      { shard: 6n, minishard: 2n },
    ]);
    expect(locateChunks(spec(0, 2, 3), BigUint64Array.of(42n))).toEqual([{ shard: 2n, minishard: 2n }]);
    const s0 = spec(9, 6, 19);
    const [loc] = locateChunks(s0, BigUint64Array.of(0x7f4f7c7n));
    expect(loc).toEqual({ shard: 4073n, minishard: 59n });
    expect(shardFileName(s0, 4073n)).toBe("00fe9.shard");
    expect(shardFileName(spec(9, 6, 16), 4073)).toBe("0fe9.shard");
    expect(shardFileName(spec(1, 1, 0), 0)).toBe("0.shard");
  });

  it("describes shard geometry: mCNS s1 shard 4073 is 32³ chunks at (480,384,448)", () => {
    const s1 = spec(9, 6, 16);
    const size: [number, number, number] = [47044, 39159, 67288];
    const g = shardGeometry(s1, size, [64, 64, 64])!;
    expect(g.minishardShape).toEqual([8, 8, 8]);
    expect(g.shardShape).toEqual([32, 32, 32]);
    expect(shardOrigin(s1, size, [64, 64, 64], 4073n)).toEqual([480, 384, 448]);
    const ids = chunkIdsInShard(s1, size, [64, 64, 64], 4073n);
    expect(ids.length).toBe(32 * 32 * 32);
    const locs = locateChunks(s1, ids);
    expect(locs.every((l) => l.shard === 4073n)).toBe(true);
    // (minishard, id) order: TensorStore's write order.
    for (let i = 1; i < locs.length; i++) {
      const a = locs[i - 1]!;
      const b = locs[i]!;
      expect(a.minishard < b.minishard || (a.minishard === b.minishard && ids[i - 1]! < ids[i]!)).toBe(true);
    }
    expect(shardGeometry(spec(0, 2, 3, { hash: "murmurhash3_x86_128" }), [4, 4, 4], [2, 2, 2])).toBeNull();
  });

  it("writes TensorStore's raw test shard byte for byte and reads its indexes", () => {
    const s = spec(0, 1, 0);
    const w = new ShardWriter(s, 0, { layout: "tensorstore" });
    w.addChunk(2n, hex("01020304"));
    w.addChunk(8n, hex("060708"));
    w.addChunk(3n, hex("090a"));
    const body = w.takePending();
    const done = w.finish();
    const file = new Uint8Array([...done.index, ...body, ...done.tail]);
    expect(file).toEqual(
      hex(
        "0700000000000000370000000000000039000000000000005100000000000000" +
          "0102030406070802000000000000000600000000000000000000000000000000" +
          "0000000000000004000000000000000300000000000000090a03000000000000" +
          "0037000000000000000200000000000000",
      ),
    );
    expect(done.chunkCount).toBe(3);
    expect(decodeShardIndex(s, file)).toEqual(BigUint64Array.of(7n, 55n, 57n, 81n));
    const ms0 = decodeMinishardIndex(s, file.subarray(32 + 7, 32 + 55), 0n);
    expect(ms0).toEqual([
      { chunkId: 2n, start: 32n, end: 36n },
      { chunkId: 8n, start: 36n, end: 39n },
    ]);
  });

  it("rejects out-of-order chunks, duplicates and bad specs with codes", () => {
    const w = new ShardWriter(spec(0, 1, 0), 0, { layout: "tensorstore" });
    w.addChunk(3n, hex("00"));
    expect(() => w.addChunk(2n, hex("00"))).toThrowError(expect.objectContaining({ code: "CHUNK_OUT_OF_ORDER" }));
    const any = new ShardWriter(spec(0, 1, 0, { data_encoding: "gzip" }), 0);
    any.addChunk(5n, hex("0102"));
    expect(() => any.addChunk(5n, hex("0102"))).toThrowError(expect.objectContaining({ code: "DUPLICATE_CHUNK" }));
    expect(() => shardFileName({ ...spec(0, 1, 0), hash: "sha1" as never }, 0)).toThrowError(
      expect.objectContaining({ code: "SHARD_SPEC_INVALID" }),
    );
    expect(() => decodeShardIndex(spec(0, 4, 0), new Uint8Array(10))).toThrowError(
      expect.objectContaining({ code: "SHARD_CORRUPT" }),
    );
  });
});

/** The public API is the same on both backends; this snapshot guards it against drift. */
import { describe, expect, it } from "vitest";
import * as braid from "braid-seg";

describe("public API", () => {
  it("exports the same names on every backend", () => {
    expect(Object.keys(braid).sort()).toMatchInlineSnapshot(`
      [
        "ArrowBatchDecoder",
        "ArrowStreamDecoder",
        "BraidError",
        "DvidRecords",
        "ExportShardWriter",
        "HttpStorage",
        "MemoryStorage",
        "PrecomputedScale",
        "PrecomputedVolume",
        "ScaleGeometry",
        "ShardWriter",
        "backend",
        "chunkCells",
        "chunkId",
        "chunkIds",
        "chunkIdsInShard",
        "createPrecomputed",
        "decodeCompressedSegmentation",
        "decodeCompressedSegmentationAsync",
        "decodeDvidBlock",
        "decodeDvidBlockAsync",
        "decodeMinishardIndex",
        "decodeShardIndex",
        "downsampleMode",
        "downsampledScale",
        "encodeCompressedSegmentation",
        "encodeCompressedSegmentationAsync",
        "encodeDvidBlock",
        "encodeShardingSpec",
        "gunzip",
        "gunzipAsync",
        "gzip",
        "gzipAsync",
        "infoFromSpec",
        "init",
        "isBraidError",
        "joinKey",
        "locateChunks",
        "openPrecomputed",
        "openStorage",
        "parseCsvIndex",
        "parseInfo",
        "scanArrowStream",
        "serializeInfo",
        "shardFileName",
        "shardGeometry",
        "shardOrigin",
        "synthDvidRecord",
        "transcodeDvidBlock",
        "transcodeDvidBlockAsync",
        "zstdCompress",
        "zstdDecompress",
      ]
    `);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ArrowBatchDecoder,
  ArrowStreamDecoder,
  BraidError,
  ExportShardWriter,
  decodeDvidBlock,
  parseCsvIndex,
  scanArrowStream,
  synthDvidRecord,
  transcodeDvidBlock,
  type DvidRecords,
} from "braid-seg";
import { REAL_SHARD, readRealShard } from "./helpers/arrow.js";
import { dvidData, sha256 } from "./helpers/data.js";

const bytes = new Uint8Array(readFileSync(dvidData(REAL_SHARD)));
const reference = readRealShard();

function streamAll(data: Uint8Array, slice: number): DvidRecords[] {
  const d = new ArrowStreamDecoder();
  const out: DvidRecords[] = [];
  for (let at = 0; at < data.length; at += slice) out.push(d.push(data.subarray(at, at + slice)));
  expect(d.finish()).toEqual({ batches: 258, records: 258 });
  return out;
}

describe("DVID export shards", () => {
  it("streams the real shard in slices and agrees with apache-arrow", () => {
    const parts = streamAll(bytes, 65_536);
    const records = parts.flatMap((p) => Array.from({ length: p.length }, (_, i) => ({ p, i })));
    expect(records).toHaveLength(258);
    records.forEach(({ p, i }, k) => {
      const ref = reference[k]!;
      expect(p.chunk(i)).toEqual(ref.chunk);
      expect(p.labels(i)).toEqual(ref.labels);
      expect(p.supervoxels(i)).toEqual(ref.supervoxels);
      expect(p.block(i)).toEqual(ref.block);
      expect(p.uncompressedSize(i)).toBe(ref.uncompressedSize);
    });
    const first = records[0]!;
    expect(sha256(first.p.decode(first.i).data)).toBe("5f63c539d483d1e147776a8fed1097b472745a649397be9078234d4f564ac1f1");
    expect(first.p.transcode(first.i)).toEqual(transcodeDvidBlock(reference[0]!.block, { labels: reference[0]!.labels }));
    expect(first.p.decode(first.i, { supervoxels: true })).toEqual(decodeDvidBlock(reference[0]!.block));
  });

  it("parses all three CSV variants and decodes every range", () => {
    const variants = ["30720_24576_28672.csv", "30720_24576_28672-offsets.csv", "30720_24576_28672-newformat.csv"];
    const [legacy, transitional, current] = variants.map((f) => parseCsvIndex(readFileSync(dvidData(f))));
    expect([legacy!.variant, transitional!.variant, current!.variant]).toEqual(["legacy", "transitional", "current"]);
    expect(legacy!.schemaSize).toBeUndefined();
    expect(current!.schemaSize).toBe(688);
    expect(current!.rows.map((r) => r.chunk)).toEqual(legacy!.rows.map((r) => r.chunk));
    expect(transitional!.rows.map((r) => r.offset)).toEqual(current!.rows.map((r) => r.offset));
    const decoder = new ArrowBatchDecoder(bytes.subarray(0, current!.schemaSize));
    current!.rows.forEach((row, k) => {
      const recs = decoder.decode(bytes.subarray(row.offset!, row.offset! + row.size!));
      expect(recs.chunk(row.batchRow)).toEqual(reference[k]!.chunk);
    });
    const scan = scanArrowStream(bytes);
    expect(scan.finished).toBe(true);
    expect(scan.schemaEnd).toBe(688);
    expect(scan.batches.map((b) => b.offset)).toEqual(current!.rows.map((r) => r.offset));
  });

  it("rejects corrupt streams and CSVs with typed errors", () => {
    const d = new ArrowStreamDecoder();
    d.push(bytes.subarray(0, 5000));
    expect(() => d.finish()).toThrowError(expect.objectContaining({ code: "ARROW_TRUNCATED" }));
    const junk = Uint8Array.from(bytes.subarray(0, 2000));
    junk.fill(0x41, 700, 900);
    expect(() => new ArrowStreamDecoder().push(junk)).toThrow(BraidError);
    expect(() => parseCsvIndex("x,y,z,offset,size,batch_idx\n1,2,three,0,1,0\n")).toThrowError(
      expect.objectContaining({ code: "CSV_INVALID" }),
    );
  });

  it("writes DVID-like shards (lazy schema index) that read back through every path", () => {
    const w = new ExportShardWriter({ batchSize: 3 });
    const chunks: Array<[number, number, number]> = [
      [2, 0, 1],
      [0, 0, 0],
      [1, 1, 0],
      [3, 2, 1],
    ];
    const inputs = chunks.map((c) => ({ chunk: c, ...synthDvidRecord(c, { seed: 9 }) }));
    const parts: Uint8Array[] = inputs.map((r) => w.append(r));
    const { tail, csv } = w.finish();
    const stream = new Uint8Array(Buffer.concat([...parts, tail]));
    const index = parseCsvIndex(csv);
    expect(index.schemaSize).toBe(0);
    expect(index.rows[0]!.offset).toBe(0);
    const decoder = new ArrowBatchDecoder(stream);
    inputs.forEach((input, k) => {
      const row = index.rows[k]!;
      expect(row.chunk).toEqual(input.chunk);
      const recs = decoder.decode(stream.subarray(row.offset!, row.offset! + row.size!));
      expect(recs.labels(row.batchRow)).toEqual(input.labels);
      expect(recs.block(row.batchRow)).toEqual(input.block);
    });
  });

  it("generates mCNS-like synthetic blocks deterministically", () => {
    const a = synthDvidRecord([5, 6, 7], { seed: 3 });
    const b = synthDvidRecord([5, 6, 7], { seed: 3 });
    expect(a).toEqual(b);
    const bodies = decodeDvidBlock(a.block, { labels: a.labels });
    const svs = decodeDvidBlock(a.block);
    expect(a.supervoxels.length).toBeGreaterThan(5);
    expect(a.labels.length).toBe(a.supervoxels.length);
    // Background stays background; bodies merge supervoxels.
    for (let i = 0; i < svs.data.length; i += 101) expect(bodies.data[i] === 0n).toBe(svs.data[i] === 0n);
    expect(new Set(a.labels).size).toBeLessThan(new Set(a.supervoxels).size);
  });
});

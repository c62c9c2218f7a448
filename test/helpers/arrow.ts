/** Reads the real DVID export shard with apache-arrow (the independent reference reader). */
import { readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { dvidData } from "./data.js";

export interface ArrowRecord {
  chunk: [number, number, number];
  labels: BigUint64Array;
  supervoxels: BigUint64Array;
  block: Uint8Array;
  uncompressedSize: number;
}

export const REAL_SHARD = "30720_24576_28672.arrow";

export function readRealShard(name = REAL_SHARD): ArrowRecord[] {
  const table = tableFromIPC(readFileSync(dvidData(name)));
  const out: ArrowRecord[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row = table.get(i)!;
    out.push({
      chunk: [row.chunk_x as number, row.chunk_y as number, row.chunk_z as number],
      labels: BigUint64Array.from(row.labels.toArray() as BigUint64Array),
      supervoxels: BigUint64Array.from(row.supervoxels.toArray() as BigUint64Array),
      block: row.dvid_compressed_block as Uint8Array,
      uncompressedSize: row.uncompressed_size as number,
    });
  }
  return out;
}

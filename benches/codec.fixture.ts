/**
 * Inputs and operations shared by the codec benches: the 258 records of the real DVID export
 * shard, read through the package's own ArrowStreamDecoder, and the four public codec calls
 * applied to record `i`. Every op includes the JS↔Rust marshaling a user pays.
 */
import { readFileSync } from "node:fs";
import * as braid from "braid-seg";
import type { BoundApi, Vec3 } from "braid-seg";
import { REAL_SHARD } from "../test/helpers/arrow.js";
import { dvidData } from "../test/helpers/data.js";

export const CHUNK: Vec3 = [64, 64, 64];
/** Bytes of one decoded chunk (64³ uint64): the unit of the MB/s figures. */
export const CHUNK_BYTES = 64 ** 3 * 8;

export interface CodecInputs {
  /** zstd-wrapped DVID blocks, as stored. */
  blocks: Uint8Array[];
  /** Body ids parallel to each block's label list. */
  labels: BigUint64Array[];
  uncompressedSizes: number[];
  /** Each block decoded to bodies: the encoder's input. */
  volumes: BigUint64Array[];
  /** Each volume as compressed_segmentation: the decoder's input. */
  cseg: Uint32Array[];
}

/** The calls the benches make, from one entry point (each entry runs on its own backend). */
export type CodecApi = Pick<
  BoundApi,
  "ArrowStreamDecoder" | "decodeCompressedSegmentation" | "decodeDvidBlock" | "encodeCompressedSegmentation" | "transcodeDvidBlock"
>;

/** Reads the shard into plain arrays any backend can take. */
export function loadCodecInputs(api: CodecApi = braid): CodecInputs {
  const { decodeDvidBlock, encodeCompressedSegmentation } = api;
  const decoder = new api.ArrowStreamDecoder();
  const records = decoder.push(readFileSync(dvidData(REAL_SHARD)));
  decoder.finish();
  const x: CodecInputs = { blocks: [], labels: [], uncompressedSizes: [], volumes: [], cseg: [] };
  for (let i = 0; i < records.length; i++) {
    x.blocks.push(records.block(i));
    x.labels.push(records.labels(i));
    x.uncompressedSizes.push(records.uncompressedSize(i));
  }
  records.free();
  for (let i = 0; i < x.blocks.length; i++) {
    const volume = decodeDvidBlock(x.blocks[i]!, { labels: x.labels[i]! }).data;
    x.volumes.push(volume);
    x.cseg.push(encodeCompressedSegmentation(volume, CHUNK));
  }
  return x;
}

type Output = { data: BigUint64Array } | Uint8Array | Uint32Array | BigUint64Array | null;

/** The benchmarked calls, each on record `i`, through the given entry point (default `braid-seg`). */
export const OPS: Record<string, (x: CodecInputs, i: number, api?: CodecApi) => Output> = {
  decodeDvidBlock: (x, i, api = braid) => api.decodeDvidBlock(x.blocks[i]!, { labels: x.labels[i]! }),
  transcodeDvidBlock: (x, i, api = braid) =>
    api.transcodeDvidBlock(x.blocks[i]!, { labels: x.labels[i]!, uncompressedSize: x.uncompressedSizes[i]! }),
  "transcodeDvidBlock+gzip": (x, i, api = braid) =>
    api.transcodeDvidBlock(x.blocks[i]!, { labels: x.labels[i]!, uncompressedSize: x.uncompressedSizes[i]!, gzip: true }),
  encodeCompressedSegmentation: (x, i, api = braid) => api.encodeCompressedSegmentation(x.volumes[i]!, CHUNK),
  decodeCompressedSegmentation: (x, i, api = braid) => api.decodeCompressedSegmentation(x.cseg[i]!, CHUNK),
};

/** The bytes of an op's result, for comparing backends. */
export function outputBytes(out: Output): Uint8Array {
  if (out === null) return new Uint8Array(0);
  const view = "data" in out && !ArrayBuffer.isView(out) ? out.data : (out as ArrayBufferView);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * `--z-compress N` (scale 0): keep every (N+1)-th z slice of the source, so blocks stacked
 * along z merge into one output chunk. Semantics are tensorstore-export's (src/worker.py,
 * `ShardProcessor`: `chunk_data[::z_stride]` with `z_stride = z_compress + 1`, written at
 * `z0 = cz * (64 // z_stride)`): of each block the slices at local z = 0, stride, 2·stride, …
 * are kept, and block z lands at output z `cz · 64/stride`. An output chunk is assembled from
 * its own blocks (read by random access) and encoded in one go, so memory holds one chunk.
 */
import { gzip } from "../../core/compression.js";
import { encodeCompressedSegmentation } from "../../formats/precomputed/compressed-segmentation.js";
import { isAllZero } from "../../volume/labels.js";
import type { ProgressDelta } from "../../pipeline/tasks.js";
import type { Vec3 } from "../../types.js";
import type { ChunkMapping } from "./mapping.js";
import { rowRef } from "../../formats/dvid/reader.js";
import { referenceChunk, type BlockSource } from "./reference.js";
import type { ConvertedChunk, PayloadEncoding } from "./transcode-stream.js";
import { cellOf, type FileRows } from "./unit-files.js";

export interface OutputChunk {
  id: bigint;
  cell: Vec3;
  blocks: BlockSource[];
}

/** A shard's output chunks with the blocks landing in each, in source-file order of first appearance. */
export function outputChunks(files: readonly FileRows[]): OutputChunk[] {
  const byId = new Map<bigint, OutputChunk>();
  for (const { file, order } of files) {
    for (const i of order) {
      const id = file.mapped.ids[i]!;
      const block = { reader: file.reader, row: rowRef(file.index, i) };
      const c = byId.get(id);
      if (c) c.blocks.push(block);
      else byId.set(id, { id, cell: cellOf(file.mapped, i), blocks: [block] });
    }
  }
  return [...byId.values()];
}

export async function* decimatedChunks(
  mapping: ChunkMapping,
  files: readonly FileRows[],
  encoding: PayloadEncoding,
  progress: (d: ProgressDelta) => void,
): AsyncGenerator<ConvertedChunk> {
  for (const { id, cell, blocks } of outputChunks(files)) {
    const out = await referenceChunk(mapping, cell, blocks, encoding.supervoxels);
    progress({ chunks: blocks.length, bytesIn: blocks.reduce((n, b) => n + b.row.size, 0) });
    if (isAllZero(out)) {
      yield { chunkId: id, cell, encoded: null, ...(encoding.zarr ? { zarr: null } : {}) };
      continue;
    }
    const zarr = encoding.zarr ? { zarr: encoding.zarr.encode(cell, out) } : {};
    if (!encoding.precomputed) {
      yield { chunkId: id, cell, encoded: null, ...zarr };
      continue;
    }
    const cseg = encodeCompressedSegmentation(mapping.backend, out, mapping.extent(cell), encoding.blockSize);
    const bytes = new Uint8Array(cseg.buffer, cseg.byteOffset, cseg.byteLength);
    yield { chunkId: id, cell, encoded: encoding.gzip === false ? bytes : gzip(mapping.backend, bytes, encoding.gzip), ...zarr };
  }
}

/**
 * The chunks of one output shard, one DVID block each: rows stream in source-file order
 * through the fused Rust transcode (remap → crop → compressed_segmentation → gzip); all-zero
 * chunks come out without a payload, as they are not stored (docs/formats/dvid.md §6.6).
 */
import { withContext } from "../../errors.js";
import type { ProgressDelta } from "../../pipeline/tasks.js";
import type { Vec3 } from "../../types.js";
import type { LabelArray } from "../../volume/labels.js";
import { BLOCK } from "../../formats/dvid/block.js";
import type { ChunkMapping } from "./mapping.js";
import { rowRef } from "../../formats/dvid/reader.js";
import type { ExportSettings } from "./types.js";
import { cellOf, type FileRows } from "./unit-files.js";

/**
 * An output chunk as converted: its stored precomputed bytes and/or zarr inner chunk, null
 * when it is all zero (not stored).
 */
export interface ConvertedChunk {
  chunkId: bigint;
  cell: Vec3;
  encoded: Uint8Array | null;
  /** The encoded zarr inner chunk, when the unit writes OME-Zarr. */
  zarr?: Uint8Array | null;
}

/** How chunk payloads are encoded for a scale. */
export interface PayloadEncoding {
  supervoxels: boolean;
  blockSize: Vec3;
  /** gzip level, or false when the scale's data_encoding is raw. */
  gzip: number | false;
  /** Whether precomputed payloads are wanted (false for OME-Zarr-only exports). */
  precomputed: boolean;
  /** The OME-Zarr level's shard spec words and chunk encoder, when the unit writes one. */
  zarr?: { spec: Uint32Array; encode(cell: Vec3, voxels: LabelArray): Uint8Array };
}

export function payloadEncoding(mapping: ChunkMapping, settings: ExportSettings, outputs: Pick<PayloadEncoding, "precomputed" | "zarr">): PayloadEncoding {
  return {
    ...outputs,
    supervoxels: settings.labels === "supervoxels",
    blockSize: mapping.scale.compressed_segmentation_block_size ?? [8, 8, 8],
    gzip: mapping.scale.sharding?.data_encoding === "gzip" ? settings.gzipLevel : false,
  };
}

export async function* transcodedChunks(
  mapping: ChunkMapping,
  files: readonly FileRows[],
  encoding: PayloadEncoding,
  progress: (d: ProgressDelta) => void,
): AsyncGenerator<ConvertedChunk> {
  const onBytes = (n: number) => progress({ bytesIn: n });
  const g = mapping.geometry.gridShape;
  const options = { supervoxels: encoding.supervoxels, blockSize: encoding.blockSize, gzip: encoding.gzip };
  for (const { file, order } of files) {
    const { reader, index, mapped } = file;
    const cells = mapped.cells;
    for await (const { row, records, index: batchRow } of reader.stream(index, order, onBytes)) {
      let payload: Uint8Array | null;
      let zarr: Uint8Array | null | undefined;
      try {
        // Only cells in the last row/column/layer of the grid can be clipped.
        const edge = cells[3 * row]! === g[0] - 1 || cells[3 * row + 1]! === g[1] - 1 || cells[3 * row + 2]! === g[2] - 1;
        const extent = edge ? mapping.extent(cellOf(mapped, row)) : undefined;
        const clipped = extent !== undefined && (extent[0] !== BLOCK || extent[1] !== BLOCK || extent[2] !== BLOCK);
        const opts = clipped ? { ...options, extent } : options;
        if (encoding.zarr) {
          const t = records.transcodeZarr(batchRow, encoding.zarr.spec, encoding.precomputed ? opts : { ...opts, blockSize: undefined });
          payload = t.precomputed;
          zarr = t.zarr;
        } else payload = records.transcode(batchRow, opts);
      } catch (e) {
        throw withContext(e, { file: reader.where, chunk: rowRef(index, row).chunk });
      }
      progress({ chunks: 1 });
      yield { chunkId: mapped.ids[row]!, cell: cellOf(mapped, row), encoded: payload, ...(zarr === undefined ? {} : { zarr }) };
    }
  }
}

/**
 * The voxels an output chunk holds, straight from its DVID blocks: decoded (body or
 * supervoxel ids), cropped to the clipped chunk, and z-decimated when the export is. The
 * `--z-compress` path encodes this; `verify` compares the output against it.
 */
import { BraidError, withContext } from "../../errors.js";
import type { LabelVolume, Vec3 } from "../../types.js";
import { BLOCK } from "../../formats/dvid/block.js";
import type { ChunkMapping } from "./mapping.js";
import type { DvidFileReader, RowRef } from "../../formats/dvid/reader.js";

export interface BlockSource {
  reader: DvidFileReader;
  row: RowRef;
}

/**
 * Copies the kept z slices of a decoded 64³ block (local z = 0, stride, 2·stride, …) into
 * the output chunk from `slabOffset` on, clipped to `extent`. Stride 1 is a plain crop.
 */
export function placeDecimated(block: LabelVolume, out: BigUint64Array, extent: Vec3, slabOffset: number, stride: number): void {
  const [ex, ey, ez] = extent;
  const slab = BLOCK / stride;
  for (let j = 0; j < slab && slabOffset + j < ez; j++) {
    const sz = j * stride;
    const oz = slabOffset + j;
    for (let y = 0; y < ey; y++) {
      const src = BLOCK * (y + BLOCK * sz);
      out.set(block.data.subarray(src, src + ex), ex * (y + ey * oz));
    }
  }
}

function decode(source: BlockSource, volume: () => LabelVolume): LabelVolume {
  const { reader, row } = source;
  let block: LabelVolume;
  try {
    block = volume();
  } catch (e) {
    throw withContext(e, { file: reader.where, chunk: row.chunk });
  }
  if (block.shape.some((s) => s !== BLOCK)) {
    throw new BraidError("DVID_CORRUPT", `${reader.where}, chunk (${row.chunk.join(",")}): the block is ${block.shape.join("×")}, not 64³`, {
      file: reader.where,
      chunk: row.chunk,
    });
  }
  return block;
}

/** The chunk at `cell` from the blocks that land in it (read by random access). */
export async function referenceChunk(
  mapping: ChunkMapping,
  cell: Vec3,
  blocks: readonly BlockSource[],
  supervoxels: boolean,
): Promise<BigUint64Array> {
  const extent = mapping.extent(cell);
  const out = new BigUint64Array(extent[0] * extent[1] * extent[2]);
  for (const source of blocks) {
    const { records, index } = await source.reader.readRow(source.row);
    const block = decode(source, () => records.decode(index, { supervoxels }));
    placeDecimated(block, out, extent, mapping.stride === 1 ? 0 : mapping.slabOffset(source.row.chunk[2]), mapping.stride);
  }
  return out;
}

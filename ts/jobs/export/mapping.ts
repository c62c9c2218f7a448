/**
 * Where a DVID block lands in the output scale: its grid cell (`chunk − voxel_offset/64`,
 * docs/formats/dvid.md §6.6), chunk id and shard, computed from the block's own coordinates (never from file
 * names, docs/formats/dvid.md §6.2), and the clipped extent of edge chunks (docs/formats/precomputed.md §1.3). With z decimation
 * (`--z-compress N`, stride N+1) a block keeps 64/stride z slices, so `64·stride/Cz` blocks
 * stacked along z share one output chunk of depth Cz.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError } from "../../errors.js";
import { ScaleGeometry } from "../../formats/precomputed/geometry.js";
import type { PrecomputedInfo, ScaleInfo } from "../../formats/precomputed/info.js";
import type { Vec3 } from "../../types.js";
import { BLOCK } from "../../formats/dvid/block.js";
import { chunkOf, type SourceIndex } from "../../formats/dvid/file-index.js";

export function checkZCompress(n: number): number {
  if (!Number.isInteger(n) || n < 0 || BLOCK % (n + 1) !== 0) {
    throw new BraidError(
      "Z_COMPRESS_INVALID",
      `--z-compress ${n}: the stride ${n + 1} must divide the ${BLOCK}-voxel block (valid: 0, 1, 3, 7, 15, 31, 63)`,
    );
  }
  return n;
}

const unsupported = (where: string, message: string) => new BraidError("UNSUPPORTED", `${where}: ${message}`);

export class ChunkMapping {
  readonly geometry: ScaleGeometry;
  readonly scale: ScaleInfo;
  /** z slices kept: every `stride`-th (1 = all). */
  readonly stride: number;
  /** Output z voxels per source block (`64 / stride`). */
  readonly slab: number;
  /** Source blocks stacked along z in one output chunk. */
  readonly blocksPerChunk: number;
  readonly #where: string;

  constructor(
    readonly backend: Backend,
    readonly info: PrecomputedInfo,
    readonly scaleIndex: number,
    zCompress = 0,
  ) {
    const scale = info.scales[scaleIndex];
    if (!scale) {
      throw new BraidError("INVALID_ARGUMENT", `the spec has ${info.scales.length} scales; there is no scale ${scaleIndex}`);
    }
    this.scale = scale;
    this.#where = `scale ${scaleIndex} ("${scale.key}")`;
    this.stride = checkZCompress(zCompress) + 1;
    this.slab = BLOCK / this.stride;
    if (info.data_type !== "uint64") throw unsupported(this.#where, `DVID labels are uint64; the spec says ${info.data_type}`);
    if (scale.encoding !== "compressed_segmentation") {
      throw unsupported(this.#where, `braid export writes compressed_segmentation, the spec says "${scale.encoding}"`);
    }
    this.geometry = new ScaleGeometry(backend, scale);
    this.#checkChunkSize();
    this.blocksPerChunk = this.geometry.chunkSize[2] / this.slab;
  }

  #checkChunkSize(): void {
    const [cx, cy, cz] = this.geometry.chunkSize;
    const o = this.geometry.voxelOffset;
    if (this.stride === 1) {
      if (cx !== BLOCK || cy !== BLOCK || cz !== BLOCK) {
        throw new BraidError(
          "CHUNK_SIZE_UNSUPPORTED",
          `${this.#where}: chunk size ${cx}×${cy}×${cz}; DVID blocks are 64³, so the scale's chunks must be 64³ too`,
        );
      }
    } else if (cx !== BLOCK || cy !== BLOCK || cz % this.slab !== 0) {
      throw new BraidError(
        "CHUNK_SIZE_UNSUPPORTED",
        `${this.#where}: chunk size ${cx}×${cy}×${cz}; with z stride ${this.stride} a block keeps ${this.slab} z slices, ` +
          `so chunks must be 64×64×(a multiple of ${this.slab})`,
      );
    }
    const zUnit = this.stride === 1 ? BLOCK : this.slab;
    if (o[0] % BLOCK !== 0 || o[1] % BLOCK !== 0 || o[2] % zUnit !== 0) {
      throw new BraidError(
        "SPEC_INVALID",
        `${this.#where}: voxel_offset (${o.join(",")}) must be a multiple of (64,64,${zUnit}) so DVID blocks align with chunks`,
      );
    }
  }

  /** The output grid cell of a source block, or undefined when it lies outside the grid. */
  cell(chunk: Vec3): Vec3 | undefined {
    const o = this.geometry.voxelOffset;
    const g = this.geometry.gridShape;
    const x = chunk[0] - o[0] / BLOCK;
    const y = chunk[1] - o[1] / BLOCK;
    const z = Math.floor((chunk[2] * this.slab - o[2]) / this.geometry.chunkSize[2]);
    if (x < 0 || y < 0 || z < 0 || x >= g[0] || y >= g[1] || z >= g[2]) return undefined;
    return [x, y, z];
  }

  /** Where a block's kept z slices start inside its output chunk. */
  slabOffset(chunkZ: number): number {
    const rel = chunkZ * this.slab - this.geometry.voxelOffset[2];
    const c = this.geometry.chunkSize[2];
    return ((rel % c) + c) % c;
  }

  /** Voxels of a cell's chunk, clipped at the volume's upper edge. */
  extent(cell: Vec3): Vec3 {
    return this.geometry.chunkBox(cell).shape;
  }

  /** The typed error for a block outside the grid. */
  outside(file: string, chunk: Vec3): BraidError {
    const g = this.geometry;
    const decimated = this.stride > 1 ? ` after z decimation by ${this.stride}` : "";
    return new BraidError(
      "CHUNK_OUTSIDE_GRID",
      `${file}, chunk (${chunk.join(",")}): the block lies${decimated} outside the ${g.gridShape.join("×")} chunk grid of ` +
        `${this.#where} (size ${g.size.join("×")}, voxel_offset ${g.voxelOffset.join(",")}); does the spec match this export?`,
      { file, chunk },
    );
  }
}

/** Each row of an index placed in the output scale. */
export interface MappedRows {
  /** `[x, y, z, …]` output grid cells. */
  cells: Uint32Array;
  ids: BigUint64Array;
  shards: BigUint64Array;
  /** First row outside the grid, or -1. Rows outside read as cell (0,0,0): never use them. */
  outside: number;
}

/** Places every row of `index` (rows outside the grid are flagged, not thrown). */
export function mapRows(mapping: ChunkMapping, index: SourceIndex): MappedRows {
  const cells = new Uint32Array(3 * index.length);
  let outside = -1;
  for (let i = 0; i < index.length; i++) {
    const cell = mapping.cell(chunkOf(index, i));
    if (cell) cells.set(cell, 3 * i);
    else if (outside < 0) outside = i;
  }
  const { chunkIds: ids, shards } = mapping.geometry.locateCells(cells);
  return { cells, ids, shards, outside };
}

/** {@link mapRows}, failing on the first row outside the grid (naming file and chunk). */
export function mapRowsStrict(mapping: ChunkMapping, index: SourceIndex, where: string): MappedRows {
  const mapped = mapRows(mapping, index);
  if (mapped.outside >= 0) throw mapping.outside(where, chunkOf(index, mapped.outside));
  return mapped;
}

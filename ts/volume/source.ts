/**
 * What a format hands the lazy reader (`lazy-volume.ts`): a pyramid of chunked N-dimensional
 * arrays in storage order, each with the affine map from element coordinates to the world
 * frame, plus the metadata a viewer needs (axes, channels, label colours). Formats implement
 * this on top of their own chunk and shard readers; the reader does the caching, region
 * assembly, level-of-detail choice and chunk iteration for all of them.
 *
 * World frame: every coordinate is the lower corner of an element, in the volume's spatial
 * unit (docs/formats/zarr.md §5.6).
 */
import type { Axis } from "./axes.js";
import type { DataType } from "./labels.js";
import type { StridedArray } from "./strided.js";
import type { VoxelValue } from "./voxels.js";

/** A decoded chunk: `shape` is what the format stores (full-size zarr chunks, clipped precomputed ones). */
export type DecodedChunk = StridedArray;

export interface SourceLevel {
  /** The format's name for the level (a precomputed scale key, a zarr array path). */
  readonly key: string;
  /** Elements per storage dimension. */
  readonly shape: readonly number[];
  /** Elements per chunk per dimension: the unit of fetching and decoding (a shard's inner chunk). */
  readonly chunkShape: readonly number[];
  /** Elements per shard per dimension when chunks are grouped into shard objects. */
  readonly shardShape?: readonly number[];
  /** Coordinate of the first element per dimension (precomputed `voxel_offset`; 0 in zarr). */
  readonly start: readonly number[];
  /**
   * Per dimension, the world position of element `i`'s lower corner is
   * `translation + scale · i` (`i` counted in the level's coordinates, `start` included), in
   * that axis' own unit. Non-spatial dimensions: scale 1, translation 0.
   */
  readonly scale: readonly number[];
  readonly translation: readonly number[];
  /** Chunk `cell` (grid position per dimension, from `start`); undefined when nothing is stored. */
  readChunk(cell: readonly number[]): Promise<DecodedChunk | undefined>;
  /** Forgets what the format cached about these chunks (shard indexes), because they changed. */
  forget(cells: readonly (readonly number[])[]): void;
}

export interface Channel {
  index: number;
  /** OME `omero.channels[].label`. */
  name?: string;
  /** `RRGGBB` hex, as OME `omero` writes it. */
  color?: string;
  /** Display window (OME `omero.channels[].window`). */
  window?: { start?: number; end?: number; min?: number; max?: number };
  active?: boolean;
}

/** OME-NGFF `image-label`: colours and properties of the labels of a label image. */
export interface ImageLabel {
  colors: { labelValue: number; rgba: [number, number, number, number] }[];
  properties: ({ labelValue: number } & Record<string, unknown>)[];
  /** Path of the image the labels belong to, relative to the label group (`"../../"`). */
  source?: string;
}

export interface VolumeSource {
  /** Where the volume lives. */
  readonly url: string;
  /** `"precomputed"`, `"zarr v2"`, `"zarr v3"`, `"ome-zarr 0.4"`, `"ome-zarr 0.5"`. */
  readonly format: string;
  readonly dataType: DataType;
  /** What absent chunks read as. */
  readonly fillValue: VoxelValue;
  /** Storage order, slowest first; every level has these dimensions. */
  readonly axes: readonly Axis[];
  /** Finest first. */
  readonly levels: readonly SourceLevel[];
  readonly channels: readonly Channel[];
  readonly imageLabel?: ImageLabel;
  /** Names of the label images stored with this image (OME `labels/`); reads their metadata. */
  labels?(): Promise<string[]>;
  /** Opens one of `labels()`. */
  openLabel?(name: string): Promise<VolumeSource>;
}

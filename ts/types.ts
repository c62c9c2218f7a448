/** Shapes and volumes shared across the API. Axis order is always x, y, z (x fastest). */

/** `[x, y, z]` voxel extent or coordinate. */
export type Vec3 = readonly [number, number, number];

/** `[x, y, z]` or `[x, y, z, channels]`. */
export type ChunkShape = Vec3 | readonly [number, number, number, number];

/** An x-fastest uint64 label volume: `data[x + sx*(y + sy*z)]`. */
export interface LabelVolume {
  data: BigUint64Array;
  shape: [number, number, number];
}

/** Element type of a segmentation volume. */
export type LabelType = "uint64" | "uint32";

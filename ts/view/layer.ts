/**
 * What the viewer needs to know about one served volume: the neuroglancer layer (type and
 * source URL), its coordinate space and where to look. Formats fill this in
 * (`precomputed-layer.ts`, `zarr-layer.ts`); `state.ts` turns a list of them into a URL.
 */

/** One named axis of neuroglancer's coordinate space: `[scale, unit]`, e.g. `[8e-9, "m"]`. */
export type Dimension = [number, string];

export interface VolumeLayer {
  /** Layer name (unique among the served volumes). */
  name: string;
  /** neuroglancer layer type. */
  type: "segmentation" | "image";
  /** neuroglancer data source, e.g. `precomputed://http://127.0.0.1:8080/volumes/0`. */
  source: string;
  /** The volume's base coordinate space, by axis name in neuroglancer's order. */
  dimensions: Record<string, Dimension>;
  /** Where to look, one coordinate per dimension in that coordinate space. */
  position: number[];
  /** Largest extent of what to look at along a spatial axis, in those coordinates. */
  extent: number;
  /** What format the volume is, for messages. */
  format: "precomputed" | "zarr v3" | "OME-Zarr";
}

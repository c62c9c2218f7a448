/**
 * A precomputed volume as a viewer layer. It opens where data is: a sparse export (one DVID
 * shard in a brain-sized spec) would show empty space at the centre of its bounding box, so
 * the coarsest scale that stores anything is found and the box of its stored chunks is used
 * (a directory listing plus, for sharded scales, the shard indexes); the bounding box's
 * centre when nothing is stored or the storage cannot list (plain http).
 */
import type { Backend } from "../backend/backend.js";
import { isBraidError } from "../errors.js";
import type { PrecomputedInfo, ScaleInfo } from "../formats/precomputed/info.js";
import { PrecomputedVolume } from "../formats/precomputed/volume.js";
import type { Storage } from "../storage/types.js";
import type { Vec3 } from "../types.js";
import type { VoxelBox } from "../volume/box.js";
import type { VolumeLayer } from "./layer.js";

/** Listing entries read per scale; a scale with more is taken to fill its bounding box. */
const LIST_LIMIT = 4096;
/** Shards whose indexes are read to find the stored chunks; a scale with more fills its box. */
const INDEX_LIMIT = 16;

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];

function union(boxes: VoxelBox[]): VoxelBox | undefined {
  if (boxes.length === 0) return undefined;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    for (let d = 0; d < 3; d++) {
      lo[d] = Math.min(lo[d]!, b.origin[d]!);
      hi[d] = Math.max(hi[d]!, b.origin[d]! + b.shape[d]!);
    }
  }
  return { origin: vec3((d) => lo[d]!), shape: vec3((d) => hi[d]! - lo[d]!) };
}

/** Up to `limit` keys under `prefix`; "many" past that; undefined when the storage cannot list (plain http). */
async function firstKeys(storage: Storage, prefix: string, limit: number): Promise<string[] | "many" | undefined> {
  const keys: string[] = [];
  try {
    for await (const key of storage.list(prefix)) {
      if (keys.length === limit) return "many";
      keys.push(key);
    }
  } catch (e) {
    // No listing (plain http, or a bucket that grants reads only): the view falls back to the box.
    if (isBraidError(e) && e.code === "STORAGE_ERROR") return undefined;
    throw e;
  }
  return keys;
}

/** Thrown through `dataBox` when the storage cannot list. */
const UNLISTABLE = Symbol("unlistable");

/** The box of a scale's stored chunks (scale voxels); undefined when it stores none. */
async function storedBox(volume: PrecomputedVolume, k: number): Promise<VoxelBox | undefined> {
  const scale = volume.scale(k);
  const keys = await firstKeys(volume.storage, `${scale.key}/`, LIST_LIMIT);
  if (keys === undefined) throw UNLISTABLE;
  if (keys === "many") return scale.grid.domain;
  if (!scale.sharded) {
    // Unsharded chunk keys name their box: `x0-x1_y0-y1_z0-z1`.
    const boxes = keys.flatMap((key) => {
      const m = /(\d+)-(\d+)_(\d+)-(\d+)_(\d+)-(\d+)$/.exec(key);
      if (!m) return [];
      const n = m.slice(1).map(Number);
      return [{ origin: [n[0]!, n[2]!, n[4]!] as Vec3, shape: [n[1]! - n[0]!, n[3]! - n[2]!, n[5]! - n[4]!] as Vec3 }];
    });
    return union(boxes);
  }
  // Shard files are named by their number in hex; anything else in the directory is ignored.
  const shards = keys.flatMap((key) => {
    const m = /^([0-9a-f]+)\.shard$/.exec(key.slice(scale.key.length + 1));
    const shard = m ? BigInt(`0x${m[1]}`) : undefined;
    return shard !== undefined && scale.shardFile(shard) === key.slice(scale.key.length + 1) ? [shard] : [];
  });
  if (shards.length === 0) return undefined;
  if (shards.length > INDEX_LIMIT) return scale.grid.domain;
  const cells = (await Promise.all(shards.map((s) => scale.listChunkIds(s)))).flatMap((ids) => scale.geometry.cells(ids));
  return union(cells.map((c) => scale.grid.chunkBox(c)));
}

/** The stored data's box in scale-0 voxels, from the coarsest scale that has any. */
async function dataBox(volume: PrecomputedVolume): Promise<VoxelBox | undefined> {
  const scales = volume.info.scales;
  for (let k = scales.length - 1; k >= 0; k--) {
    const box = await storedBox(volume, k);
    if (!box) continue;
    const ratio = vec3((d) => scales[k]!.resolution[d]! / scales[0]!.resolution[d]!);
    return { origin: vec3((d) => box.origin[d]! * ratio[d]!), shape: vec3((d) => box.shape[d]! * ratio[d]!) };
  }
  return undefined;
}

const domainOf = (s: ScaleInfo): VoxelBox => ({ origin: s.voxel_offset, shape: s.size });

export async function precomputedLayer(
  backend: Backend,
  storage: Storage,
  info: PrecomputedInfo,
  served: { name: string; url: string },
): Promise<VolumeLayer> {
  const volume = new PrecomputedVolume(backend, storage, info);
  const base = info.scales[0]!;
  const box = (await dataBox(volume).catch((e: unknown) => (e === UNLISTABLE ? undefined : Promise.reject(e)))) ?? domainOf(base);
  return {
    name: served.name,
    type: info.type === "image" ? "image" : "segmentation",
    source: `precomputed://${served.url}`,
    // precomputed resolutions are nanometres; neuroglancer's space is in metres.
    dimensions: { x: [base.resolution[0] * 1e-9, "m"], y: [base.resolution[1] * 1e-9, "m"], z: [base.resolution[2] * 1e-9, "m"] },
    position: [0, 1, 2].map((d) => box.origin[d]! + box.shape[d]! / 2),
    extent: Math.max(...box.shape),
    format: "precomputed",
  };
}

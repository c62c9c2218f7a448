/**
 * Which viewer layer a served volume becomes: precomputed when it has an `info`, zarr v3 /
 * OME-Zarr 0.5 when it has a `zarr.json`. zarr v2 (`.zarray`/`.zgroup`) is refused with a
 * message, since braid writes v3.
 */
import type { Backend } from "../backend/backend.js";
import { BraidError, withContext } from "../errors.js";
import { parseInfo } from "../formats/precomputed/info.js";
import type { Storage } from "../storage/types.js";
import type { VolumeLayer } from "./layer.js";
import { precomputedLayer } from "./precomputed-layer.js";
import { readJson, zarrLayer } from "./zarr-layer.js";

export async function volumeLayer(backend: Backend, storage: Storage, served: { name: string; url: string }): Promise<VolumeLayer> {
  const info = await storage.read("info");
  if (info !== undefined) {
    let parsed;
    try {
      parsed = parseInfo(info);
    } catch (e) {
      throw withContext(e, { file: storage.describe("info") });
    }
    return precomputedLayer(backend, storage, parsed, served);
  }
  const root = await readJson(storage, "zarr.json");
  if (root !== undefined) return zarrLayer(storage, root, served);
  if ((await storage.exists(".zarray")) || (await storage.exists(".zgroup"))) {
    throw new BraidError("UNSUPPORTED", `${storage.describe("")} is zarr v2; braid view shows neuroglancer precomputed and zarr v3 / OME-Zarr 0.5`);
  }
  throw new BraidError("NOT_FOUND", `${storage.describe("")} holds no volume (no precomputed info, no zarr.json)`, { file: storage.describe("") });
}

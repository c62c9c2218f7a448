/**
 * `discover(url)`: the images a location holds, each openable with `openVolume` — an OME-Zarr
 * HCS plate (`plate/row/column/field`), a directory of per-FOV stores (`region/fov_N.ome.zarr`),
 * a single store whose array has a field-of-view axis (e.g. FOV×T×C×Z×Y×X: one entry per FOV,
 * with the `select` that picks it), or just one image. Reads metadata only.
 */
import { BraidError } from "../errors.js";
import type { OpenStorageOptions } from "../storage/index.js";
import { resolveStorage } from "../storage/resolve.js";
import type { Storage } from "../storage/types.js";
import { forEachConcurrent } from "../volume/concurrency.js";
import { splitFormat } from "./open-volume.js";
import { isArrayMetadata, parseJsonObject, parseV2Array, parseV3 } from "./zarr/metadata.js";
import { omeMetadata, parseMultiscale, parsePlate, wellImages } from "./zarr/ome.js";
import { plainArrayAxes, readZarrNode, type ZarrNode } from "./zarr/open.js";

export interface DiscoveredImage {
  /** What to pass to `openVolume`. */
  url: string;
  /** How the image was found. */
  layout: "image" | "plate" | "fov-stores" | "fov-axis";
  /** A short name: `A/1/0` (plate), `fov_3` (FOV store or axis index), or the last path part. */
  name: string;
  /** HCS plate position. */
  plate?: { name?: string; row: string; column: string; field: number; path: string; acquisition?: number };
  /** Field of view number (FOV stores and FOV axes). */
  fov?: number;
  /** For a FOV axis: the selection that reads this FOV (`volume.read({ select })`). */
  select?: Record<string, number>;
}

export interface DiscoverOptions {
  storage?: OpenStorageOptions;
  /** Metadata requests in flight (default 16). */
  concurrency?: number;
}

/** Axis names that mean "field of view". */
const FOV_AXIS = /^(fov|fovs|field|position|positions|p|tile)$/i;
const FOV_STORE = /^(?:.*?[_-])?(\d+)\.(?:ome\.)?zarr$/i;

const join = (url: string, path: string) => `${url.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
const lastPart = (url: string) => url.replace(/\/+$/, "").split("/").pop() ?? url;

async function plateImages(storage: Storage, node: ZarrNode, ome: ReturnType<typeof omeMetadata> & object, concurrency: number): Promise<DiscoveredImage[]> {
  const file = storage.describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs");
  const plate = parsePlate(ome.ome, file)!;
  const perWell: DiscoveredImage[][] = [];
  await forEachConcurrent(plate.wells, concurrency, async (well, i) => {
    const wellStorage = storage.child(well.path);
    const wellNode = await readZarrNode(wellStorage, node.zarrFormat);
    const wellOme = wellNode && omeMetadata(wellNode.attributes, wellNode.zarrFormat);
    const where = wellStorage.describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs");
    if (!wellOme || !("well" in wellOme.ome)) throw new BraidError("SPEC_INVALID", `${where}: plate well "${well.path}" has no well metadata`, { file: where });
    perWell[i] = wellImages(wellOme.ome, where).map((im, field) => ({
      url: join(storage.url, `${well.path}/${im.path}`),
      layout: "plate" as const,
      name: `${well.row}/${well.column}/${im.path}`,
      plate: {
        ...(plate.name === undefined ? {} : { name: plate.name }),
        row: well.row,
        column: well.column,
        field,
        path: `${well.path}/${im.path}`,
        ...(im.acquisition === undefined ? {} : { acquisition: im.acquisition }),
      },
    }));
  });
  return perWell.flat();
}

/** Axis names and extents of an array node or of an OME image's first dataset. */
async function shapeOf(storage: Storage, node: ZarrNode): Promise<{ names: string[]; shape: number[] } | undefined> {
  if (node.kind === "array") {
    const axes = plainArrayAxes(node.metadata.dimensionNames, node.metadata.shape.length);
    return { names: axes.map((a) => a.name), shape: node.metadata.shape };
  }
  const ome = omeMetadata(node.attributes, node.zarrFormat);
  if (!ome || !("multiscales" in ome.ome)) return undefined;
  const ms = parseMultiscale(ome.ome, ome.version, storage.describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs"));
  const level = storage.child(ms.datasets[0]!.path);
  const key = node.zarrFormat === 3 ? "zarr.json" : ".zarray";
  const bytes = await level.read(key);
  if (bytes === undefined) throw new BraidError("NOT_FOUND", `${level.describe(key)} does not exist`, { file: level.describe(key) });
  const doc = parseJsonObject(bytes, level.describe(key));
  const meta = node.zarrFormat === 3 ? parseV3(doc, level.describe(key)) : parseV2Array(doc, {}, level.describe(key));
  return isArrayMetadata(meta) ? { names: ms.axes.map((a) => a.name), shape: meta.shape } : undefined;
}

function fovAxisImages(url: string, names: string[], shape: number[]): DiscoveredImage[] | undefined {
  const d = names.findIndex((n) => FOV_AXIS.test(n));
  if (d < 0) return undefined;
  const axis = names[d]!;
  return Array.from({ length: shape[d]! }, (_, fov) => ({ url, layout: "fov-axis" as const, name: `${axis}_${fov}`, fov, select: { [axis]: fov } }));
}

/** `*_N.ome.zarr` / `N.zarr` children of a directory: by listing, or (http) by probing fov_0, fov_1, …. */
async function fovStores(storage: Storage): Promise<{ name: string; fov: number }[]> {
  const found = new Map<string, number>();
  try {
    for await (const key of storage.list()) {
      const [top, file] = key.split("/");
      const m = top && FOV_STORE.exec(top);
      if (m && (file === "zarr.json" || file === ".zattrs" || file === ".zarray" || file === ".zgroup")) found.set(top!, Number(m[1]));
    }
  } catch (e) {
    if (!(e instanceof BraidError) || e.code !== "STORAGE_ERROR") throw e;
    for (let fov = 0; ; fov++) {
      const name = `fov_${fov}.ome.zarr`;
      if (!(await readZarrNode(storage.child(name)))) break;
      found.set(name, fov);
    }
  }
  return [...found].map(([name, fov]) => ({ name, fov })).sort((a, b) => a.fov - b.fov || a.name.localeCompare(b.name));
}

/** The images at a location (see the module comment); NOT_FOUND when there are none. */
export async function discover(target: string | Storage, options: DiscoverOptions = {}): Promise<DiscoveredImage[]> {
  const { url } = typeof target === "string" ? splitFormat(target) : { url: target.url };
  const storage = await resolveStorage(typeof target === "string" ? url : target, options.storage);
  const concurrency = options.concurrency ?? 16;
  const node = await readZarrNode(storage);
  if (node) {
    const ome = node.kind === "group" ? omeMetadata(node.attributes, node.zarrFormat) : undefined;
    if (ome && "plate" in ome.ome) return await plateImages(storage, node, ome, concurrency);
    if (ome && "well" in ome.ome) {
      const file = storage.describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs");
      return wellImages(ome.ome, file).map((im, field) => ({ url: join(storage.url, im.path), layout: "image" as const, name: `${im.path}`, fov: field }));
    }
    const dims = await shapeOf(storage, node);
    if (dims) return fovAxisImages(storage.url, dims.names, dims.shape) ?? [{ url: storage.url, layout: "image", name: lastPart(storage.url) }];
  }
  if (await storage.exists("info")) return [{ url: storage.url, layout: "image", name: lastPart(storage.url) }];
  const stores = await fovStores(storage);
  if (stores.length > 0) return stores.map((s) => ({ url: join(storage.url, s.name), layout: "fov-stores", name: s.name.replace(/\.(ome\.)?zarr$/i, ""), fov: s.fov }));
  throw new BraidError("NOT_FOUND", `${storage.url} holds no image, plate or FOV stores`, { file: storage.url });
}

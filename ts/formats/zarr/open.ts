/**
 * Opening zarr for the lazy reader: a v2 or v3 array (one level; axes from its dimension
 * names), or an OME-NGFF 0.4 / 0.5 multiscale image group (one level per dataset, world
 * transforms from its coordinate transformations, channels from `omero`, `image-label`
 * colours, `labels/`). Reads metadata only, in a fixed number of requests: v3 one `zarr.json`
 * per node; v2 `.zarray` and `.zattrs` of the node opened (in parallel), `.zarray` per level.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Axis } from "../../volume/axes.js";
import type { ByteLru } from "../../volume/cache.js";
import type { VolumeSource } from "../../volume/source.js";
import { ZarrLevel } from "./array.js";
import { isArrayMetadata, parseJsonObject, parseV2Array, parseV3, type Json, type ZarrArrayMetadata } from "./metadata.js";
import { cornerTransform, imageLabel, labelNames, omeMetadata, omeroChannels, parseMultiscale } from "./ome.js";

export type ZarrNode =
  | { kind: "array"; zarrFormat: 2 | 3; metadata: ZarrArrayMetadata; attributes: Json }
  | { kind: "group"; zarrFormat: 2 | 3; attributes: Json };

async function readJson(storage: Storage, key: string): Promise<Json | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await storage.read(key);
  } catch (e) {
    throw withContext(e, { file: storage.describe(key) });
  }
  return bytes === undefined ? undefined : parseJsonObject(bytes, storage.describe(key));
}

/** A node's v3 metadata: one request. */
async function readV3(storage: Storage): Promise<ZarrNode | undefined> {
  const doc = await readJson(storage, "zarr.json");
  if (doc === undefined) return undefined;
  const parsed = parseV3(doc, storage.describe("zarr.json"));
  return isArrayMetadata(parsed)
    ? { kind: "array", zarrFormat: 3, metadata: parsed, attributes: parsed.attributes }
    : { kind: "group", zarrFormat: 3, attributes: parsed.attributes };
}

/** A node's v2 metadata: `.zarray` and `.zattrs` in parallel; a node with neither is no v2 node. */
async function readV2(storage: Storage): Promise<ZarrNode | undefined> {
  const [array, attrs] = await Promise.all([readJson(storage, ".zarray"), readJson(storage, ".zattrs")]);
  const attributes = attrs ?? {};
  if (array) return { kind: "array", zarrFormat: 2, metadata: parseV2Array(array, attributes, storage.describe(".zarray")), attributes };
  return attrs ? { kind: "group", zarrFormat: 2, attributes } : undefined;
}

/** The zarr node at the storage root, v3 first; undefined when there is none. */
export async function readZarrNode(storage: Storage, zarrFormat?: 2 | 3): Promise<ZarrNode | undefined> {
  if (zarrFormat === 2) return readV2(storage);
  return (await readV3(storage)) ?? (zarrFormat === 3 ? undefined : await readV2(storage));
}

/** A level's array metadata: v3 `zarr.json`, v2 `.zarray` only (OME axes name its dimensions). */
async function readLevelArray(storage: Storage, zarrFormat: 2 | 3): Promise<ZarrArrayMetadata> {
  const key = zarrFormat === 3 ? "zarr.json" : ".zarray";
  const doc = await readJson(storage, key);
  const file = storage.describe(key);
  if (doc === undefined) throw new BraidError("NOT_FOUND", `${file} does not exist (a dataset of the multiscale image)`, { file });
  const parsed = zarrFormat === 3 ? parseV3(doc, file) : parseV2Array(doc, {}, file);
  if (!isArrayMetadata(parsed)) throw new BraidError("SPEC_INVALID", `${file}: a multiscale dataset must be an array, this is a group`, { file });
  return parsed;
}

const NAMED_TYPES: Record<string, string> = { x: "space", y: "space", z: "space", c: "channel", channel: "channel", t: "time", time: "time" };

/**
 * Axes of a plain array: typed by name where at least two dimensions are called x, y or z,
 * else the last three (two) dimensions are z, y, x (y, x) and the others `dim_<i>`.
 */
export function plainArrayAxes(names: readonly (string | null)[] | undefined, rank: number): Axis[] {
  const given = names ?? [];
  const spatialNames = given.filter((n) => n !== null && ["x", "y", "z"].includes(n.toLowerCase())).length;
  if (spatialNames >= 2) {
    return Array.from({ length: rank }, (_, d) => {
      const name = given[d] ?? `dim_${d}`;
      return { name, type: NAMED_TYPES[name.toLowerCase()] ?? "other" };
    });
  }
  const spatial = Math.min(3, rank);
  const defaults = spatial === 3 ? ["z", "y", "x"] : ["y", "x"].slice(2 - spatial);
  return Array.from({ length: rank }, (_, d) => {
    const s = d - (rank - spatial);
    if (s >= 0) return { name: given[d] ?? defaults[s]!, type: "space" };
    const name = given[d] ?? `dim_${d}`;
    return { name, type: NAMED_TYPES[name.toLowerCase()] ?? "other" };
  });
}

function checkRank(metadata: ZarrArrayMetadata, axes: readonly Axis[], file: string): void {
  if (metadata.shape.length !== axes.length) {
    throw new BraidError("SPEC_INVALID", `${file}: the array has ${metadata.shape.length} dimensions but the image ${axes.length} axes`, { file });
  }
  const names = metadata.dimensionNames;
  if (names && !names.every((n, d) => n === null || n === axes[d]!.name)) {
    throw new BraidError("SPEC_INVALID", `${file}: dimension_names ${JSON.stringify(names)} differ from the axes ${JSON.stringify(axes.map((a) => a.name))}`, { file });
  }
}

async function arraySource(backend: Backend, storage: Storage, node: Extract<ZarrNode, { kind: "array" }>, cache: ByteLru): Promise<VolumeSource> {
  const { metadata } = node;
  const axes = plainArrayAxes(metadata.dimensionNames, metadata.shape.length);
  const transform = { scale: axes.map(() => 1), translation: axes.map(() => 0) };
  const level = await ZarrLevel.create(backend, "", storage, metadata, transform, cache);
  return {
    url: storage.url,
    format: `zarr v${node.zarrFormat}`,
    dataType: metadata.dataType,
    fillValue: metadata.fillValue,
    axes,
    levels: [level],
    channels: [],
  };
}

async function imageSource(
  backend: Backend,
  storage: Storage,
  node: Extract<ZarrNode, { kind: "group" }>,
  ome: { ome: Json; version: string },
  cache: ByteLru,
): Promise<VolumeSource> {
  const file = storage.describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs");
  const ms = parseMultiscale(ome.ome, ome.version, file);
  const metas = await Promise.all(ms.datasets.map((d) => readLevelArray(storage.child(d.path), node.zarrFormat)));
  const first = metas[0]!;
  metas.forEach((m, i) => {
    const where = storage.child(ms.datasets[i]!.path).describe(node.zarrFormat === 3 ? "zarr.json" : ".zarray");
    checkRank(m, ms.axes, where);
    if (m.dataType !== first.dataType) throw new BraidError("SPEC_INVALID", `${where}: data type ${m.dataType} differs from the first level's ${first.dataType}`, { file: where });
    ms.axes.forEach((a, d) => {
      if (a.type !== "space" && m.shape[d] !== first.shape[d]) {
        throw new BraidError("SPEC_INVALID", `${where}: axis "${a.name}" has ${m.shape[d]} entries, the first level ${first.shape[d]}`, { file: where });
      }
    });
  });
  const levels = await Promise.all(
    ms.datasets.map((d, i) => ZarrLevel.create(backend, d.path, storage.child(d.path), metas[i]!, cornerTransform(d, ms.axes), cache)),
  );
  const label = imageLabel(ome.ome, file);
  return {
    url: storage.url,
    format: `ome-zarr ${ome.version}`,
    dataType: first.dataType,
    fillValue: first.fillValue,
    axes: ms.axes,
    levels,
    channels: omeroChannels(ome.ome),
    ...(label ? { imageLabel: label } : {}),
    labels: async () => {
      const group = await readZarrNode(storage.child("labels"), node.zarrFormat);
      const meta = group && omeMetadata(group.attributes, group.zarrFormat);
      return meta ? labelNames(meta.ome, storage.child("labels").describe(node.zarrFormat === 3 ? "zarr.json" : ".zattrs")) : [];
    },
    openLabel: async (name: string) => {
      if (name === "" || name.split("/").some((p) => p === ".." || p === "")) {
        throw new BraidError("INVALID_ARGUMENT", `"${name}" is not a label image name`);
      }
      return openZarr(backend, storage.child(`labels/${name}`), cache, node.zarrFormat);
    },
  };
}

/**
 * The zarr array or OME-Zarr image at the storage root. `node`, when the caller already read
 * the root's metadata, saves reading it again; `zarrFormat` pins the version to look for.
 */
export async function openZarr(
  backend: Backend,
  storage: Storage,
  cache: ByteLru,
  zarrFormat?: 2 | 3,
  known?: ZarrNode,
): Promise<VolumeSource> {
  const node = known ?? (await readZarrNode(storage, zarrFormat));
  if (!node) throw new BraidError("NOT_FOUND", `${storage.url} holds no zarr array or group`, { file: storage.url });
  if (node.kind === "array") return arraySource(backend, storage, node, cache);
  const ome = omeMetadata(node.attributes, node.zarrFormat);
  if (ome && "multiscales" in ome.ome) return imageSource(backend, storage, node, ome, cache);
  const what = ome && "plate" in ome.ome ? "an HCS plate" : ome && "well" in ome.ome ? "an HCS well" : "a zarr group without an OME multiscale image";
  throw new BraidError("NOT_FOUND", `${storage.url} is ${what}; list its images with discover()`, { file: storage.url });
}

/**
 * A zarr v3 array or OME-Zarr 0.5 multiscale group as a viewer layer: the coordinate space
 * from OME `axes` and the first dataset's `coordinateTransformations` (scale, translation,
 * then the multiscale's own), as neuroglancer reads them, and the centre of the first
 * dataset's array. Only metadata is read (the group's and one array's `zarr.json`).
 */
import { BraidError } from "../errors.js";
import type { Storage } from "../storage/types.js";
import type { Dimension, VolumeLayer } from "./layer.js";

interface ZarrArrayMeta {
  node_type: "array";
  shape: number[];
  data_type: string;
  dimension_names?: (string | null)[];
}

interface OmeAxis {
  name: string;
  type?: string;
  unit?: string;
}

type Transform = { type: "scale"; scale: number[] } | { type: "translation"; translation: number[] } | { type: "identity" };

interface OmeMultiscale {
  axes: OmeAxis[];
  datasets: { path: string; coordinateTransformations?: Transform[] }[];
  coordinateTransformations?: Transform[];
}

const SI_PREFIXES: Record<string, number> = {
  yotta: 1e24, zetta: 1e21, exa: 1e18, peta: 1e15, tera: 1e12, giga: 1e9, mega: 1e6, kilo: 1e3, hecto: 1e2, deca: 1e1,
  "": 1, deci: 1e-1, centi: 1e-2, milli: 1e-3, micro: 1e-6, nano: 1e-9, pico: 1e-12, femto: 1e-15, atto: 1e-18,
  zepto: 1e-21, yocto: 1e-24,
};
const OTHER_UNITS: Record<string, Dimension> = {
  angstrom: [1e-10, "m"], foot: [0.3048, "m"], inch: [0.0254, "m"], mile: [1609.344, "m"], yard: [0.9144, "m"],
  parsec: [3.0856775814913673e16, "m"], minute: [60, "s"], hour: [3600, "s"], day: [86400, "s"],
};

/** An OME unit as neuroglancer's `[factor, base unit]` (`"nanometer"` → `[1e-9, "m"]`). */
export function omeUnit(unit: string | undefined): Dimension {
  if (unit === undefined || unit === "") return [1, ""];
  const other = OTHER_UNITS[unit];
  if (other) return other;
  const m = /^([a-z]*)(meter|second)$/.exec(unit);
  const factor = m ? SI_PREFIXES[m[1]!] : undefined;
  if (m && factor !== undefined) return [factor, m[2] === "meter" ? "m" : "s"];
  throw new BraidError("UNSUPPORTED", `OME-Zarr axis unit ${JSON.stringify(unit)} is not one OME-Zarr 0.5 defines`);
}

async function readJson(storage: Storage, key: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await storage.read(key);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new BraidError("INVALID_ARGUMENT", `${storage.describe(key)} is not JSON: ${(e as Error).message}`, { file: storage.describe(key), cause: e });
  }
}

async function arrayMeta(storage: Storage, path: string): Promise<ZarrArrayMeta> {
  const key = path === "" ? "zarr.json" : `${path}/zarr.json`;
  const meta = await readJson(storage, key);
  if (meta?.node_type !== "array" || !Array.isArray(meta.shape)) {
    throw new BraidError("INVALID_ARGUMENT", `${storage.describe(key)} is not a zarr v3 array`, { file: storage.describe(key) });
  }
  return meta as unknown as ZarrArrayMeta;
}

/** Labels are integers: uint8 label images exist, but uint8 images far more often. */
const isLabelType = (t: string) => /^u?int(16|32|64)$/.test(t);

/** Per-axis `x ↦ scale·x + translation` of a transform list applied in order. */
function compose(transforms: Transform[] | undefined, rank: number, into = { scale: Array<number>(rank).fill(1), translation: Array<number>(rank).fill(0) }) {
  for (const t of transforms ?? []) {
    if (t.type === "scale") t.scale.forEach((s, d) => ((into.scale[d] = into.scale[d]! * s), (into.translation[d] = into.translation[d]! * s)));
    else if (t.type === "translation") t.translation.forEach((v, d) => (into.translation[d] = into.translation[d]! + v));
  }
  return into;
}

function omeLayer(multiscale: OmeMultiscale, labels: boolean, array: ZarrArrayMeta, served: { name: string; url: string }): VolumeLayer {
  const rank = multiscale.axes.length;
  if (array.shape.length !== rank) {
    throw new BraidError("INVALID_ARGUMENT", `OME-Zarr: ${rank} axes but dataset "${multiscale.datasets[0]!.path}" has rank ${array.shape.length}`);
  }
  const { scale, translation } = compose(multiscale.coordinateTransformations, rank, compose(multiscale.datasets[0]!.coordinateTransformations, rank));
  const dimensions: Record<string, Dimension> = {};
  multiscale.axes.forEach((axis, d) => {
    const [factor, unit] = omeUnit(axis.unit);
    dimensions[axis.name] = [scale[d]! * factor, unit];
  });
  const spatial = multiscale.axes.flatMap((a, d) => (a.type === "space" || a.type === undefined ? [d] : []));
  return {
    name: served.name,
    type: labels || isLabelType(array.data_type) ? "segmentation" : "image",
    source: `zarr3://${served.url}`,
    dimensions,
    // In units of the first dataset's voxels, where neuroglancer puts the array's voxel 0.
    position: array.shape.map((n, d) => translation[d]! / scale[d]! + n / 2),
    extent: Math.max(...spatial.map((d) => array.shape[d]!)),
    format: "OME-Zarr",
  };
}

function plainArrayLayer(array: ZarrArrayMeta, served: { name: string; url: string }): VolumeLayer {
  const names = array.shape.map((_, d) => array.dimension_names?.[d] ?? `d${d}`);
  return {
    name: served.name,
    type: isLabelType(array.data_type) ? "segmentation" : "image",
    source: `zarr3://${served.url}`,
    dimensions: Object.fromEntries(names.map((n) => [n, [1, ""] as Dimension])),
    position: array.shape.map((n) => n / 2),
    extent: Math.max(...array.shape.slice(-3)),
    format: "zarr v3",
  };
}

/** The layer of a zarr v3 node whose root `zarr.json` is `root`. */
export async function zarrLayer(storage: Storage, root: Record<string, unknown>, served: { name: string; url: string }): Promise<VolumeLayer> {
  if (root.node_type === "array") return plainArrayLayer(root as unknown as ZarrArrayMeta, served);
  const ome = (root.attributes as { ome?: { version?: string; multiscales?: OmeMultiscale[]; "image-label"?: unknown } } | undefined)?.ome;
  const multiscale = ome?.multiscales?.[0];
  if (!ome || !multiscale?.datasets?.length || !Array.isArray(multiscale.axes)) {
    throw new BraidError(
      "UNSUPPORTED",
      `${storage.describe("zarr.json")}: a zarr v3 group without OME-Zarr multiscales; pass the array or an OME-Zarr image (or its labels/<name>)`,
      { file: storage.describe("zarr.json") },
    );
  }
  return omeLayer(multiscale, ome["image-label"] !== undefined, await arrayMeta(storage, multiscale.datasets[0]!.path), served);
}

export { readJson };

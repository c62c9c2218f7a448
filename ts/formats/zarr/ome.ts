/**
 * OME-NGFF 0.4 and 0.5 metadata (docs/formats/zarr.md §5.5): `multiscales` (axes, datasets and
 * their coordinate transformations), `omero` channels, `labels`, `image-label`, and the HCS
 * `plate` and `well` groups. 0.5 keeps it under `attributes.ome` of a zarr v3 group; 0.4 at the
 * top of `.zattrs` (or, as NG also accepts, of a v3 group's attributes).
 *
 * OME coordinates name voxel centres; braid's world frame names corners, so each dataset's
 * translation moves by half a voxel of its own scale (`cornerTransform`).
 */
import { BraidError } from "../../errors.js";
import type { Axis } from "../../volume/axes.js";
import type { Channel, ImageLabel } from "../../volume/source.js";
import { isObject, type Json } from "./metadata.js";

export interface OmeDataset {
  path: string;
  /** Per dimension, world (voxel centre) = scale · i + translation. */
  scale: number[];
  translation: number[];
}

export interface OmeMultiscale {
  version: string;
  name?: string;
  axes: Axis[];
  datasets: OmeDataset[];
}

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

function invalid(file: string, message: string): BraidError {
  return new BraidError("SPEC_INVALID", `${file}: OME-NGFF: ${message}`, { file });
}

/** The OME metadata of a group's attributes and its version, or undefined when there is none. */
export function omeMetadata(attributes: Json, zarrFormat: 2 | 3): { ome: Json; version: string } | undefined {
  const nested = attributes.ome;
  if (zarrFormat === 3 && isObject(nested)) {
    return { ome: nested, version: typeof nested.version === "string" ? nested.version : "0.5" };
  }
  const keys = ["multiscales", "plate", "well", "labels", "image-label"];
  if (!keys.some((k) => k in attributes)) return undefined;
  const ms = attributes.multiscales;
  const first = Array.isArray(ms) && isObject(ms[0]) ? ms[0] : undefined;
  const inner = (k: string) => (isObject(attributes[k]) ? (attributes[k] as Json).version : undefined);
  const version = first?.version ?? inner("plate") ?? inner("well") ?? inner("image-label") ?? "0.4";
  return { ome: attributes, version: String(version) };
}

const AXIS_TYPES: Record<string, string> = { x: "space", y: "space", z: "space", c: "channel", t: "time" };

function parseAxes(v: unknown, file: string): Axis[] {
  if (!Array.isArray(v) || v.length === 0) throw invalid(file, `multiscales[0].axes must be a non-empty array, got ${show(v)}`);
  const axes = v.map((a, i): Axis => {
    // 0.3 listed axis names only.
    if (typeof a === "string") return { name: a, type: AXIS_TYPES[a] ?? "other" };
    if (!isObject(a) || typeof a.name !== "string") throw invalid(file, `axes[${i}] must be {name, type?, unit?}, got ${show(a)}`);
    const type = typeof a.type === "string" ? a.type : (AXIS_TYPES[a.name] ?? "other");
    return { name: a.name, type, ...(typeof a.unit === "string" ? { unit: a.unit } : {}) };
  });
  if (new Set(axes.map((a) => a.name)).size !== axes.length) throw invalid(file, `axis names must be unique: ${axes.map((a) => a.name).join(", ")}`);
  return axes;
}

/** Applies a list of `scale` / `translation` / `identity` transformations after `(scale, translation)`. */
function compose(transforms: unknown, rank: number, start: OmeDataset, file: string, where: string): OmeDataset {
  if (transforms === undefined) return start;
  if (!Array.isArray(transforms)) throw invalid(file, `${where}.coordinateTransformations must be an array`);
  let { scale, translation } = start;
  for (const t of transforms) {
    if (!isObject(t) || typeof t.type !== "string") throw invalid(file, `${where}: a transformation must be {type, …}, got ${show(t)}`);
    if (t.type === "identity") continue;
    if (t.type !== "scale" && t.type !== "translation") throw invalid(file, `${where}: transformation type ${show(t.type)} is not scale or translation`);
    const values = t[t.type];
    if ("path" in t && values === undefined) {
      throw new BraidError("UNSUPPORTED", `${file}: ${where}: ${t.type} given by path is not read`, { file });
    }
    if (!Array.isArray(values) || values.length !== rank || !values.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw invalid(file, `${where}: ${t.type} must be ${rank} numbers, got ${show(values)}`);
    }
    if (t.type === "scale") {
      scale = scale.map((s, d) => s * values[d]);
      translation = translation.map((x, d) => x * values[d]);
    } else {
      translation = translation.map((x, d) => x + values[d]);
    }
  }
  return { path: start.path, scale, translation };
}

/** The first (or `index`-th) multiscale image of OME metadata. */
export function parseMultiscale(ome: Json, version: string, file: string, index = 0): OmeMultiscale {
  const list = ome.multiscales;
  if (!Array.isArray(list) || list.length === 0) throw invalid(file, `multiscales must be a non-empty array`);
  const ms = list[index];
  if (!isObject(ms)) throw invalid(file, `multiscales[${index}] must be an object`);
  const axes = parseAxes(ms.axes, file);
  const rank = axes.length;
  if (!Array.isArray(ms.datasets) || ms.datasets.length === 0) throw invalid(file, `multiscales[${index}].datasets must be a non-empty array`);
  const identity = (path: string): OmeDataset => ({ path, scale: axes.map(() => 1), translation: axes.map(() => 0) });
  const datasets = ms.datasets.map((d, i) => {
    const where = `datasets[${i}]`;
    if (!isObject(d) || typeof d.path !== "string" || d.path === "") throw invalid(file, `${where}.path must be a non-empty string`);
    const own = compose(d.coordinateTransformations, rank, identity(d.path), file, where);
    return compose(ms.coordinateTransformations, rank, own, file, `multiscales[${index}]`);
  });
  return { version, ...(typeof ms.name === "string" ? { name: ms.name } : {}), axes, datasets };
}

/** A dataset's transform with corners instead of centres: half a voxel less on spatial axes. */
export function cornerTransform(dataset: OmeDataset, axes: readonly Axis[]): { scale: number[]; translation: number[] } {
  const spatial = (d: number) => axes[d]!.type === "space";
  return {
    scale: dataset.scale.map((s, d) => (spatial(d) ? s : 1)),
    translation: dataset.translation.map((t, d) => (spatial(d) ? t - dataset.scale[d]! / 2 : 0)),
  };
}

/** `omero.channels` as channels (names, `RRGGBB` colours, windows). */
export function omeroChannels(ome: Json): Channel[] {
  const omero = ome.omero;
  if (!isObject(omero) || !Array.isArray(omero.channels)) return [];
  return omero.channels.map((c, index): Channel => {
    const ch: Channel = { index };
    if (!isObject(c)) return ch;
    if (typeof c.label === "string") ch.name = c.label;
    if (typeof c.color === "string" && /^[0-9a-f]{6}$/i.test(c.color)) ch.color = c.color.toUpperCase();
    if (typeof c.active === "boolean") ch.active = c.active;
    if (isObject(c.window)) {
      const w: NonNullable<Channel["window"]> = {};
      for (const k of ["start", "end", "min", "max"] as const) if (typeof c.window[k] === "number") w[k] = c.window[k] as number;
      ch.window = w;
    }
    return ch;
  });
}

/** `image-label` metadata, or undefined when the group is not a label image. */
export function imageLabel(ome: Json, file: string): ImageLabel | undefined {
  const il = ome["image-label"];
  if (il === undefined) return undefined;
  if (!isObject(il)) throw invalid(file, `image-label must be an object`);
  const value = (e: Json, where: string) => {
    const v = e["label-value"];
    if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(file, `${where}["label-value"] must be a number, got ${show(v)}`);
    return v;
  };
  const colors = (Array.isArray(il.colors) ? il.colors : []).map((c, i) => {
    const where = `image-label.colors[${i}]`;
    if (!isObject(c)) throw invalid(file, `${where} must be an object`);
    const rgba = c.rgba;
    if (!Array.isArray(rgba) || rgba.length !== 4 || !rgba.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) {
      throw invalid(file, `${where}.rgba must be 4 integers 0..255, got ${show(rgba)}`);
    }
    return { labelValue: value(c, where), rgba: rgba as [number, number, number, number] };
  });
  const properties = (Array.isArray(il.properties) ? il.properties : []).map((p, i) => {
    const where = `image-label.properties[${i}]`;
    if (!isObject(p)) throw invalid(file, `${where} must be an object`);
    const { "label-value": _v, ...rest } = p;
    return { labelValue: value(p, where), ...rest };
  });
  const source = isObject(il.source) && typeof il.source.image === "string" ? il.source.image : undefined;
  return { colors, properties, ...(source === undefined ? {} : { source }) };
}

/** The label image names a `labels` group lists. */
export function labelNames(ome: Json, file: string): string[] {
  const labels = ome.labels;
  if (labels === undefined) return [];
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === "string")) throw invalid(file, `labels must be an array of strings`);
  return labels as string[];
}

export interface OmePlate {
  name?: string;
  rows: string[];
  columns: string[];
  wells: { path: string; row: string; column: string }[];
}

export function parsePlate(ome: Json, file: string): OmePlate | undefined {
  const p = ome.plate;
  if (p === undefined) return undefined;
  if (!isObject(p)) throw invalid(file, `plate must be an object`);
  const names = (v: unknown, what: string) => {
    if (!Array.isArray(v)) throw invalid(file, `plate.${what} must be an array`);
    return v.map((x, i) => {
      if (!isObject(x) || typeof x.name !== "string") throw invalid(file, `plate.${what}[${i}].name must be a string`);
      return x.name;
    });
  };
  const rows = names(p.rows, "rows");
  const columns = names(p.columns, "columns");
  if (!Array.isArray(p.wells)) throw invalid(file, `plate.wells must be an array`);
  const wells = p.wells.map((w, i) => {
    if (!isObject(w) || typeof w.path !== "string") throw invalid(file, `plate.wells[${i}].path must be a string`);
    const [rowName, columnName] = w.path.split("/");
    const row = typeof w.rowIndex === "number" ? rows[w.rowIndex] : rowName;
    const column = typeof w.columnIndex === "number" ? columns[w.columnIndex] : columnName;
    if (row === undefined || column === undefined) throw invalid(file, `plate.wells[${i}] names no row and column`);
    return { path: w.path, row, column };
  });
  return { ...(typeof p.name === "string" ? { name: p.name } : {}), rows, columns, wells };
}

/** The field images of a `well` group, as paths relative to it. */
export function wellImages(ome: Json, file: string): { path: string; acquisition?: number }[] {
  const w = ome.well;
  if (!isObject(w) || !Array.isArray(w.images)) throw invalid(file, `well.images must be an array`);
  return w.images.map((im, i) => {
    if (!isObject(im) || typeof im.path !== "string") throw invalid(file, `well.images[${i}].path must be a string`);
    return { path: im.path, ...(typeof im.acquisition === "number" ? { acquisition: im.acquisition } : {}) };
  });
}

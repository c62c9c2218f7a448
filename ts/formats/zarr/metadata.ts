/**
 * zarr array and group metadata, v3 (`zarr.json`, docs/formats/zarr.md §5.1–5.2) and v2
 * (`.zarray`, `.zattrs`, `.zgroup`): parsed strictly into one shape, the v2 compressor, filters
 * and memory order turned into the equivalent v3 codec chain, so that one chunk reader serves
 * both. Errors are SPEC_INVALID naming the file, or UNSUPPORTED for valid metadata braid does
 * not read (other chunk grids, storage transformers, non-numeric data types).
 */
import { BraidError } from "../../errors.js";
import type { DataType } from "../../volume/labels.js";
import { is64BitInteger, type VoxelValue } from "../../volume/voxels.js";

export type Json = Record<string, unknown>;

export interface CodecSpec {
  name: string;
  configuration: Json;
}

export interface ZarrArrayMetadata {
  zarrFormat: 2 | 3;
  shape: number[];
  /** The chunk grid's cell shape: the shard shape when the array is sharded. */
  chunkShape: number[];
  dataType: DataType;
  fillValue: VoxelValue;
  /** Object key of a grid cell, relative to the array. */
  chunkKey: (cell: readonly number[]) => string;
  /** The v3 codec chain (v2 metadata translated). */
  codecs: CodecSpec[];
  /** v3 `dimension_names`, or v2 `_ARRAY_DIMENSIONS`. */
  dimensionNames: (string | null)[] | undefined;
  attributes: Json;
}

export interface ZarrGroupMetadata {
  zarrFormat: 2 | 3;
  attributes: Json;
}

export function isArrayMetadata(m: ZarrArrayMetadata | ZarrGroupMetadata): m is ZarrArrayMetadata {
  return "shape" in m;
}

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

export function invalid(file: string, message: string): BraidError {
  return new BraidError("SPEC_INVALID", `${file}: ${message}`, { file });
}

/** JSON bytes as an object; SPEC_INVALID naming the file otherwise. */
export function parseJsonObject(bytes: Uint8Array, file: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new BraidError("SPEC_INVALID", `${file}: not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
  if (!isObject(v)) throw invalid(file, `must be a JSON object, got ${show(v)}`);
  return v;
}

function extents(v: unknown, file: string, field: string, min: number): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= min)) {
    throw invalid(file, `${field} must be an array of integers ≥ ${min}, got ${show(v)}`);
  }
  return v as number[];
}

const V3_TYPES: Record<string, DataType> = {
  int8: "int8",
  int16: "int16",
  int32: "int32",
  int64: "int64",
  uint8: "uint8",
  uint16: "uint16",
  uint32: "uint32",
  uint64: "uint64",
  float32: "float32",
  float64: "float64",
};

const V2_TYPES: Record<string, DataType> = {
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  f4: "float32",
  f8: "float64",
};

function unsupportedType(file: string, t: unknown): BraidError {
  return new BraidError("UNSUPPORTED", `${file}: data type ${show(t)} is not one braid reads (integers, float32, float64)`, { file });
}

/** A numpy-style v2 dtype (`"<u8"`) as a data type and byte order. */
function v2DataType(t: unknown, file: string): { dataType: DataType; littleEndian: boolean } {
  const m = typeof t === "string" ? /^([<>|])([a-z]\d+)$/.exec(t) : null;
  const dataType = m ? V2_TYPES[m[2]!] : undefined;
  if (!m || !dataType) throw unsupportedType(file, t);
  return { dataType, littleEndian: m[1] !== ">" };
}

/** A fill value in the array's representation (bigint for 64-bit integers). */
function fillValue(v: unknown, dataType: DataType, file: string): VoxelValue {
  if (v === null || v === undefined) return is64BitInteger(dataType) ? 0n : 0;
  const float = dataType === "float32" || dataType === "float64";
  if (float && typeof v === "string") {
    const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
    if (v in special) return special[v]!;
    if (/^0x[0-9a-f]+$/i.test(v)) {
      const view = new DataView(new ArrayBuffer(8));
      if (dataType === "float32") {
        view.setUint32(0, Number(BigInt(v)));
        return view.getFloat32(0);
      }
      view.setBigUint64(0, BigInt(v));
      return view.getFloat64(0);
    }
  }
  if (typeof v === "boolean") return is64BitInteger(dataType) ? BigInt(Number(v)) : Number(v);
  if (typeof v !== "number" || (!float && !Number.isInteger(v))) throw invalid(file, `fill_value ${show(v)} does not fit ${dataType}`);
  return is64BitInteger(dataType) ? BigInt(v) : v;
}

function defaultKeys(separator: string): (cell: readonly number[]) => string {
  return (cell) => ["c", ...cell].join(separator);
}

function v2Keys(separator: string): (cell: readonly number[]) => string {
  return (cell) => (cell.length === 0 ? "0" : cell.join(separator));
}

function separator(v: unknown, fallback: string, file: string): string {
  if (v === undefined) return fallback;
  if (v !== "/" && v !== ".") throw invalid(file, `chunk key separator must be "/" or ".", got ${show(v)}`);
  return v;
}

function codecSpec(v: unknown, file: string): CodecSpec {
  // zarr 3.1 allows a bare name for a codec without configuration.
  if (typeof v === "string") return { name: v, configuration: {} };
  if (!isObject(v) || typeof v.name !== "string") throw invalid(file, `a codec must be {"name", "configuration"}, got ${show(v)}`);
  if (v.configuration !== undefined && !isObject(v.configuration)) throw invalid(file, `codec "${v.name}" configuration must be an object`);
  return { name: v.name, configuration: (v.configuration as Json | undefined) ?? {} };
}

export function codecChain(v: unknown, file: string): CodecSpec[] {
  if (!Array.isArray(v) || v.length === 0) throw invalid(file, `codecs must be a non-empty array, got ${show(v)}`);
  return v.map((c) => codecSpec(c, file));
}

function dimensionNames(v: unknown, rank: number, file: string): (string | null)[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length !== rank || !v.every((n) => n === null || typeof n === "string")) {
    throw invalid(file, `dimension_names must list a name or null for each of the ${rank} dimensions, got ${show(v)}`);
  }
  return v as (string | null)[];
}

/** A v3 `zarr.json` of an array or a group. */
export function parseV3(doc: Json, file: string): ZarrArrayMetadata | ZarrGroupMetadata {
  if (doc.zarr_format !== 3) throw invalid(file, `zarr_format must be 3, got ${show(doc.zarr_format)}`);
  const attributes = doc.attributes === undefined ? {} : doc.attributes;
  if (!isObject(attributes)) throw invalid(file, `attributes must be an object`);
  if (doc.node_type === "group") return { zarrFormat: 3, attributes };
  if (doc.node_type !== "array") throw invalid(file, `node_type must be "array" or "group", got ${show(doc.node_type)}`);
  const shape = extents(doc.shape, file, "shape", 0);
  const dataType = typeof doc.data_type === "string" ? V3_TYPES[doc.data_type] : undefined;
  if (!dataType) throw unsupportedType(file, doc.data_type);
  const grid = doc.chunk_grid;
  if (!isObject(grid) || grid.name !== "regular" || !isObject(grid.configuration)) {
    throw new BraidError("UNSUPPORTED", `${file}: only the "regular" chunk grid is read, got ${show(grid)}`, { file });
  }
  const chunkShape = extents(grid.configuration.chunk_shape, file, "chunk_grid.configuration.chunk_shape", 1);
  if (chunkShape.length !== shape.length) throw invalid(file, `chunk_shape ${show(chunkShape)} and shape ${show(shape)} differ in rank`);
  const encoding = doc.chunk_key_encoding;
  let chunkKey: ZarrArrayMetadata["chunkKey"];
  if (!isObject(encoding)) throw invalid(file, `chunk_key_encoding must be an object, got ${show(encoding)}`);
  const config = isObject(encoding.configuration) ? encoding.configuration : {};
  if (encoding.name === "default") chunkKey = defaultKeys(separator(config.separator, "/", file));
  else if (encoding.name === "v2") chunkKey = v2Keys(separator(config.separator, ".", file));
  else throw new BraidError("UNSUPPORTED", `${file}: chunk_key_encoding ${show(encoding.name)} is not read`, { file });
  if (Array.isArray(doc.storage_transformers) && doc.storage_transformers.length > 0) {
    throw new BraidError("UNSUPPORTED", `${file}: storage_transformers are not read`, { file });
  }
  return {
    zarrFormat: 3,
    shape,
    chunkShape,
    dataType,
    fillValue: fillValue(doc.fill_value, dataType, file),
    chunkKey,
    codecs: codecChain(doc.codecs, file),
    dimensionNames: dimensionNames(doc.dimension_names, shape.length, file),
    attributes,
  };
}

/** A v2 `.zarray` (with the array's `.zattrs`, if any) as v3-shaped metadata. */
export function parseV2Array(doc: Json, attributes: Json, file: string): ZarrArrayMetadata {
  if (doc.zarr_format !== 2) throw invalid(file, `zarr_format must be 2, got ${show(doc.zarr_format)}`);
  const shape = extents(doc.shape, file, "shape", 0);
  const chunkShape = extents(doc.chunks, file, "chunks", 1);
  if (chunkShape.length !== shape.length) throw invalid(file, `chunks ${show(chunkShape)} and shape ${show(shape)} differ in rank`);
  const { dataType, littleEndian } = v2DataType(doc.dtype, file);
  if (doc.order !== "C" && doc.order !== "F") throw invalid(file, `order must be "C" or "F", got ${show(doc.order)}`);
  const codecs: CodecSpec[] = [];
  // An F-order chunk is the C-order chunk of the reversed shape: v3's transpose codec.
  if (doc.order === "F") codecs.push({ name: "transpose", configuration: { order: shape.map((_, i) => shape.length - 1 - i) } });
  if (doc.filters !== null && doc.filters !== undefined) {
    if (!Array.isArray(doc.filters)) throw invalid(file, `filters must be null or an array`);
    for (const f of doc.filters) codecs.push(numcodec(f, file));
  }
  codecs.push({ name: "bytes", configuration: { endian: littleEndian ? "little" : "big" } });
  if (doc.compressor !== null && doc.compressor !== undefined) codecs.push(numcodec(doc.compressor, file));
  const names = attributes._ARRAY_DIMENSIONS;
  return {
    zarrFormat: 2,
    shape,
    chunkShape,
    dataType,
    fillValue: fillValue(doc.fill_value, dataType, file),
    chunkKey: v2Keys(separator(doc.dimension_separator, ".", file)),
    codecs,
    dimensionNames: Array.isArray(names) && names.length === shape.length ? dimensionNames(names, shape.length, file) : undefined,
    attributes,
  };
}

/** A numcodecs `{"id": …}` configuration as a codec: gzip and zstd by their v3 names. */
function numcodec(v: unknown, file: string): CodecSpec {
  if (!isObject(v) || typeof v.id !== "string") throw invalid(file, `a compressor or filter must be {"id": …}, got ${show(v)}`);
  const { id, ...configuration } = v;
  return { name: id === "gzip" || id === "zstd" ? id : `numcodecs.${id}`, configuration };
}

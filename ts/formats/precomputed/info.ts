/**
 * The `info` file of a neuroglancer precomputed volume (docs/formats/precomputed.md §1.1–1.2): types, a
 * validating parser applying TensorStore's rules (plus braid's: sharding bits must cover the
 * chunk grid), a serializer that writes every defaulted field explicitly, and `infoFromSpec`
 * for NG volume specs such as the DVID/tensorstore-export ones.
 */
import { BraidError } from "../../errors.js";
import type { HashFunction, ShardEncoding, ShardingSpec } from "./sharding.js";
import type { Vec3 } from "../../types.js";
import type { DataType } from "../../volume/labels.js";
import { mortonBits } from "./morton.js";

export type InfoDataType = DataType;
export type VolumeType = "image" | "segmentation";
export type ScaleEncoding = "raw" | "compressed_segmentation" | "jpeg" | "png";

export interface ScaleInfo {
  key: string;
  size: Vec3;
  /** Always present after parsing (default `[0, 0, 0]`). */
  voxel_offset: Vec3;
  resolution: Vec3;
  chunk_sizes: Vec3[];
  encoding: ScaleEncoding;
  compressed_segmentation_block_size?: Vec3;
  sharding?: ShardingSpec;
  /** Keys braid does not interpret (`hidden`, `jpeg_quality`, …), passed through. */
  [extra: string]: unknown;
}

export interface PrecomputedInfo {
  "@type": "neuroglancer_multiscale_volume";
  type: VolumeType;
  data_type: InfoDataType;
  num_channels: number;
  scales: ScaleInfo[];
  /** `mesh`, `skeletons`, `segment_properties` and any other key, passed through. */
  [extra: string]: unknown;
}

const DATA_TYPES: readonly InfoDataType[] = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "float32"];
const ENCODINGS: readonly ScaleEncoding[] = ["raw", "compressed_segmentation", "jpeg", "png"];
const HASHES: readonly HashFunction[] = ["identity", "murmurhash3_x86_128"];
const SHARD_ENCODINGS: readonly ShardEncoding[] = ["raw", "gzip"];
/** Sizes and offsets must stay exact in a double and chunk counts fit the core's u32 grids. */
const MAX_EXTENT = 2 ** 32 - 1;

type Json = Record<string, unknown>;

const invalid = (where: string, message: string) => new BraidError("SPEC_INVALID", `info: ${where}: ${message}`);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function integer(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(where, `must be an integer in ${min}..${max}, got ${show(v)}`);
  }
  return v;
}

function vec3(v: unknown, where: string, element: (x: unknown, w: string) => number): Vec3 {
  if (!Array.isArray(v) || v.length !== 3) throw invalid(where, `must be an array of 3 numbers, got ${show(v)}`);
  return [element(v[0], `${where}[0]`), element(v[1], `${where}[1]`), element(v[2], `${where}[2]`)];
}

function oneOf<T extends string>(v: unknown, where: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !allowed.includes(v.toLowerCase() as T)) {
    throw invalid(where, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(v)}`);
  }
  return v.toLowerCase() as T;
}

function parseSharding(v: unknown, where: string): ShardingSpec | undefined {
  // TensorStore reads `null` as "unsharded"; an absent key means the same.
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(where, `must be an object, got ${show(v)}`);
  if (v["@type"] !== "neuroglancer_uint64_sharded_v1") {
    throw invalid(`${where}.@type`, `must be "neuroglancer_uint64_sharded_v1", got ${show(v["@type"])}`);
  }
  const minishard = integer(v.minishard_bits, `${where}.minishard_bits`, 0, 32);
  return {
    "@type": "neuroglancer_uint64_sharded_v1",
    preshift_bits: integer(v.preshift_bits, `${where}.preshift_bits`, 0, 64),
    hash: oneOf(v.hash, `${where}.hash`, HASHES),
    minishard_bits: minishard,
    shard_bits: integer(v.shard_bits, `${where}.shard_bits`, 0, 64 - minishard),
    // Absent encodings mean raw (docs/formats/sharded.md §2.1); made explicit so every writer states them.
    minishard_index_encoding:
      v.minishard_index_encoding === undefined
        ? "raw"
        : oneOf(v.minishard_index_encoding, `${where}.minishard_index_encoding`, SHARD_ENCODINGS),
    data_encoding:
      v.data_encoding === undefined ? "raw" : oneOf(v.data_encoding, `${where}.data_encoding`, SHARD_ENCODINGS),
  };
}

/**
 * With the identity hash, chunk-id bits beyond `preshift + minishard + shard` are dropped, so
 * distant regions would alias into one shard and shards would not be boxes (docs/formats/sharded.md §2.9). Murmur
 * hashes every bit above the preshift, so its bit counts bound nothing.
 */
function checkShardBits(sharding: ShardingSpec, size: Vec3, chunk: Vec3, where: string): void {
  const bits = mortonBits(size, chunk);
  const z = bits[0] + bits[1] + bits[2];
  // TensorStore's own limit for any sharded scale.
  if (z > 64) throw invalid(where, `the chunk grid needs ${z} Morton bits (${bits.join("+")}); at most 64 fit a chunk id`);
  if (sharding.hash !== "identity") return;
  const { preshift_bits: p, minishard_bits: m, shard_bits: s } = sharding;
  if (p + m + s < z) {
    const grid = size.map((v, d) => Math.ceil(v / chunk[d]!)).join("×");
    throw invalid(
      `${where}.sharding`,
      `preshift_bits ${p} + minishard_bits ${m} + shard_bits ${s} = ${p + m + s} bits do not cover the ` +
        `${z} Morton bits (${bits.join("+")}) of the ${grid} chunk grid`,
    );
  }
}

function parseScale(v: unknown, i: number, dataType: InfoDataType, channels: number): ScaleInfo {
  if (!isObject(v)) throw invalid(`scales[${i}]`, `must be an object, got ${show(v)}`);
  const key = v.key;
  if (typeof key !== "string" || key === "") throw invalid(`scales[${i}].key`, `must be a non-empty string, got ${show(key)}`);
  const where = `scale ${i} ("${key}")`;
  const size = vec3(v.size, `${where}.size`, (x, w) => integer(x, w, 0, MAX_EXTENT));
  const offset =
    v.voxel_offset === undefined
      ? ([0, 0, 0] as const)
      : vec3(v.voxel_offset, `${where}.voxel_offset`, (x, w) => integer(x, w, -(2 ** 52), 2 ** 52));
  const resolution = vec3(v.resolution, `${where}.resolution`, (x, w) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw invalid(w, `must be a finite number, got ${show(x)}`);
    return x;
  });
  if (!Array.isArray(v.chunk_sizes) || v.chunk_sizes.length === 0) {
    throw invalid(`${where}.chunk_sizes`, `must be a non-empty array of [x, y, z], got ${show(v.chunk_sizes)}`);
  }
  const chunkSizes = v.chunk_sizes.map((c, j) =>
    vec3(c, `${where}.chunk_sizes[${j}]`, (x, w) => integer(x, w, 1, MAX_EXTENT)),
  );
  const encoding = oneOf(v.encoding, `${where}.encoding`, ENCODINGS);
  const sharding = parseSharding(v.sharding, `${where}.sharding`);
  if (sharding && chunkSizes.length !== 1) {
    throw invalid(`${where}.chunk_sizes`, `a sharded scale must have exactly one chunk size, got ${chunkSizes.length}`);
  }
  const hasBlock = v.compressed_segmentation_block_size !== undefined;
  if (encoding === "compressed_segmentation") {
    if (!hasBlock) {
      throw invalid(`${where}.compressed_segmentation_block_size`, `is required with "compressed_segmentation" encoding`);
    }
    if (dataType !== "uint32" && dataType !== "uint64") {
      throw invalid(`${where}.encoding`, `"compressed_segmentation" needs data_type uint32 or uint64, not ${dataType}`);
    }
  } else if (hasBlock) {
    throw invalid(`${where}.compressed_segmentation_block_size`, `is only valid with "compressed_segmentation" encoding`);
  }
  if (encoding === "jpeg" && (dataType !== "uint8" || (channels !== 1 && channels !== 3))) {
    throw invalid(`${where}.encoding`, `"jpeg" needs uint8 data with 1 or 3 channels`);
  }
  if (sharding) checkShardBits(sharding, size, chunkSizes[0]!, where);

  const { key: _k, size: _s, voxel_offset: _o, resolution: _r, chunk_sizes: _c, encoding: _e, sharding: _sh, ...rest } = v;
  const { compressed_segmentation_block_size: block, ...extra } = rest;
  const scale: ScaleInfo = {
    key,
    size,
    voxel_offset: offset,
    resolution,
    chunk_sizes: chunkSizes,
    encoding,
    ...extra,
  };
  if (hasBlock) {
    scale.compressed_segmentation_block_size = vec3(block, `${where}.compressed_segmentation_block_size`, (x, w) =>
      integer(x, w, 1, MAX_EXTENT),
    );
  }
  if (sharding) scale.sharding = sharding;
  return scale;
}

function asObject(input: string | Uint8Array | object): Json {
  let value: unknown = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const text = typeof input === "string" ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new BraidError("SPEC_INVALID", `info: not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  if (!isObject(value)) throw invalid("top level", `must be a JSON object, got ${show(value)}`);
  return value;
}

/**
 * Parses and validates an `info` (JSON text, bytes or an object). Defaults become explicit
 * (`voxel_offset`, sharding encodings); unknown keys are kept. Throws `SPEC_INVALID`.
 */
export function parseInfo(input: string | Uint8Array | object): PrecomputedInfo {
  const v = asObject(input);
  if (v["@type"] !== undefined && v["@type"] !== "neuroglancer_multiscale_volume") {
    throw invalid("@type", `must be "neuroglancer_multiscale_volume", got ${show(v["@type"])}`);
  }
  const type = oneOf(v.type, "type", ["image", "segmentation"] as const);
  const dataType = oneOf(v.data_type, "data_type", DATA_TYPES);
  const channels = integer(v.num_channels, "num_channels", 1, 2 ** 31 - 1);
  if (type === "segmentation") {
    // Stricter than TensorStore (which takes any data type): label volumes are uint32/uint64.
    if (dataType !== "uint32" && dataType !== "uint64") {
      throw invalid("data_type", `must be "uint32" or "uint64" for segmentation, got "${dataType}"`);
    }
    if (channels !== 1) throw invalid("num_channels", `must be 1 for segmentation, got ${channels}`);
  }
  if (!Array.isArray(v.scales) || v.scales.length === 0) {
    throw invalid("scales", `must be a non-empty array, got ${show(v.scales)}`);
  }
  const scales = v.scales.map((s, i) => parseScale(s, i, dataType, channels));
  const seen = new Set<string>();
  for (const s of scales) {
    if (seen.has(s.key)) throw invalid("scales", `two scales share the key "${s.key}"`);
    seen.add(s.key);
  }
  const { "@type": _t, type: _ty, data_type: _d, num_channels: _n, scales: _s, ...extra } = v;
  return {
    "@type": "neuroglancer_multiscale_volume",
    type,
    data_type: dataType,
    num_channels: channels,
    scales,
    ...extra,
  };
}

function serializeSharding(s: ShardingSpec): ShardingSpec {
  return {
    "@type": "neuroglancer_uint64_sharded_v1",
    preshift_bits: s.preshift_bits,
    hash: s.hash,
    minishard_bits: s.minishard_bits,
    shard_bits: s.shard_bits,
    minishard_index_encoding: s.minishard_index_encoding ?? "raw",
    data_encoding: s.data_encoding ?? "raw",
  };
}

function serializeScale(s: ScaleInfo): Json {
  const { key, size, voxel_offset, resolution, chunk_sizes, encoding, compressed_segmentation_block_size, sharding, ...extra } =
    s;
  const out: Json = { key, size, voxel_offset: voxel_offset ?? [0, 0, 0], resolution, chunk_sizes, encoding };
  if (compressed_segmentation_block_size) out.compressed_segmentation_block_size = compressed_segmentation_block_size;
  if (sharding) out.sharding = serializeSharding(sharding);
  return { ...out, ...extra };
}

/**
 * The `info` JSON text, validated first. `@type`, `voxel_offset` and the sharding encodings
 * are always written: readers disagree on defaults (an absent `data_encoding` is raw).
 */
export function serializeInfo(info: PrecomputedInfo): string {
  const checked = parseInfo(info);
  const { "@type": _t, type, data_type, num_channels, scales, ...extra } = checked;
  return JSON.stringify({
    "@type": "neuroglancer_multiscale_volume",
    type,
    data_type,
    num_channels,
    scales: scales.map(serializeScale),
    ...extra,
  });
}

/**
 * A valid segmentation `info` from a neuroglancer volume spec (as used by DVID exports and
 * tensorstore-export): fills `type: "segmentation"` and `@type` when absent, keeps every other
 * key (`mesh`, …), then validates.
 */
export function infoFromSpec(spec: string | Uint8Array | object): PrecomputedInfo {
  const v = asObject(spec);
  return parseInfo({ "@type": "neuroglancer_multiscale_volume", type: "segmentation", ...v });
}

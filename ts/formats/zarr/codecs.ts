/**
 * The codec chain of a zarr chunk (docs/formats/zarr.md §5.3), decoding only: array→array
 * codecs, one array→bytes codec, bytes→bytes codecs. The hot ones run where they are fastest:
 * `bytes` is a typed-array view (no copy), `transpose` a permutation of strides (no copy),
 * `gzip` and `zstd` run in braid's core (native: off the main thread), `crc32c` is checked
 * here. Everything else (blosc, lz4, zlib, numcodecs filters) comes from zarrita's codec
 * registry, imported only when an array needs it, so pages reading gzip/zstd arrays never
 * load it. `sharding_indexed` is not a chunk codec here: `sharding.ts` reads shards.
 */
import type { Backend } from "../../backend/backend.js";
import { gunzipAsync, zstdDecompress } from "../../core/compression.js";
import { BraidError } from "../../errors.js";
import type { DataType } from "../../volume/labels.js";
import type { DecodedChunk } from "../../volume/source.js";
import { cOrderStrides, product } from "../../volume/strided.js";
import { bytesPerVoxel, voxelsFromBytes, type VoxelArray, type VoxelValue } from "../../volume/voxels.js";
import { crc32c } from "./crc32c.js";
import type { CodecSpec } from "./metadata.js";

/** Decodes the stored bytes of one chunk into its full-size array (zarr chunks are never clipped). */
export interface ChunkDecoder {
  /** The chunk shape the decoder produces. */
  readonly shape: readonly number[];
  decode(bytes: Uint8Array): Promise<DecodedChunk>;
}

interface BytesStep {
  name: string;
  decode(bytes: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

interface ArrayStep {
  name: string;
  decode(chunk: DecodedChunk): DecodedChunk | Promise<DecodedChunk>;
}

interface ChunkMeta {
  dataType: DataType;
  shape: readonly number[];
  fillValue: VoxelValue;
}

/** Slack on top of a chunk's decoded size a decompressor may produce before it is a bomb. */
const DECOMPRESS_SLACK = 1 << 20;

const ARRAY_TO_BYTES = new Set(["bytes", "sharding_indexed", "vlen-utf8", "vlen-bytes"]);

function corrupt(message: string): BraidError {
  return new BraidError("ZARR_CORRUPT", message);
}

/** Verifies and strips a trailing CRC-32C (little-endian u32 over everything before it). */
export function stripCrc32c(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < 4) throw corrupt(`crc32c: ${bytes.byteLength} bytes cannot end in a checksum`);
  const body = bytes.subarray(0, bytes.byteLength - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.byteLength, 4).getUint32(0, true);
  const actual = crc32c(body);
  if (stored !== actual) {
    throw corrupt(`crc32c mismatch: stored ${stored.toString(16).padStart(8, "0")}, computed ${actual.toString(16).padStart(8, "0")}`);
  }
  return body;
}

function transposeOrder(spec: CodecSpec, rank: number): number[] {
  const order = spec.configuration.order;
  if (order === "C") return [...Array(rank).keys()];
  if (order === "F") return [...Array(rank).keys()].reverse();
  const ok =
    Array.isArray(order) &&
    order.length === rank &&
    [...order].sort((a, b) => a - b).every((v, i) => v === i);
  if (!ok) throw new BraidError("SPEC_INVALID", `transpose order ${JSON.stringify(order)} is not a permutation of ${rank} dimensions`);
  return order as number[];
}

/** `transpose`: the encoded dimension `i` is the decoded dimension `order[i]` — a stride permutation. */
function transposeStep(order: number[]): ArrayStep {
  return {
    name: "transpose",
    decode(chunk) {
      const shape = new Array<number>(order.length);
      const strides = new Array<number>(order.length);
      order.forEach((d, i) => {
        shape[d] = chunk.shape[i]!;
        strides[d] = chunk.strides[i]!;
      });
      return { data: chunk.data, shape, strides };
    },
  };
}

function bytesStep(spec: CodecSpec, meta: ChunkMeta): (bytes: Uint8Array) => DecodedChunk {
  const endian = spec.configuration.endian ?? "little";
  if (endian !== "little" && endian !== "big") throw new BraidError("SPEC_INVALID", `bytes codec endian must be "little" or "big", got ${JSON.stringify(endian)}`);
  const expected = product(meta.shape) * bytesPerVoxel(meta.dataType);
  const strides = cOrderStrides(meta.shape);
  return (bytes) => {
    if (bytes.byteLength !== expected) {
      throw corrupt(`a ${meta.shape.join("×")} ${meta.dataType} chunk is ${expected} bytes, got ${bytes.byteLength}`);
    }
    return { data: voxelsFromBytes(meta.dataType, bytes, endian === "little"), shape: meta.shape, strides };
  };
}

/** zarrita's implementation of a codec braid does not run itself. */
async function zarritaCodec(spec: CodecSpec, meta: ChunkMeta): Promise<{ kind?: string; decode(x: unknown): unknown }> {
  let registry: Map<string, () => Promise<unknown>>;
  try {
    ({ registry } = (await import("zarrita")) as unknown as { registry: Map<string, () => Promise<unknown>> });
  } catch (e) {
    throw new BraidError("UNSUPPORTED", `codec "${spec.name}" needs the zarrita package, which did not load: ${(e as Error).message}`, { cause: e });
  }
  const load = registry.get(spec.name);
  if (!load) throw new BraidError("UNSUPPORTED", `codec "${spec.name}" is not one braid or zarrita decodes`);
  const Codec = (await load()) as { fromConfig(config: unknown, meta: unknown): { kind?: string; decode(x: unknown): unknown; getEncodedMeta?: unknown } };
  const codec = Codec.fromConfig(spec.configuration, { dataType: meta.dataType, shape: [...meta.shape], codecs: [], fillValue: meta.fillValue });
  if (codec.getEncodedMeta) throw new BraidError("UNSUPPORTED", `codec "${spec.name}" changes the stored data type, which braid does not read`);
  return codec;
}

async function zarritaArrayStep(spec: CodecSpec, meta: ChunkMeta): Promise<ArrayStep> {
  const codec = await zarritaCodec(spec, meta);
  if (codec.kind !== "array_to_array") throw new BraidError("UNSUPPORTED", `codec "${spec.name}" must come after the bytes codec`);
  return {
    name: spec.name,
    async decode(chunk) {
      const out = (await codec.decode({ data: chunk.data, shape: [...chunk.shape], stride: [...chunk.strides] })) as {
        data: VoxelArray;
        shape: number[];
        stride: number[];
      };
      return { data: out.data, shape: out.shape, strides: out.stride };
    },
  };
}

function bytesToBytes(backend: Backend, spec: CodecSpec, meta: ChunkMeta): BytesStep | Promise<BytesStep> {
  const maxBytes = product(meta.shape) * bytesPerVoxel(meta.dataType) + DECOMPRESS_SLACK;
  switch (spec.name) {
    case "gzip":
      return { name: "gzip", decode: (b) => gunzipAsync(backend, b, { maxBytes }) };
    case "zstd":
      return { name: "zstd", decode: (b) => zstdDecompress(backend, b, { maxBytes }) };
    case "crc32c":
      return { name: "crc32c", decode: stripCrc32c };
  }
  return zarritaCodec(spec, meta).then((codec) => {
    // numcodecs' codecs (blosc, lz4, zlib) carry no kind: they are bytes→bytes, as zarrita treats them.
    if (codec.kind !== undefined && codec.kind !== "bytes_to_bytes") throw new BraidError("UNSUPPORTED", `codec "${spec.name}" must come before the bytes codec`);
    return { name: spec.name, decode: async (b: Uint8Array) => (await codec.decode(b)) as Uint8Array };
  });
}

/** Index of the chain's array→bytes codec; SPEC_INVALID when there is not exactly one. */
export function arrayToBytesIndex(codecs: readonly CodecSpec[]): number {
  const at = codecs.flatMap((c, i) => (ARRAY_TO_BYTES.has(c.name) ? [i] : []));
  if (at.length !== 1) {
    throw new BraidError("SPEC_INVALID", `a codec chain needs exactly one array→bytes codec (bytes or sharding_indexed), got ${JSON.stringify(codecs.map((c) => c.name))}`);
  }
  return at[0]!;
}

/** The decoder of a chain whose array→bytes codec is `bytes`, for chunks of `meta.shape`. */
export async function chunkDecoder(backend: Backend, codecs: readonly CodecSpec[], meta: ChunkMeta): Promise<ChunkDecoder> {
  const at = arrayToBytesIndex(codecs);
  const a2b = codecs[at]!;
  if (a2b.name !== "bytes") {
    throw new BraidError("UNSUPPORTED", `array→bytes codec "${a2b.name}" ${a2b.name === "sharding_indexed" ? "inside a shard (nested sharding)" : ""} is not read`.replace(/ +/g, " "));
  }
  const arraySteps: ArrayStep[] = [];
  let shape = [...meta.shape];
  for (const spec of codecs.slice(0, at)) {
    if (spec.name === "transpose") {
      const order = transposeOrder(spec, shape.length);
      arraySteps.push(transposeStep(order));
      shape = order.map((d) => shape[d]!);
    } else {
      arraySteps.push(await zarritaArrayStep(spec, { ...meta, shape }));
    }
  }
  const toArray = bytesStep(a2b, { ...meta, shape });
  const bytesSteps = await Promise.all(codecs.slice(at + 1).map((spec) => bytesToBytes(backend, spec, { ...meta, shape })));
  bytesSteps.reverse();
  arraySteps.reverse();
  return {
    shape: meta.shape,
    async decode(stored) {
      let bytes = stored;
      for (const step of bytesSteps) bytes = await step.decode(bytes);
      let chunk = toArray(bytes);
      for (const step of arraySteps) chunk = await step.decode(chunk);
      return chunk;
    },
  };
}

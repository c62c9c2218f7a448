/**
 * Reading `sharding_indexed` shards (docs/formats/zarr.md §5.4): the index — `(offset,
 * nbytes)` u64 pairs in C order over the shard's inner-chunk grid, `bytes` (+ `crc32c`) — is
 * read with one range request at the end (or start) of the shard object and kept in the
 * volume's byte-bounded LRU; each inner chunk is then one range request. A missing shard
 * object reads as a shard of absent chunks. `decodeShardIndex` is the seam braid's core takes
 * over (braid-core `zarr::decode_shard_index`), with the same checks and the ZARR_CORRUPT code.
 */
import { BraidError, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { ByteLru } from "../../volume/cache.js";
import { product } from "../../volume/strided.js";
import { stripCrc32c } from "./codecs.js";
import { codecChain, isObject, type CodecSpec } from "./metadata.js";

/** Index entry of an inner chunk that is not stored. */
export const ABSENT = 0xffffffffffffffffn;
/** Cache cost of an entry on top of its bytes. */
const ENTRY_OVERHEAD = 64;

export interface ShardingConfig {
  /** Inner chunk shape; divides the shard shape. */
  chunkShape: number[];
  /** Inner chunks per shard per dimension. */
  chunksPerShard: number[];
  /** The inner chunks' codec chain. */
  codecs: CodecSpec[];
  indexLocation: "start" | "end";
  indexLittleEndian: boolean;
  indexChecksum: boolean;
  /** Encoded size of the index: 16 bytes per inner chunk, + 4 with crc32c. */
  indexBytes: number;
}

function spec(file: string, message: string): BraidError {
  return new BraidError("SPEC_INVALID", `${file}: sharding_indexed: ${message}`, { file });
}

/** Validates a `sharding_indexed` configuration for shards of `shardShape`. */
export function parseSharding(codec: CodecSpec, shardShape: readonly number[], file: string): ShardingConfig {
  const c = codec.configuration;
  const chunkShape = c.chunk_shape;
  if (!Array.isArray(chunkShape) || chunkShape.length !== shardShape.length || !chunkShape.every((v) => Number.isSafeInteger(v) && v > 0)) {
    throw spec(file, `chunk_shape must be ${shardShape.length} positive integers, got ${JSON.stringify(chunkShape)}`);
  }
  const chunksPerShard = shardShape.map((s, d) => s / (chunkShape[d] as number));
  if (!chunksPerShard.every(Number.isInteger)) {
    throw spec(file, `chunk_shape ${JSON.stringify(chunkShape)} does not divide the shard shape ${JSON.stringify(shardShape)}`);
  }
  const location = c.index_location ?? "end";
  if (location !== "start" && location !== "end") throw spec(file, `index_location must be "start" or "end", got ${JSON.stringify(location)}`);
  const indexCodecs = codecChain(c.index_codecs, file);
  const [bytes, ...rest] = indexCodecs;
  const endian = bytes?.configuration.endian ?? "little";
  const checksum = rest.length === 1 && rest[0]!.name === "crc32c";
  if (bytes?.name !== "bytes" || (endian !== "little" && endian !== "big") || (rest.length > 0 && !checksum)) {
    throw new BraidError("UNSUPPORTED", `${file}: shard index codecs ${JSON.stringify(indexCodecs.map((x) => x.name))} are not read (bytes, optionally + crc32c)`, { file });
  }
  if (!isObject(c) || !Array.isArray(c.codecs)) throw spec(file, "codecs must be an array");
  const entries = product(chunksPerShard);
  return {
    chunkShape: chunkShape as number[],
    chunksPerShard,
    codecs: codecChain(c.codecs, file),
    indexLocation: location,
    indexLittleEndian: endian === "little",
    indexChecksum: checksum,
    indexBytes: 16 * entries + (checksum ? 4 : 0),
  };
}

/**
 * A shard index as `[offset, nbytes]` pairs, checked: the checksum, that no stored chunk
 * overlaps the index, and — when the object's size is known — that each lies inside it.
 * (Without the size, a chunk running past the end fails when it is read.)
 */
export function decodeShardIndex(bytes: Uint8Array, config: ShardingConfig, objectBytes?: number): BigUint64Array {
  if (bytes.byteLength !== config.indexBytes) {
    throw new BraidError("ZARR_CORRUPT", `the shard index needs ${config.indexBytes} bytes but only ${bytes.byteLength} are present`);
  }
  const body = config.indexChecksum ? stripCrc32c(bytes) : bytes;
  const n = body.byteLength / 8;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = new BigUint64Array(n);
  const le = config.indexLittleEndian;
  const first = BigInt(config.indexLocation === "start" ? config.indexBytes : 0);
  const limit = objectBytes === undefined ? ABSENT : BigInt(objectBytes) - BigInt(config.indexLocation === "end" ? config.indexBytes : 0);
  for (let i = 0; i < n; i += 2) {
    const offset = view.getBigUint64(8 * i, le);
    const length = view.getBigUint64(8 * i + 8, le);
    out[i] = offset;
    out[i + 1] = length;
    if (offset === ABSENT && length === ABSENT) continue;
    if (offset < first || offset + length > limit) {
      throw new BraidError(
        "ZARR_CORRUPT",
        `shard index entry ${i / 2} is [${offset}, +${length}), outside the chunk bytes [${first}, ${limit}) of the shard`,
      );
    }
  }
  return out;
}

/** Reads shards of one array; indexes live in the shared cache under `prefix`. */
export class ShardReader {
  constructor(
    readonly storage: Storage,
    readonly config: ShardingConfig,
    readonly cache: ByteLru,
    readonly prefix: string,
  ) {}

  #key(shardKey: string): string {
    return `${this.prefix} index ${shardKey}`;
  }

  /** The decoded index of a shard, or null when the shard object does not exist. */
  index(shardKey: string): Promise<BigUint64Array | null> {
    return this.cache.get(this.#key(shardKey), async () => {
      const { indexBytes, indexLocation } = this.config;
      const range = indexLocation === "end" ? { suffix: indexBytes } : { offset: 0, length: indexBytes };
      let index: BigUint64Array | null = null;
      try {
        const bytes = await this.storage.read(shardKey, range);
        if (bytes !== undefined) index = decodeShardIndex(bytes, this.config);
      } catch (e) {
        throw withContext(e, { file: this.storage.describe(shardKey) });
      }
      return { value: index, bytes: (index?.byteLength ?? 0) + ENTRY_OVERHEAD };
    });
  }

  /** Stored bytes of inner chunk `inner` (index in C order within the shard); undefined when absent. */
  async readChunk(shardKey: string, inner: number): Promise<Uint8Array | undefined> {
    const index = await this.index(shardKey);
    if (index === null) return undefined;
    const offset = index[2 * inner]!;
    const length = index[2 * inner + 1]!;
    if (offset === ABSENT && length === ABSENT) return undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.storage.read(shardKey, { offset: Number(offset), length: Number(length) });
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(shardKey) });
    }
    if (bytes === undefined || bytes.byteLength !== Number(length)) {
      throw new BraidError(
        "ZARR_CORRUPT",
        `${this.storage.describe(shardKey)}: inner chunk ${inner} [${offset}, +${length}) is not all there (got ${bytes?.byteLength ?? "no"} bytes; was the shard rewritten?)`,
        { file: this.storage.describe(shardKey) },
      );
    }
    return bytes;
  }

  /** Forgets a shard's cached index (it was rewritten). */
  forget(shardKey: string): void {
    this.cache.delete(this.#key(shardKey));
  }
}

/**
 * One zarr array (v2 or v3, sharded or not) as a level of the lazy reader: chunk keys from the
 * metadata, inner chunks of `sharding_indexed` shards through `ShardReader`, decoding through
 * the codec chain. Chunks come out full size (zarr never clips them, docs/formats/zarr.md
 * §5.1); the reader crops them to the array.
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { ByteLru } from "../../volume/cache.js";
import type { DecodedChunk, SourceLevel } from "../../volume/source.js";
import { arrayToBytesIndex, chunkDecoder, type ChunkDecoder } from "./codecs.js";
import type { ZarrArrayMetadata } from "./metadata.js";
import { parseSharding, ShardReader } from "./sharding.js";

/** Element coordinate → world: `translation + scale · i` per dimension (lower corners). */
export interface ArrayTransform {
  scale: number[];
  translation: number[];
}

export class ZarrLevel implements SourceLevel {
  readonly shape: number[];
  readonly chunkShape: number[];
  readonly shardShape: number[] | undefined;
  readonly start: number[];
  readonly scale: number[];
  readonly translation: number[];
  readonly #decoder: ChunkDecoder;
  readonly #shards: ShardReader | undefined;

  private constructor(
    readonly key: string,
    readonly storage: Storage,
    readonly metadata: ZarrArrayMetadata,
    transform: ArrayTransform,
    decoder: ChunkDecoder,
    shards: ShardReader | undefined,
  ) {
    this.shape = metadata.shape;
    this.shardShape = shards ? metadata.chunkShape : undefined;
    this.chunkShape = shards ? shards.config.chunkShape : metadata.chunkShape;
    this.start = metadata.shape.map(() => 0);
    this.scale = transform.scale;
    this.translation = transform.translation;
    this.#decoder = decoder;
    this.#shards = shards;
  }

  /**
   * The level of an array whose metadata was read from `storage` (the array's directory).
   * Builds the codec chain now, so unsupported codecs fail at open rather than at first read.
   */
  static async create(
    backend: Backend,
    key: string,
    storage: Storage,
    metadata: ZarrArrayMetadata,
    transform: ArrayTransform,
    cache: ByteLru,
  ): Promise<ZarrLevel> {
    const file = storage.describe(metadata.zarrFormat === 3 ? "zarr.json" : ".zarray");
    const at = arrayToBytesIndex(metadata.codecs);
    const meta = { dataType: metadata.dataType, fillValue: metadata.fillValue };
    try {
      if (metadata.codecs[at]!.name !== "sharding_indexed") {
        const decoder = await chunkDecoder(backend, metadata.codecs, { ...meta, shape: metadata.chunkShape });
        return new ZarrLevel(key, storage, metadata, transform, decoder, undefined);
      }
      if (metadata.codecs.length !== 1) {
        throw new BraidError("UNSUPPORTED", `codecs around sharding_indexed (${metadata.codecs.map((c) => c.name).join(", ")}) are not read`);
      }
      const config = parseSharding(metadata.codecs[0]!, metadata.chunkShape, file);
      const decoder = await chunkDecoder(backend, config.codecs, { ...meta, shape: config.chunkShape });
      return new ZarrLevel(key, storage, metadata, transform, decoder, new ShardReader(storage, config, cache, `zarr ${key}`));
    } catch (e) {
      throw withContext(e, { file });
    }
  }

  /** Shard key and the inner chunk's C-order position in it. */
  #inShard(cell: readonly number[]): { shardKey: string; inner: number } {
    const per = this.#shards!.config.chunksPerShard;
    let inner = 0;
    const shard = cell.map((c, d) => {
      inner = inner * per[d]! + (c % per[d]!);
      return Math.floor(c / per[d]!);
    });
    return { shardKey: this.metadata.chunkKey(shard), inner };
  }

  async readChunk(cell: readonly number[]): Promise<DecodedChunk | undefined> {
    let bytes: Uint8Array | undefined;
    let file: string;
    if (this.#shards) {
      const { shardKey, inner } = this.#inShard(cell);
      file = this.storage.describe(shardKey);
      bytes = await this.#shards.readChunk(shardKey, inner);
    } else {
      const key = this.metadata.chunkKey(cell);
      file = this.storage.describe(key);
      try {
        bytes = await this.storage.read(key);
      } catch (e) {
        throw withContext(e, { file, chunk: [...cell] });
      }
    }
    if (bytes === undefined) return undefined;
    try {
      return await this.#decoder.decode(bytes);
    } catch (e) {
      throw withContext(e, { file, chunk: [...cell] });
    }
  }

  forget(cells: readonly (readonly number[])[]): void {
    if (!this.#shards) return;
    const keys = new Set(cells.map((c) => this.#inShard(c).shardKey));
    for (const k of keys) this.#shards.forget(k);
  }
}

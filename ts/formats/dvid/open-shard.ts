/**
 * `openDvidShard`: one DVID export file for programs — stream all its records with flat
 * memory, or fetch a block by chunk coordinate through the CSV index (a ranged read of its
 * record batch, with a small cache of decoded batches).
 */
import type { Backend } from "../../backend/backend.js";
import { ArrowStreamDecoder, type DvidRecords, type RecordTranscodeOptions } from "./records.js";
import { BraidError, withContext } from "../../errors.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { LabelVolume, Vec3 } from "../../types.js";
import { chunkOf, readSourceIndex, type SourceIndex } from "./file-index.js";
import { DvidFileReader } from "./reader.js";
import { resolveStorage } from "../../storage/resolve.js";

/** Bytes per read while streaming records. */
const STREAM_PIECE = 4 << 20;

/** One record (DVID block) of an export file. */
export class DvidBlock {
  constructor(
    readonly records: DvidRecords,
    readonly index: number,
  ) {}

  get chunk(): Vec3 {
    return this.records.chunk(this.index);
  }

  /** Body ids parallel to the block's label list. */
  get labels(): BigUint64Array {
    return this.records.labels(this.index);
  }

  /** The block's label list (supervoxel ids). */
  get supervoxels(): BigUint64Array {
    return this.records.supervoxels(this.index);
  }

  /** The stored zstd-wrapped DVID block. */
  get block(): Uint8Array {
    return this.records.block(this.index);
  }

  get uncompressedSize(): number {
    return this.records.uncompressedSize(this.index);
  }

  /** The 64³ voxels (body ids unless `supervoxels`). */
  decode(options: { supervoxels?: boolean } = {}): LabelVolume {
    return this.records.decode(this.index, options);
  }

  /** A neuroglancer chunk payload, or null when all background. */
  transcode(options: RecordTranscodeOptions = {}): Uint8Array | null {
    return this.records.transcode(this.index, options);
  }
}

export class DvidShard {
  readonly #reader: DvidFileReader;
  #index: Promise<SourceIndex> | undefined;
  #rows: Promise<Map<string, number>> | undefined;

  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly key: string,
    readonly bytes: number,
  ) {
    this.#reader = new DvidFileReader(backend, storage, { key, csvKey: `${key.slice(0, -".arrow".length)}.csv`, bytes });
  }

  /** Human-readable location of the `.arrow` file. */
  get url(): string {
    return this.#reader.where;
  }

  /** The CSV index with byte ranges resolved (legacy indexes are resolved from the stream). */
  index(): Promise<SourceIndex> {
    this.#index ??= readSourceIndex(this.backend, this.storage, this.#reader.file);
    return this.#index;
  }

  /** Every record in stream order, a record batch (or a few) at a time. */
  async *records(): AsyncIterable<DvidRecords> {
    const decoder = new ArrowStreamDecoder(this.backend);
    let finished = false;
    try {
      for (let offset = 0; offset < this.bytes; offset += STREAM_PIECE) {
        const piece = await this.storage.read(this.key, { offset, length: Math.min(STREAM_PIECE, this.bytes - offset) });
        if (piece === undefined) throw new BraidError("NOT_FOUND", "the file disappeared while being read");
        const records = decoder.push(piece);
        if (records.length > 0) yield records;
        else records.free();
      }
      finished = true;
      decoder.finish();
    } catch (e) {
      throw withContext(e, { file: this.url });
    } finally {
      if (!finished) {
        try {
          decoder.finish();
        } catch {
          // only freeing it; the stream was abandoned or failed already
        }
      }
    }
  }

  /** The block at chunk coordinate (x, y, z), or undefined when the file has none there. */
  async readBlock(x: number, y: number, z: number): Promise<DvidBlock | undefined> {
    const index = await this.index();
    this.#rows ??= Promise.resolve(new Map(Array.from({ length: index.length }, (_, i) => [chunkOf(index, i).join(","), i])));
    const i = (await this.#rows).get(`${x},${y},${z}`);
    if (i === undefined) return undefined;
    const { records, index: row } = await this.#reader.readRow({
      chunk: chunkOf(index, i),
      offset: index.offsets[i]!,
      size: index.sizes[i]!,
      batchRow: index.batchRows[i]!,
    });
    return new DvidBlock(records, row);
  }
}

/**
 * Opens `key` (`s<k>/<X>_<Y>_<Z>.arrow`, the extension optional) in an export at `target`
 * (a directory, `gs://` or `http(s)://` URL, or a Storage).
 */
export async function openDvidShard(
  backend: Backend,
  target: string | Storage,
  key: string,
  options: { storage?: OpenStorageOptions } = {},
): Promise<DvidShard> {
  const storage = await resolveStorage(target, options.storage);
  const arrow = key.endsWith(".arrow") ? key : `${key}.arrow`;
  const bytes = await storage.size(arrow);
  if (bytes === undefined) throw new BraidError("NOT_FOUND", `${storage.describe(arrow)} does not exist`, { file: storage.describe(arrow) });
  return new DvidShard(backend, storage, arrow, bytes);
}

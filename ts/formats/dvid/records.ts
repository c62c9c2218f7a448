/**
 * Records of DVID `export-shards` Arrow IPC files (docs/formats/dvid.md §6.3): zstd-wrapped
 * label blocks with their supervoxel→body lists. Records stay in the Rust core, so
 * transcoding a record never copies its block through JavaScript.
 */
import type { Backend } from "../../backend/backend.js";
import type { BackendBinding, RawDvidRecords } from "../../backend/binding.js";
import { call } from "../../errors.js";
import type { LabelVolume, Vec3 } from "../../types.js";
import { gzipLevelOf, toLabelVolume } from "./block.js";

export interface RecordTranscodeOptions {
  /** Keep supervoxel ids instead of mapping to bodies. */
  supervoxels?: boolean;
  /** Clipped chunk extent (edge chunks). */
  extent?: Vec3;
  blockSize?: Vec3;
  /** gzip the payload (true = level 6). */
  gzip?: boolean | number;
}

/** Decoded export records. */
export class DvidRecords {
  readonly #raw: RawDvidRecords;
  readonly #chunks: Int32Array;

  constructor(raw: RawDvidRecords) {
    this.#raw = raw;
    this.#chunks = raw.chunks();
  }

  get length(): number {
    return this.#chunks.length / 3;
  }

  /** Chunk coordinate (block index at this scale) of record `i`. */
  chunk(i: number): Vec3 {
    return [this.#chunks[3 * i]!, this.#chunks[3 * i + 1]!, this.#chunks[3 * i + 2]!];
  }

  /** Body ids parallel to the block's label list. */
  labels(i: number): BigUint64Array {
    return call(() => this.#raw.labels(i));
  }

  /** The block's own label list (supervoxel ids). */
  supervoxels(i: number): BigUint64Array {
    return call(() => this.#raw.supervoxels(i));
  }

  /** The stored zstd-wrapped DVID block. */
  block(i: number): Uint8Array {
    return call(() => this.#raw.block(i));
  }

  uncompressedSize(i: number): number {
    return call(() => this.#raw.uncompressedSize(i));
  }

  /** Record `i` as a neuroglancer chunk payload, or null when it is all background. */
  transcode(i: number, options: RecordTranscodeOptions = {}): Uint8Array | null {
    const g = gzipLevelOf(options.gzip);
    return (
      call(() =>
        this.#raw.transcode(
          i,
          options.supervoxels ?? false,
          options.extent ? Uint32Array.from(options.extent) : null,
          options.blockSize ? Uint32Array.from(options.blockSize) : null,
          g,
        ),
      ) ?? null
    );
  }

  /**
   * Record `i` as a zarr inner chunk of the array with shard spec `zarrSpec` (padded with 0
   * past `extent`), and — when `blockSize` is given — as the precomputed payload too, from
   * one decode. Both null when the chunk is all background.
   */
  transcodeZarr(
    i: number,
    zarrSpec: Uint32Array,
    options: RecordTranscodeOptions = {},
  ): { zarr: Uint8Array | null; precomputed: Uint8Array | null } {
    const t = call(() =>
      this.#raw.transcodeZarr(
        i,
        options.supervoxels ?? false,
        options.extent ? Uint32Array.from(options.extent) : null,
        zarrSpec,
        options.blockSize ? Uint32Array.from(options.blockSize) : null,
        gzipLevelOf(options.gzip),
      ),
    );
    return { zarr: t.zarr ?? null, precomputed: t.precomputed ?? null };
  }

  /** Record `i` decoded to a volume (body ids unless `supervoxels`). */
  decode(i: number, options: { supervoxels?: boolean } = {}): LabelVolume {
    return toLabelVolume(call(() => this.#raw.decode(i, options.supervoxels ?? false)));
  }

  /** Releases the Rust-side memory now instead of at garbage collection. */
  free(): void {
    this.#raw.free?.();
  }
}

/** Decodes a whole export stream (or IPC file) fed in arbitrary slices, with flat memory. */
export class ArrowStreamDecoder {
  readonly #raw: InstanceType<BackendBinding["ArrowStreamDecoder"]>;

  constructor(backend: Backend) {
    const B = backend.binding.ArrowStreamDecoder;
    this.#raw = call(() => new B());
  }

  /** Feeds bytes; returns the records of every record batch they completed. */
  push(bytes: Uint8Array): DvidRecords {
    return new DvidRecords(call(() => this.#raw.push(bytes)));
  }

  /** Checks the stream ended with its end-of-stream marker. */
  finish(): { batches: number; records: number } {
    const [batches, records] = call(() => this.#raw.finish());
    this.#raw.free?.();
    return { batches: batches!, records: records! };
  }
}

/** Decodes single record-batch messages by byte range (CSV `offset,size`). */
export class ArrowBatchDecoder {
  readonly #raw: InstanceType<BackendBinding["ArrowBatchDecoder"]>;

  /** `schema`: the start of the file, at least its schema message. */
  constructor(backend: Backend, schema: Uint8Array) {
    const B = backend.binding.ArrowBatchDecoder;
    this.#raw = call(() => new B(schema));
  }

  decode(message: Uint8Array): DvidRecords {
    return new DvidRecords(call(() => this.#raw.decode(message)));
  }

  free(): void {
    this.#raw.free?.();
  }
}

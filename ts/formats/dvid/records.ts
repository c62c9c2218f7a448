/**
 * DVID `export-shards` files: Arrow IPC streams of zstd-wrapped label blocks with their
 * supervoxel→body lists, and the CSV index beside each. Records stay in the Rust core, so
 * transcoding a record never copies its block through JavaScript.
 */
import type { RawDvidRecords } from "../../backend/binding.js";
import { call } from "../../errors.js";
import { current } from "../../backend/backend.js";
import type { LabelVolume, Vec3 } from "../../types.js";

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
    const g = options.gzip === undefined || options.gzip === false ? null : options.gzip === true ? 6 : options.gzip;
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

  /** Record `i` decoded to a volume (body ids unless `supervoxels`). */
  decode(i: number, options: { supervoxels?: boolean } = {}): LabelVolume {
    const v = call(() => this.#raw.decode(i, options.supervoxels ?? false));
    return { data: v.data, shape: [v.shape[0]!, v.shape[1]!, v.shape[2]!] };
  }

  /** Releases the Rust-side memory now instead of at garbage collection. */
  free(): void {
    this.#raw.free?.();
  }
}

/** Decodes a whole export stream (or IPC file) fed in arbitrary slices, with flat memory. */
export class ArrowStreamDecoder {
  readonly #raw: InstanceType<ReturnType<typeof current>["ArrowStreamDecoder"]>;

  constructor() {
    const B = current().ArrowStreamDecoder;
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
  readonly #raw: InstanceType<ReturnType<typeof current>["ArrowBatchDecoder"]>;

  /** `schema`: the start of the file, at least its schema message. */
  constructor(schema: Uint8Array) {
    const B = current().ArrowBatchDecoder;
    this.#raw = call(() => new B(schema));
  }

  decode(message: Uint8Array): DvidRecords {
    return new DvidRecords(call(() => this.#raw.decode(message)));
  }

  free(): void {
    this.#raw.free?.();
  }
}

export interface CsvIndexRow {
  chunk: Vec3;
  /** Global record number (legacy and transitional variants). */
  record?: number;
  /** Byte range of the row's record-batch message (transitional and current variants). */
  offset?: number;
  size?: number;
  /** Row within its record batch. */
  batchRow: number;
}

export interface CsvIndex {
  variant: "legacy" | "transitional" | "current";
  /** `# schema_size=` header; 0 in fresh DVID exports (the schema is inside the first range). */
  schemaSize?: number;
  rows: CsvIndexRow[];
}

/** Parses the `.csv` beside an export shard, any of its three variants. */
export function parseCsvIndex(text: Uint8Array | string): CsvIndex {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const c = call(() => current().parseCsvIndex(bytes));
  const opt = (v: number) => (Number.isNaN(v) ? undefined : v);
  const rows: CsvIndexRow[] = [];
  for (let i = 0; i < c.batchRows.length; i++) {
    const row: CsvIndexRow = { chunk: [c.chunks[3 * i]!, c.chunks[3 * i + 1]!, c.chunks[3 * i + 2]!], batchRow: c.batchRows[i]! };
    const record = opt(c.records[i]!);
    const offset = opt(c.offsets[i]!);
    if (record !== undefined) row.record = record;
    if (offset !== undefined) {
      row.offset = offset;
      row.size = c.sizes[i]!;
    }
    rows.push(row);
  }
  const index: CsvIndex = { variant: c.variant as CsvIndex["variant"], rows };
  if (c.schemaSize !== undefined && c.schemaSize !== null) index.schemaSize = c.schemaSize;
  return index;
}

export interface StreamScan {
  schemaEnd: number;
  /** Byte range and row count of each complete record-batch message. */
  batches: Array<{ offset: number; size: number; rows: number }>;
  /** Feed bytes from here to continue scanning. */
  nextOffset: number;
  finished: boolean;
}

/** Message layout of a stream prefix without decoding bodies (for indexes without ranges). */
export function scanArrowStream(bytes: Uint8Array): StreamScan {
  const s = call(() => current().scanArrowStream(bytes));
  return {
    schemaEnd: s.schemaEnd,
    batches: Array.from(s.rows, (rows, i) => ({ offset: s.ranges[2 * i]!, size: s.ranges[2 * i + 1]!, rows })),
    nextOffset: s.nextOffset,
    finished: s.finished,
  };
}

export interface ExportRecordInput {
  chunk: Vec3;
  labels: BigUint64Array;
  supervoxels: BigUint64Array;
  /** zstd-wrapped DVID block. */
  block: Uint8Array;
  uncompressedSize: number;
}

/** Writes an export shard exactly as DVID lays it out: Arrow stream + current-format CSV. */
export class ExportShardWriter {
  readonly #raw: InstanceType<ReturnType<typeof current>["ExportShardWriter"]>;

  /**
   * `batchSize` records per record batch (DVID's default 1). `lazySchemaIndex` (default true)
   * indexes like DVID's exporter really does: `schema_size=0`, and the first batch's range
   * starts at byte 0 with the schema message inside it; false writes tse's style instead.
   */
  constructor(options: { batchSize?: number; lazySchemaIndex?: boolean } = {}) {
    const B = current().ExportShardWriter;
    this.#raw = call(() => new B(options.batchSize ?? 1, options.lazySchemaIndex ?? true));
  }

  /** Appends a record; returns stream bytes ready to write. */
  append(r: ExportRecordInput): Uint8Array {
    return call(() => this.#raw.append(Int32Array.from(r.chunk), r.labels, r.supervoxels, r.block, r.uncompressedSize));
  }

  /** Ends the stream: remaining bytes and the CSV text. */
  finish(): { tail: Uint8Array; csv: string } {
    try {
      return call(() => this.#raw.finish());
    } finally {
      this.#raw.free?.();
    }
  }
}

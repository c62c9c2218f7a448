/** Writes DVID export files the way DVID's `export-shards` does (docs/formats/dvid.md §6.2–6.4). */
import type { Backend } from "../../backend/backend.js";
import type { BackendBinding } from "../../backend/binding.js";
import { call } from "../../errors.js";
import type { Vec3 } from "../../types.js";

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
  readonly #raw: InstanceType<BackendBinding["ExportShardWriter"]>;

  /**
   * `batchSize` records per record batch (DVID's default 1). `lazySchemaIndex` (default true)
   * indexes like DVID's exporter really does: `schema_size=0`, and the first batch's range
   * starts at byte 0 with the schema message inside it; false writes tse's style instead.
   */
  constructor(backend: Backend, options: { batchSize?: number; lazySchemaIndex?: boolean } = {}) {
    const B = backend.binding.ExportShardWriter;
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

/**
 * Reads rows of one DVID export file by byte range. A row stream coalesces nearby record
 * batches into one request of a few MiB, keeps the next requests in flight while the current
 * rows are transcoded, and decodes each batch once however many of its rows are wanted: memory
 * stays flat whatever the file size. Random access goes through a small cache of decoded
 * batches. Every error names the file and the chunk being read.
 */
import type { Backend } from "../../backend/backend.js";
import { scanArrowStream } from "./csv-index.js";
import { ArrowBatchDecoder, type DvidRecords } from "./records.js";
import { BraidError, withContext } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import type { SourceFileRef } from "./source.js";

/** The schema message is read from this prefix (it is well under 1 KiB in DVID exports). */
const SCHEMA_PREFIX = 64 << 10;
/** Largest coalesced read. */
const MAX_SPAN = 2 << 20;
/** Bytes of unwanted batches worth reading through rather than starting a new request. */
const MAX_GAP = 64 << 10;
/** Span reads in flight ahead of the one being decoded. */
const PREFETCH = 2;
/** Decoded batches kept for random access. */
const CACHE_BATCHES = 8;

/** A row to read: its chunk (for checks and messages) and its record batch. */
export interface RowRef {
  chunk: Vec3;
  offset: number;
  size: number;
  batchRow: number;
}

/** A row with its decoded batch. */
export interface RowRecord<T> {
  row: T;
  records: DvidRecords;
  /** Index of the row in `records`. */
  index: number;
}

/** Rows as columns (a file's index), so a stream over thousands of rows allocates no row objects. */
export interface RowColumns {
  /** `[x, y, z, …]` chunk coordinates. */
  chunks: Int32Array;
  offsets: Float64Array;
  sizes: Float64Array;
  batchRows: Uint32Array;
}

export const rowRef = (c: RowColumns, i: number): RowRef => ({
  chunk: [c.chunks[3 * i]!, c.chunks[3 * i + 1]!, c.chunks[3 * i + 2]!],
  offset: c.offsets[i]!,
  size: c.sizes[i]!,
  batchRow: c.batchRows[i]!,
});

/**
 * Coalesced reads for rows in `order` (sorted by offset): span k covers `order[first[k] ..
 * first[k+1])` and bytes `[start[k], end[k])`.
 */
function spans(c: RowColumns, order: Uint32Array): { first: Uint32Array; start: Float64Array; end: Float64Array } {
  const first: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    const o = c.offsets[i]!;
    const e = o + c.sizes[i]!;
    const k = start.length - 1;
    if (k >= 0 && o >= start[k]! && o - end[k]! <= MAX_GAP && Math.max(end[k]!, e) - start[k]! <= MAX_SPAN) {
      end[k] = Math.max(end[k]!, e);
    } else {
      first.push(j);
      start.push(o);
      end.push(e);
    }
  }
  first.push(order.length);
  return { first: Uint32Array.from(first), start: Float64Array.from(start), end: Float64Array.from(end) };
}

function sameChunk(records: DvidRecords, batchRow: number, c: RowColumns, row: number): boolean {
  const got = records.chunk(batchRow);
  return got[0] === c.chunks[3 * row] && got[1] === c.chunks[3 * row + 1] && got[2] === c.chunks[3 * row + 2];
}

export class DvidFileReader {
  readonly where: string;
  #decoder: Promise<ArrowBatchDecoder> | undefined;
  readonly #cache = new Map<number, Promise<DvidRecords>>();

  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly file: SourceFileRef,
  ) {
    this.where = storage.describe(file.key);
  }

  /** The batch decoder, built from the schema message at the start of the file. */
  decoder(): Promise<ArrowBatchDecoder> {
    this.#decoder ??= (async () => {
      try {
        const prefix = await this.storage.read(this.file.key, { offset: 0, length: Math.min(SCHEMA_PREFIX, this.file.bytes) });
        if (prefix === undefined) throw new BraidError("NOT_FOUND", "the file is missing");
        return new ArrowBatchDecoder(this.backend, prefix.subarray(0, scanArrowStream(this.backend, prefix).schemaEnd));
      } catch (e) {
        throw withContext(e, { file: this.where });
      }
    })();
    return this.#decoder;
  }

  async #read(start: number, end: number, chunk: Vec3): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.storage.read(this.file.key, { offset: start, length: end - start });
    } catch (e) {
      throw withContext(e, { file: this.where, chunk });
    }
    if (bytes === undefined || bytes.byteLength !== end - start) {
      throw new BraidError(
        "ARROW_TRUNCATED",
        `${this.where}, chunk (${chunk.join(",")}): bytes [${start}, ${end}) are past the end of the file (${bytes?.byteLength ?? 0} read)`,
        { file: this.where, chunk },
      );
    }
    return bytes;
  }

  #decode(decoder: ArrowBatchDecoder, message: Uint8Array, chunk: Vec3): DvidRecords {
    try {
      return decoder.decode(message);
    } catch (e) {
      throw withContext(e, { file: this.where, chunk });
    }
  }

  /** Checks a decoded row is the one the index promised. */
  #check(records: DvidRecords, row: RowRef): void {
    if (row.batchRow >= records.length) {
      throw new BraidError(
        "CSV_INVALID",
        `${this.where}, chunk (${row.chunk.join(",")}): the index names row ${row.batchRow} of a ${records.length}-row record batch`,
        { file: this.where, chunk: row.chunk },
      );
    }
    const got = records.chunk(row.batchRow);
    if (got[0] !== row.chunk[0] || got[1] !== row.chunk[1] || got[2] !== row.chunk[2]) {
      throw new BraidError(
        "CSV_INVALID",
        `${this.where}, chunk (${row.chunk.join(",")}): the index points at a record of chunk (${got.join(",")})`,
        { file: this.where, chunk: row.chunk },
      );
    }
  }

  /**
   * Streams the rows `order` (indices into `columns`, sorted by offset then batch row) with
   * coalesced, prefetched reads; each record batch is decoded once and freed once the stream
   * has moved past it. Yields the row index.
   */
  async *stream(columns: RowColumns, order: Uint32Array, onBytes?: (n: number) => void): AsyncGenerator<RowRecord<number>> {
    const decoder = await this.decoder();
    const plan = spans(columns, order);
    const count = plan.start.length;
    const chunkAt = (j: number): Vec3 => rowRef(columns, order[j]!).chunk;
    const pending: Array<Promise<Uint8Array>> = [];
    const request = (k: number) => {
      const p = this.#read(plan.start[k]!, plan.end[k]!, chunkAt(plan.first[k]!));
      p.catch(() => undefined); // awaited in order below; this only avoids an unhandled rejection
      pending.push(p);
    };
    for (let k = 0; k < Math.min(PREFETCH + 1, count); k++) request(k);
    for (let k = 0; k < count; k++) {
      const bytes = await pending.shift()!;
      if (k + PREFETCH + 1 < count) request(k + PREFETCH + 1);
      onBytes?.(bytes.byteLength);
      const base = plan.start[k]!;
      for (let j = plan.first[k]!; j < plan.first[k + 1]!; ) {
        const offset = columns.offsets[order[j]!]!;
        const size = columns.sizes[order[j]!]!;
        const records = this.#decode(decoder, bytes.subarray(offset - base, offset - base + size), chunkAt(j));
        try {
          for (; j < plan.first[k + 1]! && columns.offsets[order[j]!] === offset; j++) {
            const row = order[j]!;
            const batchRow = columns.batchRows[row]!;
            if (batchRow >= records.length || !sameChunk(records, batchRow, columns, row)) this.#check(records, rowRef(columns, row));
            yield { row, records, index: batchRow };
          }
        } finally {
          records.free();
        }
      }
    }
  }

  /** The decoded batch holding `row` (random access, cached). */
  async readRow(row: RowRef): Promise<RowRecord<RowRef>> {
    let batch = this.#cache.get(row.offset);
    if (batch) {
      this.#cache.delete(row.offset);
    } else {
      batch = (async () => {
        const decoder = await this.decoder();
        return this.#decode(decoder, await this.#read(row.offset, row.offset + row.size, row.chunk), row.chunk);
      })();
      batch.catch(() => this.#cache.delete(row.offset));
    }
    // Evicted batches are left to the garbage collector: a caller may still hold one.
    this.#cache.set(row.offset, batch);
    if (this.#cache.size > CACHE_BATCHES) this.#cache.delete(this.#cache.keys().next().value!);
    const records = await batch;
    this.#check(records, row);
    return { row, records, index: row.batchRow };
  }

  free(): void {
    void this.#decoder?.then((d) => d.free(), () => undefined);
    this.#decoder = undefined;
    this.#cache.clear();
  }
}

/**
 * The CSV index beside each DVID export file, in all three of its variants, and a scan of an
 * Arrow stream's message layout for indexes that carry no byte ranges (docs/formats/dvid.md
 * §6.3–6.4).
 */
import type { Backend } from "../../backend/backend.js";
import { call } from "../../errors.js";
import type { Vec3 } from "../../types.js";

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
export function parseCsvIndex(backend: Backend, text: Uint8Array | string): CsvIndex {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const c = call(() => backend.binding.parseCsvIndex(bytes));
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
export function scanArrowStream(backend: Backend, bytes: Uint8Array): StreamScan {
  const s = call(() => backend.binding.scanArrowStream(bytes));
  return {
    schemaEnd: s.schemaEnd,
    batches: Array.from(s.rows, (rows, i) => ({ offset: s.ranges[2 * i]!, size: s.ranges[2 * i + 1]!, rows })),
    nextOffset: s.nextOffset,
    finished: s.finished,
  };
}

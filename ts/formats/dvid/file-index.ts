/**
 * The row index of one export file as compact columns: chunk coordinate and the byte range
 * and row of its record batch, for all three CSV variants (docs/formats/dvid.md §6.4). Legacy indexes carry only
 * record numbers; their ranges come from walking the Arrow stream's message headers window by
 * window, so memory stays flat whatever the file size. Ranges are checked against the file,
 * so a truncated `.arrow` is reported (naming the first chunk it lost) before any conversion.
 */
import { BraidError, call, withContext } from "../../errors.js";
import type { Backend } from "../../backend/backend.js";
import { concatBytes } from "../../storage/bytes.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import type { SourceFileRef } from "./source.js";

/** Bytes per read while walking a legacy stream's headers (doubled when a header is larger). */
const SCAN_WINDOW = 1 << 20;
/** Arrow IPC end-of-stream marker: continuation word then a zero length. */
const EOS = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];

export interface SourceIndex {
  file: SourceFileRef;
  variant: "legacy" | "transitional" | "current";
  length: number;
  /** `[x, y, z, …]` chunk coordinates in index order. */
  chunks: Int32Array;
  /** Byte range of each row's record batch message (a leading schema message may be inside). */
  offsets: Float64Array;
  sizes: Float64Array;
  /** Row within its record batch. */
  batchRows: Uint32Array;
  /** Rows sharing each row's record batch (to split its bytes among them). */
  batchLengths: Uint32Array;
}

export const chunkOf = (index: SourceIndex, i: number): Vec3 => [
  index.chunks[3 * i]!,
  index.chunks[3 * i + 1]!,
  index.chunks[3 * i + 2]!,
];

interface Batch {
  offset: number;
  size: number;
  rows: number;
}

/** Record batch ranges of a stream from its headers alone (legacy indexes). */
async function scanBatches(backend: Backend, storage: Storage, file: SourceFileRef): Promise<Batch[]> {
  const where = storage.describe(file.key);
  const truncated = (why: string) => new BraidError("ARROW_TRUNCATED", `${where}: ${why}`, { file: where });
  const batches: Batch[] = [];
  const scanWindow = (bytes: Uint8Array) => call(() => backend.binding.scanArrowStream(bytes));
  const add = (scan: ReturnType<typeof scanWindow>, shift: number) => {
    for (let i = 0; i < scan.rows.length; i++) {
      batches.push({ offset: scan.ranges[2 * i]! + shift, size: scan.ranges[2 * i + 1]!, rows: scan.rows[i]! });
    }
  };
  const first = (await storage.read(file.key, { offset: 0, length: Math.min(SCAN_WINDOW, file.bytes) })) ?? new Uint8Array(0);
  const head = scanWindow(first);
  add(head, 0);
  if (head.finished) return batches;
  // The scanner wants a stream from its start, so each later window is fed behind the schema
  // message; bodies past a window are skipped by length without being read.
  const schema = first.slice(0, head.schemaEnd);
  let next = head.nextOffset;
  let window = SCAN_WINDOW;
  for (;;) {
    if (next >= file.bytes) throw truncated(`the stream ends at byte ${file.bytes} without its end-of-stream marker`);
    const bytes = await storage.read(file.key, { offset: next, length: window });
    if (bytes === undefined) throw new BraidError("NOT_FOUND", `${where} disappeared while being read`, { file: where });
    const scan = scanWindow(concatBytes([schema, bytes]));
    const shift = next - schema.byteLength;
    add(scan, shift);
    if (scan.finished) return batches;
    const after = scan.nextOffset + shift;
    if (after > next) {
      next = after;
      window = SCAN_WINDOW;
    } else if (next + bytes.byteLength >= file.bytes) {
      throw truncated(`the stream ends inside the message header at byte ${next}`);
    } else {
      window *= 2; // a header longer than the window
    }
  }
}

/** Gives legacy rows (`rec` only) the range and row of their record batch. */
function resolveLegacy(
  storage: Storage,
  file: SourceFileRef,
  chunks: Int32Array,
  records: Float64Array,
  batches: Batch[],
): { offsets: Float64Array; sizes: Float64Array; batchRows: Uint32Array } {
  const starts = new Float64Array(batches.length + 1);
  batches.forEach((b, i) => (starts[i + 1] = starts[i]! + b.rows));
  const n = records.length;
  const offsets = new Float64Array(n);
  const sizes = new Float64Array(n);
  const batchRows = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const rec = records[i]!;
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid + 1]! <= rec) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= batches.length) {
      const chunk = [chunks[3 * i]!, chunks[3 * i + 1]!, chunks[3 * i + 2]!];
      const where = storage.describe(file.key);
      throw new BraidError(
        "ARROW_TRUNCATED",
        `${where}, chunk (${chunk.join(",")}): the index names record ${rec} but the stream holds ${starts[batches.length]} records`,
        { file: where, chunk },
      );
    }
    offsets[i] = batches[lo]!.offset;
    sizes[i] = batches[lo]!.size;
    batchRows[i] = rec - starts[lo]!;
  }
  return { offsets, sizes, batchRows };
}

/** A truncated or torn `.arrow`: a row's range past the end, or no end-of-stream marker. */
export async function checkComplete(storage: Storage, index: SourceIndex): Promise<void> {
  const { file } = index;
  const where = storage.describe(file.key);
  for (let i = 0; i < index.length; i++) {
    if (index.offsets[i]! + index.sizes[i]! > file.bytes) {
      const chunk = chunkOf(index, i);
      throw new BraidError(
        "ARROW_TRUNCATED",
        `${where}, chunk (${chunk.join(",")}): its record batch [${index.offsets[i]}, ${index.offsets[i]! + index.sizes[i]!}) ` +
          `lies past the end of the ${file.bytes}-byte file`,
        { file: where, chunk },
      );
    }
  }
  const tail = file.bytes >= EOS.length ? await storage.read(file.key, { offset: file.bytes - EOS.length, length: EOS.length }) : undefined;
  if (!tail || tail.byteLength !== EOS.length || tail.some((b, i) => b !== EOS[i])) {
    throw new BraidError("ARROW_TRUNCATED", `${where}: the file does not end with the Arrow end-of-stream marker (truncated?)`, {
      file: where,
    });
  }
}

/** Rows per record batch, from the rows that share a range. */
function batchLengths(offsets: Float64Array): Uint32Array {
  const counts = new Map<number, number>();
  for (const o of offsets) counts.set(o, (counts.get(o) ?? 0) + 1);
  return Uint32Array.from(offsets, (o) => counts.get(o)!);
}

/**
 * Reads and resolves the index of one export file; errors name the file (and chunk). Call
 * {@link checkComplete} before trusting the `.arrow` itself.
 */
export async function readSourceIndex(backend: Backend, storage: Storage, file: SourceFileRef): Promise<SourceIndex> {
  const csvWhere = storage.describe(file.csvKey);
  try {
    const text = await storage.read(file.csvKey);
    if (text === undefined) {
      throw new BraidError("MISSING_INDEX", `${csvWhere} is missing: the index of ${storage.describe(file.key)} is needed to read it`, {
        file: csvWhere,
      });
    }
    const csv = withCsvContext(() => call(() => backend.binding.parseCsvIndex(text)), csvWhere);
    const variant = csv.variant as SourceIndex["variant"];
    const resolved =
      variant === "legacy"
        ? resolveLegacy(storage, file, csv.chunks, csv.records, await scanBatches(backend, storage, file))
        : { offsets: csv.offsets, sizes: csv.sizes, batchRows: csv.batchRows };
    const index: SourceIndex = {
      file,
      variant,
      length: csv.batchRows.length,
      chunks: csv.chunks,
      ...resolved,
      batchLengths: batchLengths(resolved.offsets),
    };
    return index;
  } catch (e) {
    if (e instanceof BraidError && e.file !== undefined) throw e;
    throw withContext(e, { file: storage.describe(file.key) });
  }
}

function withCsvContext<T>(fn: () => T, where: string): T {
  try {
    return fn();
  } catch (e) {
    throw withContext(e, { file: where });
  }
}

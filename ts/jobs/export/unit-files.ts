/**
 * A unit's source files, loaded: each index read, checked against its file and placed in the
 * output scale; and the rows of any one shard picked out of them in source-file order, as row
 * indices (a full shard is 32,768 rows: no object per row).
 */
import { BraidError } from "../../errors.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { checkComplete, chunkOf, readSourceIndex, type SourceIndex } from "../../formats/dvid/file-index.js";
import { mapRowsStrict, type ChunkMapping, type MappedRows } from "./mapping.js";
import { DvidFileReader } from "../../formats/dvid/reader.js";
import type { SourceFileRef } from "./types.js";

export interface LoadedFile {
  reader: DvidFileReader;
  index: SourceIndex;
  mapped: MappedRows;
}

/** One file's rows of a shard: indices into its index, by offset then batch row. */
export interface FileRows {
  file: LoadedFile;
  order: Uint32Array;
}

export const cellOf = (m: MappedRows, i: number): Vec3 => [m.cells[3 * i]!, m.cells[3 * i + 1]!, m.cells[3 * i + 2]!];

export async function loadFiles(source: Storage, files: readonly SourceFileRef[], mapping: ChunkMapping): Promise<LoadedFile[]> {
  const out: LoadedFile[] = [];
  for (const file of files) {
    const index = await readSourceIndex(mapping.backend, source, file);
    const reader = new DvidFileReader(mapping.backend, source, file);
    const mapped = mapRowsStrict(mapping, index, reader.where);
    await checkComplete(source, index);
    out.push({ reader, index, mapped });
  }
  return out;
}

/** A shard's rows per file (files in unit order; files without any are left out). */
export function shardRows(files: readonly LoadedFile[], shard: bigint): FileRows[] {
  const out: FileRows[] = [];
  for (const file of files) {
    const { index, mapped } = file;
    let n = 0;
    for (let i = 0; i < index.length; i++) if (mapped.shards[i] === shard) n++;
    if (n === 0) continue;
    const order = new Uint32Array(n);
    for (let i = 0, j = 0; i < index.length; i++) if (mapped.shards[i] === shard) order[j++] = i;
    order.sort((a, b) => index.offsets[a]! - index.offsets[b]! || index.batchRows[a]! - index.batchRows[b]!);
    out.push({ file, order });
  }
  return out;
}

/**
 * A block exported twice would give a shard two entries for one chunk (or, decimating, two
 * blocks for one slab). Keys are `chunk id · k + slab`, sorted, so no per-row objects.
 */
export function checkDuplicates(rows: readonly FileRows[], mapping: ChunkMapping): void {
  const k = BigInt(mapping.blocksPerChunk);
  const total = rows.reduce((n, r) => n + r.order.length, 0);
  const keys = new BigUint64Array(total);
  let at = 0;
  for (const { file, order } of rows) {
    for (const i of order) {
      const slab = mapping.stride === 1 ? 0 : mapping.slabOffset(file.index.chunks[3 * i + 2]!) / mapping.slab;
      keys[at++] = file.mapped.ids[i]! * k + BigInt(slab);
    }
  }
  keys.sort();
  for (let j = 1; j < keys.length; j++) {
    if (keys[j] !== keys[j - 1]) continue;
    // Found one: name both places (rare, so a second pass is fine).
    const places: string[] = [];
    let chunk: Vec3 | undefined;
    for (const { file, order } of rows) {
      for (const i of order) {
        const slab = mapping.stride === 1 ? 0 : mapping.slabOffset(file.index.chunks[3 * i + 2]!) / mapping.slab;
        if (file.mapped.ids[i]! * k + BigInt(slab) === keys[j]) {
          places.push(file.reader.where);
          chunk ??= chunkOf(file.index, i);
        }
      }
    }
    const where = places[0]!;
    const other = places[1] === where ? "twice in that file" : `also in ${places[1]}`;
    throw new BraidError("DUPLICATE_CHUNK", `${where}, chunk (${chunk!.join(",")}): the block is exported more than once (${other})`, {
      file: where,
      chunk: chunk!,
    });
  }
}

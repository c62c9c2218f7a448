/**
 * Runs one export unit: reads the indexes of its files, places their rows, and writes each of
 * its output shards from exactly the rows that land there, in source-file order. A shard that
 * fails (unreadable block, truncated file, …) is reported and leaves nothing at its key; the
 * unit's other shards still complete.
 */
import { PrecomputedVolume } from "../../formats/precomputed/volume.js";
import type { ProgressDelta, TaskContext } from "../../pipeline/tasks.js";
import type { LevelWriter, ShardChunk } from "../../volume/writer.js";
import { decimatedChunks } from "./decimate.js";
import { errorRecord } from "../../pipeline/error-record.js";
import { ChunkMapping } from "./mapping.js";
import { storageFor } from "../../storage/by-url.js";
import { payloadEncoding, transcodedChunks, type ConvertedChunk } from "./transcode-stream.js";
import { forEachConcurrentStream } from "../../volume/concurrency.js";
import { checkDuplicates, loadFiles, shardRows, type LoadedFile } from "./unit-files.js";
import type { ShardOutcome, UnitJob } from "./types.js";

export async function runUnit(job: UnitJob, ctx: Pick<TaskContext, "backend" | "progress">): Promise<ShardOutcome[]> {
  const { unit, settings } = job;
  const progress = (d: ProgressDelta) => ctx.progress(d);
  const mapping = new ChunkMapping(ctx.backend, job.info, unit.scale, unit.scale === 0 ? settings.zCompress : 0);
  const volume = new PrecomputedVolume(ctx.backend, await storageFor(job.dest, job.storage), job.info);
  const scale: LevelWriter = volume.scale(unit.scale);
  const encoding = payloadEncoding(mapping, settings);
  const outcome = (shard: bigint): ShardOutcome => ({
    scale: unit.scale,
    shard: String(shard),
    file: mapping.geometry.shardFile(shard),
    status: "failed",
    chunks: 0,
    bytesIn: 0,
    bytesOut: 0,
  });
  const outcomes = new Map<bigint, ShardOutcome>(unit.shards.map((s) => [BigInt(s), outcome(BigInt(s))]));
  const todo: bigint[] = [];
  for (const [shard, o] of outcomes) {
    try {
      // Checked before any source is read, so resuming a finished unit costs one request a shard.
      if (settings.onlyMissing && (await scale.hasShard(shard))) o.status = "skipped";
      else todo.push(shard);
    } catch (e) {
      o.error = errorRecord(e);
    }
  }
  if (todo.length === 0) return [...outcomes.values()];

  let files: LoadedFile[];
  try {
    files = await loadFiles(await storageFor(job.source, job.storage), unit.files, mapping);
  } catch (e) {
    // Without every feeding file a shard would be incomplete: none of the unit's is written.
    const error = errorRecord(e);
    for (const s of todo) outcomes.get(s)!.error = error;
    return [...outcomes.values()];
  }

  try {
    for (const shard of todo) {
      const o = outcomes.get(shard)!;
      try {
        const rows = shardRows(files, shard);
        checkDuplicates(rows, mapping);
        const tracked = (d: ProgressDelta) => {
          o.bytesIn += d.bytesIn ?? 0;
          progress(d);
        };
        const converted =
          mapping.stride === 1
            ? transcodedChunks(mapping, rows, encoding, tracked)
            : decimatedChunks(mapping, rows, encoding, tracked);
        if (!scale.sharded) {
          const written = await writeChunkObjects(scale, converted, settings.onlyMissing);
          o.status = written.chunks === 0 ? "empty" : "written";
          o.chunks = written.chunks;
          o.bytesOut = written.bytes;
          progress({ bytesOut: written.bytes });
          continue;
        }
        const chunks = stored(converted);
        // The writer re-labels errors with the shard file; a source error should keep its own.
        let sourceError: unknown;
        const guarded = async function* () {
          try {
            yield* chunks;
          } catch (e) {
            sourceError = e;
            throw e;
          }
        };
        const written = await scale
          .writeShard(shard, guarded(), { gzipLevel: settings.gzipLevel })
          .catch((e: unknown) => Promise.reject(sourceError ?? e));
        o.status = written.chunkCount === 0 ? "empty" : "written";
        o.chunks = written.chunkCount;
        o.bytesOut = written.bytes;
        progress({ bytesOut: written.bytes });
      } catch (e) {
        o.status = "failed";
        o.error = errorRecord(e);
      }
    }
  } finally {
    for (const f of files) f.reader.free();
  }
  return [...outcomes.values()];
}

/** The chunks a shard stores: all-zero ones are left out. */
async function* stored(chunks: AsyncIterable<ConvertedChunk>): AsyncGenerator<ShardChunk> {
  for await (const c of chunks) if (c.encoded) yield { chunkId: c.chunkId, encoded: c.encoded };
}

/** Chunk writes in flight while one unsharded group is written. */
const CHUNK_WRITES = 16;

/**
 * An unsharded group: one object per chunk, each written atomically; an all-zero chunk is not
 * stored and a stale one from an earlier run is deleted. With `onlyMissing`, stored chunks are
 * left as they are (each is complete), so a rerun after a kill writes only what is missing.
 */
async function writeChunkObjects(
  level: LevelWriter,
  chunks: AsyncIterable<ConvertedChunk>,
  onlyMissing: boolean,
): Promise<{ chunks: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  await forEachConcurrentStream(chunks, CHUNK_WRITES, async (c) => {
    if (onlyMissing && (await level.hasChunk(c.cell))) return;
    await level.writeChunk(c.cell, c.encoded ? { encoded: c.encoded } : undefined);
    if (c.encoded) {
      count++;
      bytes += c.encoded.byteLength;
    }
  });
  return { chunks: count, bytes };
}

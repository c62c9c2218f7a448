/**
 * Runs one export unit: reads the indexes of its files, places their rows, and writes each of
 * its output shards from exactly the rows that land there, in source-file order. A shard that
 * fails (unreadable block, truncated file, …) is reported and leaves nothing at its key; the
 * unit's other shards still complete.
 */
import { PrecomputedVolume } from "../../formats/precomputed/volume.js";
import { openPyramid, zarrChunkEncoder } from "../../formats/open-pyramid.js";
import type { ProgressDelta, TaskContext } from "../../pipeline/tasks.js";
import type { LevelWriter, ShardChunk } from "../../volume/writer.js";
import { decimatedChunks } from "./decimate.js";
import { errorRecord } from "../../pipeline/error-record.js";
import { ChunkMapping } from "./mapping.js";
import { storageFor } from "../../storage/by-url.js";
import { payloadEncoding, transcodedChunks, type ConvertedChunk, type PayloadEncoding } from "./transcode-stream.js";
import { fanOut, forEachConcurrentStream } from "../../volume/concurrency.js";
import { checkDuplicates, loadFiles, shardRows, type LoadedFile } from "./unit-files.js";
import type { ShardOutcome, UnitJob } from "./types.js";

/** One pyramid a unit writes into, and how a converted chunk becomes its shard chunk. */
interface Target {
  level: LevelWriter;
  pick(c: ConvertedChunk): ShardChunk | undefined;
}

async function unitTargets(job: UnitJob, mapping: ChunkMapping): Promise<{ targets: Target[]; zarr?: PayloadEncoding["zarr"] }> {
  const outputs = job.outputs ?? { precomputed: true };
  const targets: Target[] = [];
  if (outputs.precomputed) {
    const volume = new PrecomputedVolume(mapping.backend, await storageFor(job.dest, job.storage), job.info);
    targets.push({ level: volume.scale(job.unit.scale), pick: (c) => (c.encoded ? { chunkId: c.chunkId, encoded: c.encoded } : undefined) });
  }
  if (!outputs.zarr) return { targets };
  const pyramid = await openPyramid(mapping.backend, await storageFor(outputs.zarr.dest, job.storage), {
    format: "ome-zarr",
    ...(outputs.zarr.label === undefined ? {} : { label: outputs.zarr.label }),
  });
  const level = pyramid.level(job.unit.scale);
  const idOf = (c: ConvertedChunk) => level.locate(Uint32Array.from(c.cell)).chunkIds[0]!;
  targets.push({ level, pick: (c) => (c.zarr ? { chunkId: idOf(c), encoded: c.zarr } : undefined) });
  return { targets, zarr: zarrChunkEncoder(level) };
}

export async function runUnit(job: UnitJob, ctx: Pick<TaskContext, "backend" | "progress">): Promise<ShardOutcome[]> {
  const { unit, settings } = job;
  const progress = (d: ProgressDelta) => ctx.progress(d);
  const mapping = new ChunkMapping(ctx.backend, job.info, unit.scale, unit.scale === 0 ? settings.zCompress : 0);
  const { targets, zarr } = await unitTargets(job, mapping);
  const encoding = payloadEncoding(mapping, settings, {
    precomputed: (job.outputs ?? { precomputed: true }).precomputed,
    ...(zarr ? { zarr } : {}),
  });
  const outcome = (shard: bigint): ShardOutcome => ({
    scale: unit.scale,
    shard: String(shard),
    file: targets.map((t) => t.level.shardFile(shard)).join(" + "),
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
      let done = settings.onlyMissing;
      for (const t of targets) done = done && t.level.sharded && (await t.level.hasShard(shard));
      if (done) o.status = "skipped";
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
        // The writers re-label errors with their file; a source error should keep its own.
        let sourceError: unknown;
        const guarded = async function* () {
          try {
            yield* converted;
          } catch (e) {
            sourceError = e;
            throw e;
          }
        };
        const write = (t: Target, chunks: AsyncIterable<ConvertedChunk>) =>
          writeTarget(t, shard, chunks, settings).catch((e: unknown) => Promise.reject(sourceError ?? e));
        const written =
          targets.length === 1
            ? [await write(targets[0]!, guarded())]
            : [...(await fanOut(guarded(), targets.map((_, i) => i), () => targets.map((_, i) => i), (i, chunks) => write(targets[i]!, chunks))).values()];
        o.chunks = Math.max(...written.map((w) => w.chunks));
        o.status = o.chunks === 0 ? "empty" : "written";
        o.bytesOut = written.reduce((n, w) => n + w.bytes, 0);
        progress({ bytesOut: o.bytesOut });
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

/** Writes one shard (or unsharded group) of a target from the converted chunks. */
async function writeTarget(t: Target, shard: bigint, chunks: AsyncIterable<ConvertedChunk>, settings: UnitJob["settings"]): Promise<{ chunks: number; bytes: number }> {
  if (!t.level.sharded) return writeChunkObjects(t.level, chunks, settings.onlyMissing);
  const written = await t.level.writeShard(shard, stored(chunks, t.pick), { gzipLevel: settings.gzipLevel });
  return { chunks: written.chunkCount, bytes: written.bytes };
}

/** The chunks a shard stores: all-zero ones are left out. */
async function* stored(chunks: AsyncIterable<ConvertedChunk>, pick: Target["pick"]): AsyncGenerator<ShardChunk> {
  for await (const c of chunks) {
    const chunk = pick(c);
    if (chunk) yield chunk;
  }
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

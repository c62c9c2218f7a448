/**
 * Runs one downres task (see `task.ts`) wherever it is scheduled: a pool thread, a
 * `braid worker` process or in-process. A sharded output shard is streamed to storage in
 * (minishard, id) order while the next `window` chunks are read and downsampled, so the
 * working set is the source chunks of those few output chunks plus the byte-bounded index
 * cache, whatever the shard size. Importing this module registers the `"downres"` task kind.
 */
import { storageFor } from "../../storage/by-url.js";
import { BraidError } from "../../errors.js";
import { openPyramid } from "../../formats/open-pyramid.js";
import { registerTask, type TaskContext } from "../../pipeline/tasks.js";
import { cellsOf } from "../../volume/box.js";
import { forEachConcurrent, orderedMap } from "../../volume/concurrency.js";
import type { LevelWriter, ShardChunk } from "../../volume/writer.js";
import type { Vec3 } from "../../types.js";
import { downresCell } from "./chunk.js";
import { presentOutputCells } from "./populated.js";
import { checkDerivedScale } from "./scales.js";
import { DEFAULT_INDEX_CACHE_BYTES, DEFAULT_WINDOW, DOWNRES_TASK, type DownresTask, type DownresTaskResult } from "./task.js";

/** Source chunk reads in flight per region read (a 2× box spans up to 27 chunks when unaligned). */
const REGION_READS = 8;

interface Scales {
  source: LevelWriter;
  output: LevelWriter;
}

/**
 * The cells of a task worth computing: those with a stored source chunk under them, when the
 * task names its source shards (their indexes say what is stored); every cell otherwise.
 * `planned` is what the plan gave the task, so progress and summaries add up to its totals.
 */
async function workCells(task: DownresTask, { source, output }: Scales, cells: readonly Vec3[]) {
  const planned = Number.isInteger(task.outputChunks) ? task.outputChunks : cells.length;
  if (task.sourceShards === null || !source.sharded) return { keep: cells.map(() => true), planned };
  const present = await presentOutputCells(source, output, task.sourceShards);
  return { keep: cells.map((c) => present.has(c)), planned };
}

async function writeShardTask(task: DownresTask, { source, output }: Scales, ctx: TaskContext): Promise<DownresTaskResult> {
  const shard = BigInt(task.shard!);
  const file = output.shardFile(shard);
  const base = { scale: task.scale, shard: task.shard!, file };
  if (task.onlyMissing && (await output.hasShard(shard))) {
    return { ...base, skipped: true, chunks: 0, computed: 0, written: 0, bytes: 0 };
  }
  const all = output.chunksInShard(shard);
  const box = output.shardBox(shard);
  if (all.chunkIds.length === 0 || !box) {
    throw new BraidError("INVALID_ARGUMENT", `scale "${output.key}" has no shard ${task.shard} (no chunk of the grid maps to it)`);
  }
  const { keep, planned } = await workCells(task, { source, output }, all.cells);
  const ids = all.chunkIds.filter((_, i) => keep[i]);
  const cells = all.cells.filter((_, i) => keep[i]);
  // Planned cells without source data are done already: absent in, absent out.
  ctx.progress({ chunks: Math.max(0, planned - cells.length) });
  let computed = 0;
  // Precomputed levels take their chunks as stored (gzip members): gzip happens in the core
  // call that computes the chunk. Other levels encode their payloads in the shard writer.
  const asStored = output.storedEncoding !== undefined;
  const options = { stored: asStored, ...(task.gzipLevel === undefined ? {} : { gzipLevel: task.gzipLevel }) };
  const chunks = orderedMap(cells, task.window ?? DEFAULT_WINDOW, async (cell, i): Promise<ShardChunk | undefined> => {
    const data = await downresCell(ctx.backend, source, output, cell, task.method, options);
    computed++;
    // Stored bytes (after data_encoding) are only known per shard; they are reported below.
    ctx.progress({ chunks: 1 });
    return data && (asStored ? { chunkId: ids[i]!, encoded: data } : { chunkId: ids[i]!, payload: data });
  });
  async function* stored() {
    for await (const c of chunks) if (c) yield c;
  }
  const written = await output.writeShard(shard, stored(), {
    // Chunks arrive in (minishard, id) order, so raw/raw shards match TensorStore's bytes.
    ordered: true,
    ...(task.gzipLevel === undefined ? {} : { gzipLevel: task.gzipLevel }),
  });
  ctx.progress({ bytesOut: written.bytes });
  return { ...base, skipped: false, chunks: Math.max(planned, computed), computed, written: written.chunkCount, bytes: written.bytes };
}

async function writeChunksTask(task: DownresTask, { source, output }: Scales, ctx: TaskContext): Promise<DownresTaskResult> {
  const all = cellsOf(task.cells!);
  const { keep, planned } = await workCells(task, { source, output }, all);
  const cells = all.filter((_, i) => keep[i]);
  ctx.progress({ chunks: Math.max(0, planned - cells.length) });
  let computed = 0;
  let written = 0;
  let bytes = 0;
  await forEachConcurrent(cells, task.window ?? DEFAULT_WINDOW, async (cell) => {
    // Unsharded chunks are written one by one, so an existing chunk is a complete one.
    if (task.onlyMissing && (await output.hasChunk(cell))) return;
    // An unsharded output stores chunks as encoded; the sources may still be gzip members.
    const payload = await downresCell(ctx.backend, source, output, cell, task.method);
    // An all-zero chunk is not stored, and a stale one from an earlier run is deleted.
    await output.writeChunk(cell, payload && { encoded: payload });
    computed++;
    if (payload) {
      written++;
      bytes += payload.byteLength;
    }
    ctx.progress({ chunks: 1, bytesOut: payload?.byteLength ?? 0 });
  });
  return { scale: task.scale, skipped: false, chunks: Math.max(planned - (cells.length - computed), computed), computed, written, bytes };
}

/** Downsamples scale `task.scale - 1` into one shard (or cell box) of scale `task.scale`. */
export async function runDownresTask(task: DownresTask, ctx: TaskContext): Promise<DownresTaskResult> {
  const pyramid = await openPyramid(ctx.backend, await storageFor(task.dest, task.storage), {
    format: task.format ?? "precomputed",
    ...(task.label === undefined ? {} : { label: task.label }),
    cacheBytes: task.indexCacheBytes ?? DEFAULT_INDEX_CACHE_BYTES,
    concurrency: REGION_READS,
    ...(task.storage ? { storage: task.storage } : {}),
  });
  // A manifest may outlive edits to `info`: never write a scale that is not the rule's.
  checkDerivedScale(pyramid.info, task.scale);
  const source = pyramid.level(task.scale - 1);
  const scales = { source, output: pyramid.level(task.scale) };
  if ((task.shard === undefined) === (task.cells === undefined)) {
    throw new BraidError("INVALID_ARGUMENT", `a downres task names either a shard or a cell box, not ${task.shard === undefined ? "neither" : "both"}`);
  }
  if (task.shard !== undefined && !scales.output.sharded) {
    throw new BraidError("INVALID_ARGUMENT", `scale ${task.scale} ("${scales.output.key}") is unsharded; the task names shard ${task.shard}`);
  }
  if (task.cells !== undefined && scales.output.sharded) {
    throw new BraidError("INVALID_ARGUMENT", `scale ${task.scale} ("${scales.output.key}") is sharded; the task names a cell box`);
  }
  return task.shard !== undefined ? writeShardTask(task, scales, ctx) : writeChunksTask(task, scales, ctx);
}

registerTask(DOWNRES_TASK, runDownresTask);

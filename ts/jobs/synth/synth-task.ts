/**
 * Writes one synthetic DVID export file the way DVID's exporter does: the blocks of one
 * shard box in a deterministic shuffled order (DVID's workers deliver them unsorted), blocks
 * that map to all zeros left out, an Arrow stream streamed to storage and DVID's lazy-schema
 * CSV written after it. A box without any block leaves no files.
 */
import { ExportShardWriter } from "../../formats/dvid/export-writer.js";
import { registerTask, type TaskContext } from "../../pipeline/tasks.js";
import { concatBytes } from "../../storage/bytes.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import { synthDvidRecord, type SynthParams } from "../../formats/dvid/synth.js";
import type { Vec3 } from "../../types.js";
import { BLOCK } from "../../formats/dvid/block.js";
import { scaleDir } from "../../formats/dvid/source.js";
import { storageFor } from "../../storage/by-url.js";

export const SYNTH_FILE_TASK = "braid.synth-file";

/** Stream bytes are appended to storage in pieces of about this size. */
const APPEND_BYTES = 1 << 20;

export interface SynthFileJob {
  dest: string;
  storage?: OpenStorageOptions;
  scale: number;
  /** First block of the box and its edge in blocks. */
  boxOrigin: Vec3;
  boxBlocks: number;
  /** The scale's block grid and voxel size. */
  grid: Vec3;
  size: Vec3;
  batchSize: number;
  params: Omit<SynthParams, "extent">;
}

export interface SynthFileResult {
  file: string;
  blocks: number;
  omitted: number;
  bytes: number;
}

/** Deterministic 32-bit generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The box's blocks in a shuffled order fixed by the seed and the box. */
export function shuffledBlocks(job: Pick<SynthFileJob, "boxOrigin" | "boxBlocks" | "grid" | "params">): Vec3[] {
  const blocks: Vec3[] = [];
  const [ox, oy, oz] = job.boxOrigin;
  const end = (d: number) => Math.min(job.grid[d]!, job.boxOrigin[d]! + job.boxBlocks);
  for (let z = oz; z < end(2); z++) for (let y = oy; y < end(1); y++) for (let x = ox; x < end(0); x++) blocks.push([x, y, z]);
  const next = random(((job.params.seed ?? 1) * 0x9e3779b1) ^ (ox * 73856093) ^ (oy * 19349663) ^ (oz * 83492791));
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return blocks;
}

export async function writeSynthFile(job: SynthFileJob, ctx: Pick<TaskContext, "backend" | "progress">): Promise<SynthFileResult> {
  const storage = await storageFor(job.dest, job.storage);
  const name = job.boxOrigin.map((c) => c * BLOCK).join("_");
  const key = `${scaleDir(job.scale)}${name}`;
  const writer = new ExportShardWriter(ctx.backend, { batchSize: job.batchSize });
  const out = await storage.createWriter(`${key}.arrow`);
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let blocks = 0;
  let omitted = 0;
  let finished = false;
  try {
    for (const chunk of shuffledBlocks(job)) {
      const r = synthDvidRecord(ctx.backend, chunk, { ...job.params, extent: job.size });
      ctx.progress({ chunks: 1 });
      // DVID does not export blocks whose body ids are all 0.
      if (r.labels.every((l) => l === 0n)) {
        omitted++;
        continue;
      }
      blocks++;
      const bytes = writer.append({ chunk, ...r });
      if (bytes.byteLength > 0) {
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
      }
      if (pendingBytes >= APPEND_BYTES) {
        await out.append(concatBytes(pending, pendingBytes));
        ctx.progress({ bytesOut: pendingBytes });
        pending = [];
        pendingBytes = 0;
      }
    }
    const { tail, csv } = writer.finish();
    finished = true;
    if (blocks === 0) {
      await out.abort();
      return { file: key, blocks, omitted, bytes: 0 };
    }
    pending.push(tail);
    pendingBytes += tail.byteLength;
    await out.append(concatBytes(pending, pendingBytes));
    ctx.progress({ bytesOut: pendingBytes });
    await out.commit();
    await storage.write(`${key}.csv`, csv, { contentType: "text/csv" });
    return { file: key, blocks, omitted, bytes: out.bytesWritten };
  } catch (e) {
    if (!finished) {
      try {
        writer.finish(); // frees the writer; its output is moot
      } catch {
        // the original error is the one to report
      }
    }
    await out.abort().catch(() => undefined);
    throw e;
  }
}

registerTask<SynthFileJob, SynthFileResult>(SYNTH_FILE_TASK, writeSynthFile);

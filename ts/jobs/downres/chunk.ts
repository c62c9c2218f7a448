/**
 * One output chunk of a pyramid step: the source voxels under it, mode-downsampled with
 * windows anchored at absolute 0 — what TensorStore's `downsample(src, [2,2,2,1], "mode")`
 * view yields for the chunk's box (docs/formats/downsampling.md §4.2).
 */
import type { Backend } from "../../backend/backend.js";
import { downresChunk, type DownsampleMethod, type SourcePayload } from "../../core/downsample.js";
import { BraidError, fromBackendError, withContext } from "../../errors.js";
import type { Vec3 } from "../../types.js";
import type { VoxelBox } from "../../volume/box.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import type { ChunkGrid } from "../../volume/grid.js";
import type { LevelWriter } from "../../volume/writer.js";
import { DOWNRES_FACTORS } from "./task.js";

/** Source chunk reads in flight per output chunk where they are read one by one (zarr). */
const CHUNK_READS = 8;

const vec3 = (f: (d: number) => number): Vec3 => [f(0), f(1), f(2)];
const mod = (a: number, n: number) => ((a % n) + n) % n;

/**
 * The source voxels an output box is computed from: the factor-times box, clipped to the
 * source domain. Partial windows at the domain's edges keep only in-bounds voxels.
 */
export function sourceBox(output: VoxelBox, source: VoxelBox): VoxelBox {
  const f = DOWNRES_FACTORS;
  const lo = vec3((d) => Math.max(source.origin[d]!, output.origin[d]! * f[d]!));
  const hi = vec3((d) =>
    Math.min(source.origin[d]! + source.shape[d]!, (output.origin[d]! + output.shape[d]!) * f[d]!),
  );
  return { origin: lo, shape: vec3((d) => Math.max(0, hi[d]! - lo[d]!)) };
}

/**
 * Whether no window straddles two source chunks: every boundary between chunks falls on a
 * multiple of the factor (edge windows cut by the domain only hold in-bounds voxels anyway).
 * Then each chunk downsamples on its own — no region assembly — which holds for even
 * offsets and chunk sizes, e.g. every tensorstore-export pyramid.
 */
export function chunksHoldWholeWindows(g: ChunkGrid): boolean {
  return [0, 1, 2].every((d) => {
    const [G, o, c, f] = [g.gridShape[d]!, g.voxelOffset[d]!, g.chunkSize[d]!, DOWNRES_FACTORS[d]!];
    return G <= 1 || (mod(o + c, f) === 0 && (G <= 2 || c % f === 0));
  });
}

/** A core error about one source chunk starts so (`braid_core::Error::InChunk`). */
const IN_CHUNK = /^source chunk (\d+): /;

export interface DownresCellOptions {
  /**
   * Return the output as its level stores it (gzip'd on a gzip sharded precomputed scale)
   * rather than in its chunk encoding; levels without `storedEncoding` (zarr) ignore it.
   */
  stored?: boolean;
  /** gzip level of a stored gzip output (undefined: the core's default). */
  gzipLevel?: number;
  /** Read the sources in their chunk encoding even where the level hands out stored bytes. */
  encodedSources?: boolean;
}

/**
 * Output `cell` of a pyramid step, or undefined when it is all 0: the source chunks under it
 * go to the core in one call, which decodes, downsamples and encodes there. Sources of a level
 * with `readStoredChunks` (precomputed) go as storage holds them (gzip members), so gunzip,
 * vote, encode and — with `stored` — gzip happen in that one call and JavaScript only moves
 * bytes. Errors keep the source file and chunk at fault and name the output chunk.
 */
export async function downresCell(
  backend: Backend,
  source: LevelWriter,
  output: LevelWriter,
  cell: Vec3,
  method: DownsampleMethod,
  options: DownresCellOptions = {},
): Promise<Uint8Array | undefined> {
  const box = output.grid.chunkBox(cell);
  const storedSources = !options.encodedSources && source.readStoredChunks !== undefined && source.storedEncoding !== undefined;
  const cells: Vec3[] = [];
  try {
    const wanted = source.grid.cellsInBox(sourceBox(box, source.grid.domain));
    const chunks: SourcePayload[] = [];
    const keep = (c: Vec3, payload: Uint8Array | undefined) => {
      if (payload === undefined) return;
      chunks.push({ payload, box: source.grid.chunkBox(c) });
      cells.push(c);
    };
    if (storedSources) {
      const payloads = await source.readStoredChunks!(wanted);
      wanted.forEach((c, i) => keep(c, payloads[i]));
    } else {
      await forEachConcurrent(wanted, CHUNK_READS, async (c) => keep(c, await source.readEncodedChunk(c)));
    }
    const step = {
      sourceDomain: source.grid.domain,
      sourceEncoding: source.chunkEncoding,
      outputEncoding: output.chunkEncoding,
      labelBits: output.dataType === "uint32" ? 32 : 64,
      factors: DOWNRES_FACTORS,
      method,
    } as const;
    const form = {
      sourceGzip: storedSources && source.storedEncoding === "gzip",
      outputGzip: options.stored && output.storedEncoding === "gzip" ? options.gzipLevel : (false as const),
    };
    return downresChunk(backend, chunks, box, step, form) ?? undefined;
  } catch (e) {
    let base = fromBackendError(e);
    const m = IN_CHUNK.exec(base.message);
    const at = m ? cells[Number(m[1])] : undefined;
    if (m && at) {
      const message = base.message.slice(m[0].length);
      const where = source.chunkContext?.(at) ?? { chunk: at };
      base = withContext(new BraidError(base.code, message, { cause: e }), where);
    }
    throw new BraidError(
      base.code,
      `scale "${output.key}" chunk (${cell.join(",")}) from scale "${source.key}": ${base.message}`,
      {
        ...(base.file === undefined ? {} : { file: base.file }),
        chunk: base.chunk ?? cell,
        cause: e,
      },
    );
  }
}

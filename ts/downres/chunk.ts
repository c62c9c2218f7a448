/**
 * One output chunk of a pyramid step: the source voxels under it, mode-downsampled with
 * windows anchored at absolute 0 — what TensorStore's `downsample(src, [2,2,2,1], "mode")`
 * view yields for the chunk's box (FORMATS.md §4.2).
 */
import { downsampleMode, type DownsampleMethod } from "../downsample.js";
import { BraidError, fromBackendError } from "../errors.js";
import type { ScaleGeometry, VoxelBox } from "../precomputed/geometry.js";
import { forEachConcurrent } from "../precomputed/pool.js";
import { copyIntersection, type PrecomputedScale } from "../precomputed/scale.js";
import type { Vec3 } from "../types.js";
import { DOWNRES_FACTORS } from "./task.js";

/** Source chunk reads in flight per output chunk (its 2× box covers 8 chunks when aligned). */
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
export function chunksHoldWholeWindows(g: ScaleGeometry): boolean {
  return [0, 1, 2].every((d) => {
    const [G, o, c, f] = [g.gridShape[d]!, g.voxelOffset[d]!, g.chunkSize[d]!, DOWNRES_FACTORS[d]!];
    return G <= 1 || (mod(o + c, f) === 0 && (G <= 2 || c % f === 0));
  });
}

/** Each source chunk downsampled alone, pasted into the output box; missing chunks stay 0. */
async function fromChunks(source: PrecomputedScale, box: VoxelBox, from: VoxelBox, method: DownsampleMethod): Promise<BigUint64Array> {
  const out = new BigUint64Array(box.shape[0] * box.shape[1] * box.shape[2]);
  await forEachConcurrent(source.geometry.cellsInBox(from), CHUNK_READS, async (cell) => {
    const data = await source.readChunk(cell);
    if (data === undefined) return;
    const chunkBox = source.geometry.chunkBox(cell);
    const part = downsampleMode(data, chunkBox.shape, DOWNRES_FACTORS, { method, origin: chunkBox.origin });
    copyIntersection(part.data, part, out, box);
  });
  return out;
}

/** The 2× region read whole and downsampled at once: right for any chunk alignment. */
async function fromRegion(source: PrecomputedScale, box: VoxelBox, from: VoxelBox, method: DownsampleMethod): Promise<BigUint64Array> {
  const region = await source.readRegion(from);
  const result = downsampleMode(region, from.shape, DOWNRES_FACTORS, { method, origin: from.origin });
  // Holds whenever the output domain follows TensorStore's rule, which every task checks.
  if (result.origin.some((o, d) => o !== box.origin[d]) || result.shape.some((s, d) => s !== box.shape[d])) {
    throw new BraidError(
      "SPEC_INVALID",
      `downsampling source box at (${from.origin.join(",")}) of ${from.shape.join("×")} gives ` +
        `(${result.origin.join(",")}) of ${result.shape.join("×")}, not the chunk's box`,
    );
  }
  return result.data;
}

/**
 * The downsampled voxels of output `cell` (x-fastest, the cell's clipped shape). Errors keep
 * the source file and chunk at fault and name the output chunk in the message.
 */
export async function downsampleCell(
  source: PrecomputedScale,
  output: PrecomputedScale,
  cell: Vec3,
  method: DownsampleMethod,
  wholeWindows: boolean,
): Promise<BigUint64Array> {
  const box = output.geometry.chunkBox(cell);
  try {
    const from = sourceBox(box, source.geometry.domain);
    return await (wholeWindows ? fromChunks : fromRegion)(source, box, from, method);
  } catch (e) {
    const base = fromBackendError(e);
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

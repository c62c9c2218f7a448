/**
 * Synthetic DVID-like segmentation: a rough Voronoi partition into supervoxels grouped into
 * bodies, with mCNS-like statistics by default (~22 labels per 64³ block, ~40% solid 8³
 * sub-blocks). Deterministic per (seed, block), so exports of any size can be generated in
 * pieces, in parallel.
 */
import type { Backend } from "../../backend/backend.js";
import type { RawSynthRecord } from "../../backend/binding.js";
import { call } from "../../errors.js";
import type { Vec3 } from "../../types.js";

export interface SynthParams {
  seed?: number;
  /** Typical supervoxel diameter in voxels (default 38). */
  cell?: number;
  /** Fraction of supervoxels that are background (default 0.12). */
  background?: number;
  /** Lattice cells per body along each axis (default 2: up to 8 supervoxels per body). */
  bodyGroup?: number;
  /** Voxels per boundary sample along each axis (default 2). */
  grain?: number;
  /** Boundary noise amplitude in voxels (default 2). */
  roughness?: number;
  /** Volume size in voxels; voxels beyond it are 0 (default unbounded). */
  extent?: Vec3;
}

/** A zstd-wrapped synthetic DVID block with its export-record columns. */
export type SynthRecord = RawSynthRecord;

function paramWords(p: SynthParams): Float64Array {
  const e = p.extent ?? [Infinity, Infinity, Infinity];
  return Float64Array.of(
    p.seed ?? 1,
    p.cell ?? 38,
    p.background ?? 0.12,
    p.bodyGroup ?? 2,
    p.grain ?? 2,
    p.roughness ?? 2,
    e[0],
    e[1],
    e[2],
  );
}

/** Generates the 64³ DVID block at block coordinate `chunk`, zstd-wrapped like DVID stores it. */
export function synthDvidRecord(backend: Backend, chunk: Vec3, params: SynthParams = {}, zstdLevel = 3): SynthRecord {
  return call(() => backend.binding.synthDvidRecord(paramWords(params), Int32Array.from(chunk), zstdLevel));
}

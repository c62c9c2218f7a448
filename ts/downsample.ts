/** Majority-vote (mode) downsampling, identical to TensorStore's `mode` (or DVID's rule). */
import { call } from "./errors.js";
import { current } from "./runtime.js";
import type { Vec3 } from "./types.js";

/**
 * `"mode"`: TensorStore — most frequent value, ties to the smallest, 0 votes like any label.
 * `"mode-nonzero"`: DVID downres — 0 never beats a non-zero label, ties to the smaller.
 */
export type DownsampleMethod = "mode" | "mode-nonzero";

export interface DownsampleOptions {
  method?: DownsampleMethod;
  /** Absolute voxel coordinate of the input's first voxel; windows are anchored at 0. */
  origin?: Vec3;
}

export interface Downsampled<T extends BigUint64Array | Uint32Array> {
  data: T;
  /** `[floor(o / f)]` per axis. */
  origin: Vec3;
  /** `ceil((o + s) / f) - floor(o / f)` per axis. */
  shape: Vec3;
}

/** Downsamples an x-fastest label volume by integer factors (1–4 per axis). */
export function downsampleMode<T extends BigUint64Array | Uint32Array>(
  volume: T,
  shape: Vec3,
  factors: Vec3,
  options: DownsampleOptions = {},
): Downsampled<T> {
  const b = current();
  const method = (options.method ?? "mode") === "mode" ? 0 : 1;
  const origin = Float64Array.from(options.origin ?? [0, 0, 0]);
  const s = Uint32Array.from(shape);
  const f = Uint32Array.from(factors);
  const out = call(() =>
    volume instanceof BigUint64Array
      ? b.downsampleU64(volume, origin, s, f, method)
      : b.downsampleU32(volume as Uint32Array, origin, s, f, method),
  );
  return {
    data: out.data as T,
    origin: [out.origin[0]!, out.origin[1]!, out.origin[2]!],
    shape: [out.shape[0]!, out.shape[1]!, out.shape[2]!],
  };
}

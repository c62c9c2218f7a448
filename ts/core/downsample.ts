/** Majority-vote (mode) downsampling, identical to TensorStore's `mode` (or DVID's rule). */
import type { Backend } from "../backend/backend.js";
import { call } from "../errors.js";
import type { Vec3 } from "../types.js";
import type { ChunkEncodingSpec } from "../volume/writer.js";

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
  backend: Backend,
  volume: T,
  shape: Vec3,
  factors: Vec3,
  options: DownsampleOptions = {},
): Downsampled<T> {
  const b = backend.binding;
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


export interface SourcePayload {
  /** Stored bytes after undoing the shard's data encoding. */
  payload: Uint8Array;
  /** The chunk's clipped voxel box. */
  box: { origin: Vec3; shape: Vec3 };
}

export interface DownresStep {
  /** The whole source scale's domain: windows never reach outside it. */
  sourceDomain: { origin: Vec3; shape: Vec3 };
  sourceEncoding: ChunkEncodingSpec;
  outputEncoding: ChunkEncodingSpec;
  labelBits: 32 | 64;
  factors: Vec3;
  method: DownsampleMethod;
}

const encodingWords = (e: ChunkEncodingSpec): number[] => (e === "raw" ? [0, 0, 0, 0] : [1, ...e.compressedSegmentation]);
const boxWords = (b: { origin: Vec3; shape: Vec3 }): number[] => [...b.origin, ...b.shape];

/** How payloads are stored on top of their chunk encoding (a sharded scale's `data_encoding`). */
export interface StoredForm {
  /** Whether the source payloads are gzip members. */
  sourceGzip: boolean;
  /** gzip level for the output, false to return it as encoded, undefined for the core's default. */
  outputGzip: number | false | undefined;
}

const ENCODED: StoredForm = { sourceGzip: false, outputGzip: false };

/**
 * The payloads back to back: a view when they already are (chunks read in one range
 * request), else a copy.
 */
function concatenated(parts: readonly Uint8Array[]): Uint8Array {
  const first = parts[0];
  if (first === undefined) return new Uint8Array(0);
  let end = first.byteOffset + first.byteLength;
  const adjacent = parts.every((p, i) => {
    if (i === 0) return true;
    const next = p.buffer === first.buffer && p.byteOffset === end;
    end = p.byteOffset + p.byteLength;
    return next;
  });
  if (adjacent) return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
  // core sits below storage (test/layout.test.ts), so storage's concatBytes is out of reach.
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * One output chunk of a pyramid step, entirely in the core: the payloads of the source chunks
 * under `output` (absent chunks are 0 and vote) are decoded, mode-downsampled with windows
 * anchored at 0 and encoded. With `stored`, the sources come as storage holds them (gzip
 * members) and the output goes back gzip'd, so one call does gunzip, vote, encode and gzip and
 * JavaScript only moves bytes. Returns the output payload, or null when it is all 0. An error
 * about one source has a message starting `source chunk <index>: `.
 */
export function downresChunk(
  backend: Backend,
  sources: readonly SourcePayload[],
  output: { origin: Vec3; shape: Vec3 },
  step: DownresStep,
  stored: StoredForm = ENCODED,
): Uint8Array | null {
  const payloads = concatenated(sources.map((s) => s.payload));
  const out = call(() =>
    backend.binding.downresChunk(
      payloads,
      Uint32Array.from(sources, (s) => s.payload.byteLength),
      Float64Array.from(sources.flatMap((s) => boxWords(s.box))),
      Float64Array.from(boxWords(step.sourceDomain)),
      Float64Array.from(boxWords(output)),
      Uint32Array.from([...encodingWords(step.sourceEncoding), ...encodingWords(step.outputEncoding)]),
      step.labelBits,
      Uint32Array.from(step.factors),
      step.method === "mode" ? 0 : 1,
      stored.sourceGzip,
      stored.outputGzip === false ? -1 : (stored.outputGzip ?? null),
    ),
  );
  return out ?? null;
}

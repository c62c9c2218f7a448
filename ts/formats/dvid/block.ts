/**
 * DVID compressed label blocks (docs/formats/dvid.md §6.1): decode, encode, and the fused
 * DVID → compressed_segmentation (+gzip) transcode the export runs per block.
 */
import type { Backend } from "../../backend/backend.js";
import type { RawVolume } from "../../backend/binding.js";
import { zstdCompress } from "../../core/compression.js";
import { call, callAsync } from "../../errors.js";
import type { LabelVolume, Vec3 } from "../../types.js";

/** DVID blocks are 64³ voxels (docs/formats/dvid.md §6.1; DVID refuses other sizes for exports). */
export const BLOCK = 64;

const u32 = (v: readonly number[]) => Uint32Array.from(v);

export function toLabelVolume(v: RawVolume): LabelVolume {
  return { data: v.data, shape: [v.shape[0]!, v.shape[1]!, v.shape[2]!] };
}

export interface DecodeDvidBlockOptions {
  /**
   * Body ids parallel to the block's label list (the export record's `labels` column):
   * voxels get `labels[i]` instead of supervoxel `L[i]`. Omit to keep supervoxels.
   */
  labels?: BigUint64Array | null;
}

/** Decodes a DVID compressed label block (raw or zstd-wrapped) to an x-fastest volume. */
export function decodeDvidBlock(backend: Backend, block: Uint8Array, options: DecodeDvidBlockOptions = {}): LabelVolume {
  return toLabelVolume(call(() => backend.binding.decodeDvidBlock(block, options.labels ?? null)));
}

/** {@link decodeDvidBlock} off the main thread. */
export async function decodeDvidBlockAsync(
  backend: Backend,
  block: Uint8Array,
  options: DecodeDvidBlockOptions = {},
): Promise<LabelVolume> {
  const b = backend.binding;
  if (!b.decodeDvidBlockAsync) return decodeDvidBlock(backend, block, options);
  return toLabelVolume(await callAsync(() => b.decodeDvidBlockAsync!(block, options.labels ?? null)));
}

export interface EncodeDvidBlockOptions {
  /** Wrap the block in a zstd frame of this level, as DVID's exporter stores blocks. */
  zstdLevel?: number;
}

/** Encodes an x-fastest volume (each axis a multiple of 8) as a DVID compressed label block. */
export function encodeDvidBlock(
  backend: Backend,
  volume: BigUint64Array,
  shape: Vec3,
  options: EncodeDvidBlockOptions = {},
): Uint8Array {
  const raw = call(() => backend.binding.encodeDvidBlock(volume, u32(shape)));
  return options.zstdLevel === undefined ? raw : zstdCompress(backend, raw, options.zstdLevel);
}

export interface TranscodeOptions {
  /** Body ids parallel to the block label list; omit for supervoxels. */
  labels?: BigUint64Array | null;
  /** Clipped extent of the output chunk (edge chunks); default the whole block. */
  extent?: Vec3;
  /** compressed_segmentation block size; default `[8, 8, 8]`. */
  blockSize?: Vec3;
  /** gzip the payload: `true` for level 6, a number for that level, false/omitted for raw. */
  gzip?: boolean | number;
  /** Decompressed size of a zstd-wrapped block (DVID's `uncompressed_size`); enforced. */
  uncompressedSize?: number;
}

/** The level `gzip: true` means: the core's default (libdeflate 5, about zlib 6's size at twice its speed). */
const DEFAULT_GZIP_LEVEL = 5;

/** The gzip level a `gzip` option asks for, or null for none. */
export function gzipLevelOf(g: boolean | number | undefined): number | null {
  if (g === undefined || g === false) return null;
  return g === true ? DEFAULT_GZIP_LEVEL : g;
}

type TranscodeArgs = [Uint8Array, BigUint64Array | null, Uint32Array | null, Uint32Array | null, number | null, number | null];

function transcodeArgs(block: Uint8Array, options: TranscodeOptions): TranscodeArgs {
  return [
    block,
    options.labels ?? null,
    options.extent ? u32(options.extent) : null,
    options.blockSize ? u32(options.blockSize) : null,
    gzipLevelOf(options.gzip),
    options.uncompressedSize ?? null,
  ];
}

/**
 * DVID block → (remap) → crop → compressed_segmentation → (gzip), in one pass. Returns
 * `null` when the resulting chunk is all zeros (such chunks are not stored).
 */
export function transcodeDvidBlock(backend: Backend, block: Uint8Array, options: TranscodeOptions = {}): Uint8Array | null {
  return call(() => backend.binding.transcodeDvidBlock(...transcodeArgs(block, options))) ?? null;
}

/** {@link transcodeDvidBlock} off the main thread. */
export async function transcodeDvidBlockAsync(
  backend: Backend,
  block: Uint8Array,
  options: TranscodeOptions = {},
): Promise<Uint8Array | null> {
  const b = backend.binding;
  if (!b.transcodeDvidBlockAsync) return transcodeDvidBlock(backend, block, options);
  return (await callAsync(() => b.transcodeDvidBlockAsync!(...transcodeArgs(block, options)))) ?? null;
}

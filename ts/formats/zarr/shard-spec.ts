/**
 * How braid writes a zarr v3 array (docs/formats/zarr.md §5.8): `sharding_indexed` with inner
 * chunks of the precomputed scale's chunk size, `bytes` little-endian then zstd (or gzip, or
 * nothing), the index at the end with crc32c. The core takes this as ten words.
 */
import { BraidError } from "../../errors.js";
import type { Vec3 } from "../../types.js";
import { bytesPerLabel, type LabelDataType } from "../../volume/labels.js";

export type ZarrCodec = "zstd" | "gzip" | "none";

export interface ZarrCompression {
  codec: ZarrCodec;
  /** zstd 0..22 (default 3, zarr-python's), gzip 0..9 (default 6); ignored for none. */
  level?: number;
}

export interface ZarrArraySpec {
  dataType: LabelDataType;
  /** Inner chunk shape, x, y, z. */
  chunkShape: Vec3;
  /** Inner chunks per shard, x, y, z. */
  chunksPerShard: Vec3;
  compression: ZarrCompression;
}

export const DEFAULT_ZARR_COMPRESSION: ZarrCompression = { codec: "zstd", level: 3 };

const CODES: Record<ZarrCodec, number> = { none: 0, zstd: 1, gzip: 2 };

/** The compression braid writes, checked: INVALID_ARGUMENT for a codec or level it does not write. */
export function checkZarrCompression(c: ZarrCompression): Required<ZarrCompression> {
  if (!(c.codec in CODES)) {
    throw new BraidError("INVALID_ARGUMENT", `zarr codec must be zstd, gzip or none, got ${JSON.stringify(c.codec)}`);
  }
  const level = c.level ?? (c.codec === "gzip" ? 6 : c.codec === "zstd" ? 3 : 0);
  const max = c.codec === "gzip" ? 9 : c.codec === "zstd" ? 22 : 0;
  if (!Number.isInteger(level) || level < 0 || level > max) {
    throw new BraidError("INVALID_ARGUMENT", `${c.codec} level must be an integer 0..${max}, got ${level}`);
  }
  return { codec: c.codec, level };
}

/** The ten words of `braid_core::boundary::zarr::zarr_spec_from_words`. */
export function zarrSpecWords(spec: ZarrArraySpec): Uint32Array {
  const { codec, level } = checkZarrCompression(spec.compression);
  return Uint32Array.of(...spec.chunkShape, ...spec.chunksPerShard, bytesPerLabel(spec.dataType), CODES[codec], level, 0);
}

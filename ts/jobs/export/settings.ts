/** Export settings from user options, validated once for every entry point. */
import { checkGzipLevel } from "../../core/compression.js";
import { BraidError } from "../../errors.js";
import type { PrecomputedInfo } from "../../formats/precomputed/info.js";
import { checkZCompress } from "./mapping.js";
import type { ExportSettings } from "./types.js";

/**
 * gzip level of chunk payloads. Level 3 stores ~5% more bytes than 6 on mCNS-like chunks but
 * deflates about 1.6× faster, and deflate is most of a chunk's transcode time.
 */
export const DEFAULT_GZIP_LEVEL = 3;

export interface SettingsOptions {
  supervoxels?: boolean;
  zCompress?: number;
  gzipLevel?: number;
  onlyMissing?: boolean;
}

/** `level` if it is a gzip level (an integer 0..9), else `INVALID_ARGUMENT`. */

export function resolveSettings(o: SettingsOptions): ExportSettings {
  const gzipLevel = checkGzipLevel(o.gzipLevel ?? DEFAULT_GZIP_LEVEL);
  return {
    labels: o.supervoxels ? "supervoxels" : "bodies",
    zCompress: checkZCompress(o.zCompress ?? 0),
    gzipLevel,
    onlyMissing: o.onlyMissing ?? false,
  };
}

/** The scales a run covers: the requested ones (checked against the spec) or all of them. */
export function resolveScales(info: PrecomputedInfo, requested: readonly number[] | undefined, settings: ExportSettings): number[] {
  const all = info.scales.map((_, i) => i);
  const scales = requested ? [...new Set(requested)].sort((a, b) => a - b) : all;
  for (const s of scales) {
    if (!Number.isInteger(s) || s < 0 || s >= info.scales.length) {
      throw new BraidError("INVALID_ARGUMENT", `scale ${s} is not in the spec (it has scales 0..${info.scales.length - 1})`);
    }
  }
  if (settings.zCompress > 0 && !scales.includes(0)) {
    throw new BraidError("INVALID_ARGUMENT", `--z-compress applies to scale 0, which this run does not export (scales ${scales.join(",")})`);
  }
  return scales;
}

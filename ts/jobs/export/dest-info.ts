/**
 * The destination `info`: written from the spec before any shard, atomically, and with a
 * `braid` key recording how the voxels were made (label mode, z decimation of scale 0) so that
 * `verify` compares against the right reference. An existing `info` is accepted when the
 * scales the run writes (and the label type) match the spec's; a run that would mix label
 * modes or decimations in one volume is refused.
 */
import { BraidError, isBraidError, withContext } from "../../errors.js";
import { infoFromSpec, parseInfo, serializeInfo, type PrecomputedInfo } from "../../formats/precomputed/info.js";
import type { Storage } from "../../storage/types.js";
import type { ExportSettings, LabelMode } from "./types.js";

export const BRAID_KEY = "braid";

/** What `info.braid` records. `z_compress` is about scale 0 and absent until scale 0 is exported. */
export interface BraidMeta {
  labels?: LabelMode;
  z_compress?: number;
}

export function braidMeta(info: PrecomputedInfo): BraidMeta {
  const m = info[BRAID_KEY];
  if (typeof m !== "object" || m === null) return {};
  const { labels, z_compress } = m as Record<string, unknown>;
  return {
    ...(labels === "bodies" || labels === "supervoxels" ? { labels } : {}),
    ...(typeof z_compress === "number" ? { z_compress } : {}),
  };
}

/** JSON with sorted keys, so equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * Why the existing info cannot take this run's chunks, or undefined when it can: the label
 * type and every scale the run writes must be the spec's exactly. Other scales may differ
 * (e.g. appended by `braid downres`); they are not touched.
 */
function difference(existing: PrecomputedInfo, wanted: PrecomputedInfo, scales: readonly number[]): string | undefined {
  for (const k of ["type", "data_type", "num_channels"] as const) {
    if (existing[k] !== wanted[k]) return `${k} is ${JSON.stringify(existing[k])}, the spec says ${JSON.stringify(wanted[k])}`;
  }
  for (const i of scales) {
    const a = existing.scales[i];
    const b = wanted.scales[i]!;
    if (!a) return `it has no scale ${i} ("${b.key}")`;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (canonical(a[k]) !== canonical(b[k])) {
        return `scale ${i} ("${b.key}") ${k} is ${canonical(a[k])}, the spec says ${canonical(b[k])}`;
      }
    }
  }
  return undefined;
}

/** The `braid` record a run wants: its label mode, and its decimation if it exports scale 0. */
export function wantedMeta(settings: ExportSettings, scales: readonly number[]): BraidMeta {
  return { labels: settings.labels, ...(scales.includes(0) ? { z_compress: settings.zCompress } : {}) };
}

function merge(existing: BraidMeta, wanted: BraidMeta, where: string): BraidMeta {
  if (existing.labels !== undefined && wanted.labels !== undefined && existing.labels !== wanted.labels) {
    throw new BraidError(
      "LABEL_MODE_MISMATCH",
      `${where} holds ${existing.labels} ids; this run would write ${wanted.labels} (use another destination, or ` +
        `${existing.labels === "supervoxels" ? "add" : "drop"} --supervoxels)`,
      { file: where },
    );
  }
  if (existing.z_compress !== undefined && wanted.z_compress !== undefined && existing.z_compress !== wanted.z_compress) {
    throw new BraidError(
      "Z_COMPRESS_MISMATCH",
      `${where}: scale 0 was exported with --z-compress ${existing.z_compress}; this run uses ${wanted.z_compress}`,
      { file: where },
    );
  }
  return { ...existing, ...wanted };
}

const sameMeta = (a: BraidMeta, b: BraidMeta) => a.labels === b.labels && a.z_compress === b.z_compress;

/** The info the spec describes (validated), without the braid record. */
export function specInfo(spec: string | Uint8Array | object): PrecomputedInfo {
  const { [BRAID_KEY]: _drop, ...info } = infoFromSpec(spec);
  return info as PrecomputedInfo;
}

/**
 * Makes sure `dest/info` describes the spec's volume for `scales` and records `meta`; returns
 * the info units should write against. Idempotent, and safe when several workers do it at once.
 */
export async function prepareDestination(
  dest: Storage,
  spec: PrecomputedInfo,
  meta: BraidMeta,
  scales: readonly number[],
): Promise<PrecomputedInfo> {
  const where = dest.describe("info");
  for (let attempt = 0; ; attempt++) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await dest.read("info");
    } catch (e) {
      throw withContext(e, { file: where });
    }
    if (bytes === undefined) {
      const fresh = parseInfo({ ...spec, [BRAID_KEY]: meta });
      try {
        await dest.write("info", serializeInfo(fresh), { ifAbsent: true, contentType: "application/json" });
        return fresh;
      } catch (e) {
        // Another worker created it first: compare against theirs.
        if (isBraidError(e, "ALREADY_EXISTS") && attempt < 3) continue;
        throw withContext(e, { file: where });
      }
    }
    let existing: PrecomputedInfo;
    try {
      existing = parseInfo(bytes);
    } catch (e) {
      throw withContext(e, { file: where });
    }
    const diff = difference(existing, spec, scales);
    if (diff !== undefined) {
      throw new BraidError("DEST_INFO_MISMATCH", `${where} describes another volume: ${diff}`, { file: where });
    }
    const current = braidMeta(existing);
    const merged = merge(current, meta, where);
    if (sameMeta(current, merged)) return existing;
    const updated = parseInfo({ ...existing, [BRAID_KEY]: merged });
    try {
      await dest.write("info", serializeInfo(updated), { contentType: "application/json" });
    } catch (e) {
      throw withContext(e, { file: where });
    }
    return updated;
  }
}

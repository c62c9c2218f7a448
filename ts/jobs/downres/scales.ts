/**
 * The pyramid's `info`: scales to be built are appended with TensorStore's downsampled
 * domain (docs/formats/precomputed.md §1.5), and scales already listed must have exactly that domain — otherwise the
 * stored pyramid would not be `ts.downsample(previous, [2,2,2,1], "mode")` voxel for voxel.
 */
import { BraidError, withContext } from "../../errors.js";
import { downsampledScale } from "../../formats/precomputed/geometry.js";
import { parseInfo, serializeInfo, type PrecomputedInfo, type ScaleInfo } from "../../formats/precomputed/info.js";
import type { Storage } from "../../storage/types.js";
import { DOWNRES_FACTORS } from "./task.js";

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const show = (v: readonly number[]) => `[${v.join(",")}]`;

/** Throws `SPEC_INVALID` unless `scale` (index `k`) is what downsampling scale k-1 yields. */
export function checkDerivedScale(info: PrecomputedInfo, k: number): void {
  const previous = info.scales[k - 1];
  const scale = info.scales[k];
  if (!previous || !scale) {
    throw new BraidError("INVALID_ARGUMENT", `downres of scale ${k} needs scales ${k - 1} and ${k}; info has ${info.scales.length}`);
  }
  const rule = downsampledScale(previous, DOWNRES_FACTORS);
  const problems: string[] = [];
  if (!same(scale.voxel_offset, rule.voxel_offset) || !same(scale.size, rule.size)) {
    problems.push(
      `voxel_offset ${show(scale.voxel_offset)} size ${show(scale.size)} differ from TensorStore's downsampled domain ` +
        `voxel_offset ${show(rule.voxel_offset)} size ${show(rule.size)}`,
    );
  }
  if (!scale.resolution.every((r, d) => Math.abs(r - rule.resolution[d]!) <= 1e-9 * Math.abs(rule.resolution[d]!))) {
    problems.push(`resolution ${show(scale.resolution)} is not scale ${k - 1}'s × ${DOWNRES_FACTORS.join("×")} = ${show(rule.resolution)}`);
  }
  if (problems.length > 0) {
    throw new BraidError(
      "SPEC_INVALID",
      `info: scale ${k} ("${scale.key}") is not a ${DOWNRES_FACTORS.join("×")} downsampling of scale ${k - 1} ("${previous.key}"): ` +
        `${problems.join("; ")}`,
    );
  }
}

function checkScaleList(info: PrecomputedInfo, scales: readonly number[]): void {
  for (const k of scales) {
    if (!Number.isInteger(k) || k < 1) throw new BraidError("INVALID_ARGUMENT", `downres scales must be integers ≥ 1, got ${k}`);
    // A missing scale is derived from the one before it, which must exist or be built first.
    const previousAvailable = k - 1 < info.scales.length || scales.includes(k - 1);
    if (!previousAvailable) {
      throw new BraidError(
        "INVALID_ARGUMENT",
        `scale ${k} is built from scale ${k - 1}, which the info (${info.scales.length} scales) lacks and is not being built`,
      );
    }
  }
}

/**
 * `info` with every scale in `scales` present: missing ones appended by `downsampledScale`
 * (the TensorStore domain, resolution × 2, sharding bits shrunk to the smaller grid), listed
 * ones checked against that rule (`SPEC_INVALID`). Pure: nothing is written.
 */
export function withDownresScales(info: PrecomputedInfo, scales: readonly number[]): PrecomputedInfo {
  checkScaleList(info, scales);
  const list: ScaleInfo[] = [...info.scales];
  const keys = new Set(list.map((s) => s.key));
  for (const k of [...scales].sort((a, b) => a - b)) {
    if (k < list.length) continue;
    let next = downsampledScale(list[k - 1]!, DOWNRES_FACTORS);
    // The default key names the resolution, which another scale may already use as its key.
    const base = next.key;
    for (let n = 2; keys.has(next.key); n++) next = { ...next, key: `${base}-${n}` };
    keys.add(next.key);
    list.push(next);
  }
  const updated = parseInfo({ ...info, scales: list });
  for (const k of scales) checkDerivedScale(updated, k);
  return updated;
}

/** {@link withDownresScales}, writing the new `info` atomically when scales were appended. */
export async function prepareScales(storage: Storage, info: PrecomputedInfo, scales: readonly number[]): Promise<PrecomputedInfo> {
  const updated = withDownresScales(info, scales);
  if (updated.scales.length > info.scales.length) {
    try {
      await storage.write("info", serializeInfo(updated), { contentType: "application/json" });
    } catch (e) {
      throw withContext(e, { file: storage.describe("info") });
    }
  }
  return updated;
}

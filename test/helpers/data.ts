/** Paths to the shared real-data fixtures and small readers for them. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedData = process.env.BRAID_SHARED_DATA ?? resolve(repoRoot, "../shared/data");
export const dvidData = (name: string) => resolve(sharedData, "dvid", name);

/** A gzip'd 64³ x-fastest uint64 volume from the fixtures. */
export function readGzVolume(name: string): BigUint64Array {
  const raw = gunzipSync(readFileSync(dvidData(name)));
  return new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
}

export function sha256(data: ArrayBufferView): string {
  return createHash("sha256")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16));
}

/** Deterministic xorshift64 generator for reproducible random volumes. */
export function rng(seed = 0x9e3779b97f4a7c15n) {
  let s = BigInt.asUintN(64, seed);
  return () => {
    s ^= BigInt.asUintN(64, s << 13n);
    s ^= s >> 7n;
    s ^= BigInt.asUintN(64, s << 17n);
    return s;
  };
}

/** zarr arrays and groups written and read by the reference implementations (zarr-python, TensorStore). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VoxelArray } from "braid-seg";
import { runPython } from "./python.js";

export type ZarrDtype = "uint8" | "uint16" | "uint32" | "uint64" | "int16" | "float32";

export interface ZarrArraySpec {
  path: string;
  data: VoxelArray;
  dtype: ZarrDtype;
  /** C order, slowest first. */
  shape: number[];
  chunks: number[];
  shards?: number[];
  codec?: "gzip" | "zstd" | "blosc" | "raw";
  index_location?: "start" | "end";
  order?: "C" | "F";
  separator?: "/" | ".";
  dimension_names?: string[];
  fill_value?: number;
}

export interface ZarrSpec {
  writer: "zarr-python" | "tensorstore";
  zarr_format: 2 | 3;
  groups?: { path: string; attributes?: Record<string, unknown> }[];
  arrays: ZarrArraySpec[];
}

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the spec's groups and arrays under `root` with the chosen reference writer. */
export function writeZarr(root: string, spec: ZarrSpec): void {
  const scratch = mkdtempSync(join(tmpdir(), "braid-zarr-spec-"));
  try {
    const arrays = spec.arrays.map(({ data, ...a }, i) => {
      const raw = join(scratch, `${i}.raw`);
      writeFileSync(raw, bytes(data));
      return { ...a, raw };
    });
    writeFileSync(join(scratch, "spec.json"), JSON.stringify({ ...spec, arrays }));
    runPython("write_zarr.py", [root, "--spec", join(scratch, "spec.json")]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const CTORS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  int16: Int16Array,
  float32: Float32Array,
} as const;

/** A box (`[start, stop)` per dimension, C order) of a zarr array as the reference reader sees it. */
export function readZarr(
  path: string,
  reader: "zarr-python" | "tensorstore",
  box?: [number, number][],
): { data: VoxelArray; shape: number[]; dtype: string } {
  const dir = mkdtempSync(join(tmpdir(), "braid-zarr-read-"));
  try {
    const out = join(dir, "out.raw");
    const args = [path, "--reader", reader, "--out", out];
    if (box) args.push(`--box=${box.flat().join(",")}`);
    const meta = JSON.parse(runPython("read_zarr.py", args)) as { shape: number[]; dtype: ZarrDtype };
    const raw = readFileSync(out);
    const Ctor = CTORS[meta.dtype];
    if (!Ctor) throw new Error(`unexpected dtype ${meta.dtype}`);
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return { data: new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT), shape: meta.shape, dtype: meta.dtype };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A deterministic segmentation-like uint64 volume (x fastest): blobs of one label with values
 * above 2^32, some zero background, so wrong offsets or widths show.
 */
export function labelVolume(shape: readonly [number, number, number], seed = 1): BigUint64Array {
  const [sx, sy, sz] = shape;
  const out = new BigUint64Array(sx * sy * sz);
  for (let z = 0; z < sz; z++)
    for (let y = 0; y < sy; y++)
      for (let x = 0; x < sx; x++) {
        const cell = Math.floor(x / 7) + 13 * Math.floor(y / 5) + 131 * Math.floor(z / 3);
        const h = Math.imul(cell ^ seed, 2654435761) >>> 0;
        out[x + sx * (y + sy * z)] = h % 5 === 0 ? 0n : (BigInt(h) << 20n) | BigInt(cell);
      }
  return out;
}

/** The `zarr.json` attributes of an OME-Zarr 0.5 group holding `ome` (multiscales, plate, labels, …). */
export function ome05(ome: Record<string, unknown>): { ome: Record<string, unknown> } {
  return { ome: { version: "0.5", ...ome } };
}

/** `n` deterministic values of a data type (not all zero, not constant), for images and label arrays. */
export function pattern(dtype: ZarrDtype, n: number, seed = 1): VoxelArray {
  const Ctor = CTORS[dtype];
  const out = new Ctor(n);
  for (let i = 0; i < n; i++) {
    const h = Math.imul((i >> 2) ^ seed, 2654435761) >>> 0;
    if (out instanceof BigUint64Array) out[i] = (BigInt(h) << 24n) | BigInt(i & 0xffffff);
    else if (out instanceof Float32Array) out[i] = (h % 10007) / 7;
    else out[i] = h % (dtype === "uint8" ? 256 : dtype === "int16" ? 30000 : 65521);
  }
  return out;
}

/** Byte equality of two voxel arrays of one type, with the first difference named. */
export function expectSameArray(actual: VoxelArray, expected: VoxelArray, what: string): void {
  expect(actual.constructor.name, `${what}: type`).toBe(expected.constructor.name);
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = bytes(actual);
  const b = bytes(expected);
  if (Buffer.from(a).equals(Buffer.from(b))) return;
  const i = Array.prototype.findIndex.call(actual, (v: unknown, k: number) => v !== expected[k]);
  expect(`${what}: element ${i} = ${actual[i]}`).toBe(`${what}: element ${i} = ${expected[i]}`);
}

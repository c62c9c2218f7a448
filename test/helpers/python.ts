/** Runs the reference implementations (TensorStore, zarr-python) from the repo's .venv. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./data.js";

export const python = join(repoRoot, ".venv/bin/python");

export function requirePython(): void {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/setup.sh`);
}

export function runPython(script: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  requirePython();
  return execFileSync(python, [join(repoRoot, "test/oracle", script), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
  });
}

/** `ome-zarr-models validate` on a group: whether it passed, and what it printed. */
export function omeZarrValidate(path: string): { valid: boolean; output: string } {
  requirePython();
  try {
    const out = execFileSync(join(repoRoot, ".venv/bin/ome-zarr-models"), ["validate", path], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { valid: true, output: out };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { valid: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

export interface TensorStoreRead {
  /** The voxels, uint32 volumes widened to uint64. */
  data: BigUint64Array;
  origin: [number, number, number];
  shape: [number, number, number];
}

/** Reads a precomputed volume (whole scale, or a box) through TensorStore. */
export function tensorstoreRead(
  url: string,
  options: {
    scaleIndex?: number;
    box?: [number, number, number, number, number, number];
    env?: NodeJS.ProcessEnv;
    /** The data type the volume must have (default uint64); uint32 is widened. */
    dtype?: "uint64" | "uint32";
  } = {},
): TensorStoreRead {
  const dir = mkdtempSync(join(tmpdir(), "braid-ts-"));
  const out = join(dir, "volume.raw");
  const args = [url, "--out", out, "--scale-index", String(options.scaleIndex ?? 0)];
  // "=" keeps argparse from reading a negative first coordinate as a flag.
  if (options.box) args.push(`--box=${options.box.join(",")}`);
  const meta = JSON.parse(runPython("read_precomputed.py", args, options.env)) as {
    origin: [number, number, number];
    shape: [number, number, number];
    dtype: string;
  };
  const raw = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  const expected = options.dtype ?? "uint64";
  if (meta.dtype !== expected) throw new Error(`expected ${expected}, TensorStore read ${meta.dtype}`);
  const data =
    meta.dtype === "uint64"
      ? new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8)
      : BigUint64Array.from(new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), BigInt);
  return { data, origin: meta.origin, shape: meta.shape };
}

export interface TensorStoreDownsampled {
  origin: [number, number, number];
  shape: [number, number, number];
  data: BigUint64Array;
}

/**
 * TensorStore's `downsample(scale k, [2,2,2,1], "mode")` for each k in `sourceScales`; with
 * `writeTo`, also written there as scale k+1 (tensorstore-export's write); with `box`
 * (`[x0, y0, z0, x1, y1, z1]` of the view), only that part of the view is read.
 */
export function tensorstoreDownsample(
  dir: string,
  sourceScales: number[],
  options: { writeTo?: string; box?: readonly number[] } = {},
): Map<number, TensorStoreDownsampled> {
  const out = mkdtempSync(join(tmpdir(), "braid-ts-"));
  const args = [dir, ...sourceScales.flatMap((k) => ["--source-scale", String(k)]), "--out-dir", out];
  if (options.writeTo) args.push("--write-to", options.writeTo);
  if (options.box) args.push(`--box=${options.box.join(",")}`);
  const lines = runPython("downsample_precomputed.py", args)
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { source_scale: number; origin: [number, number, number]; shape: [number, number, number]; dtype: string });
  const result = new Map(
    lines.map((m) => {
      if (m.dtype !== "uint64") throw new Error(`expected uint64, TensorStore downsampled ${m.dtype}`);
      const raw = readFileSync(join(out, `${m.source_scale}.raw`));
      return [m.source_scale, { origin: m.origin, shape: m.shape, data: new BigUint64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8) }] as const;
    }),
  );
  rmSync(out, { recursive: true, force: true });
  return result;
}

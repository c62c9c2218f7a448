/**
 * OME-Zarr output on a synthetic export whose volume ends inside chunks (384×320×250, 2×2×2
 * chunks per spec shard): edge chunks padded with 0, zarr shards smaller than the spec's
 * shard (`--zarr-shard`), a pyramid built from the OME-Zarr itself, the same output from a
 * manifest's array-job workers and from a resumed run, and clear refusals of bad options.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { braid, tempDir } from "../helpers/export.js";
import { tensorstoreRead } from "../helpers/python.js";
import { fileUrl } from "../helpers/temp.js";
import { readZarr } from "../helpers/zarr.js";

const SIZE = [384, 320, 250];
const dirs: string[] = [];
let source: string;
let spec: string;
let pc: string;

const run = (args: string[]) => {
  const r = braid(args);
  expect(r.code, `${args.join(" ")}\n${r.stderr}\n${r.stdout}`).toBe(0);
  return r;
};

beforeAll(() => {
  source = tempDir("oz-synth-src");
  pc = tempDir("oz-synth-pc");
  dirs.push(source, pc);
  run(["synth", "--dest", source, "--size", SIZE.join(","), "--shard-blocks", "2", "--seed", "5", "--workers", "2"]);
  spec = join(source, "spec.json");
  run(["export", "--source", source, "--dest", pc, "--spec", spec, "--workers", "2", "--downres", "1-3"]);
}, 170_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every file under a directory with its bytes. */
function tree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

/** Every level of an OME-Zarr pyramid equals the precomputed scale, as zarr-python reads it. */
function expectLevelsEqualPrecomputed(oz: string, group = ""): void {
  for (const k of [0, 1, 2, 3]) {
    const want = tensorstoreRead(fileUrl(pc), { scaleIndex: k });
    const got = readZarr(join(oz, group, `s${k}`), "zarr-python");
    expect(got.shape, `s${k}`).toEqual([...want.shape].reverse());
    const a = Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength);
    expect(a.equals(Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength)), `s${k} voxels`).toBe(true);
  }
}

describe("OME-Zarr output of a synthetic export", () => {
  it("pads edge chunks, splits spec shards into smaller zarr shards, and builds its pyramid from itself", () => {
    const oz = tempDir("oz-synth-split");
    dirs.push(oz);
    run(["export", "--source", source, "--dest", oz, "--spec", spec, "--workers", "2", "--format", "ome-zarr", "--zarr-shard", "1,2,2", "--downres", "1-3"]);
    expectLevelsEqualPrecomputed(oz);
    const s0 = JSON.parse(readFileSync(join(oz, "s0/zarr.json"), "utf8"));
    expect(s0.chunk_grid.configuration.chunk_shape).toEqual([128, 128, 64]);
    // 6×5×4 chunks in shards of 1×2×2: 6 × 3 × 2 shard objects at most, keyed c/<z>/<y>/<x>.
    const shards = [...tree(join(oz, "s0")).keys()].filter((k) => k.startsWith("c/"));
    expect(shards.length).toBeGreaterThan(8);
    expect(shards.every((k) => /^c\/[01]\/[0-2]\/[0-5]$/.test(k))).toBe(true);
    // The last z layer of chunks is 250 - 192 = 58 voxels deep: TensorStore reads the full
    // padded chunks, and the padding is 0.
    const edge = readZarr(join(oz, "s0"), "tensorstore", [[192, 250], [0, 320], [0, 384]]);
    const want = tensorstoreRead(fileUrl(pc), { scaleIndex: 0, box: [0, 0, 192, 384, 320, 250] });
    expect(Buffer.from(edge.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
    const verify = braid(["verify", "--source", source, "--dest", oz, "--values", "8"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/verify passed/);
  }, 170_000);

  it("manifest workers and a resumed run write the same pyramid as one run", () => {
    const single = tempDir("oz-synth-single");
    const viaManifest = tempDir("oz-synth-manifest");
    dirs.push(single, viaManifest);
    run(["export", "--source", source, "--dest", single, "--spec", spec, "--workers", "0", "--format", "ome-zarr", "--ome-labels", "cells"]);
    const mdir = tempDir("oz-synth-m");
    dirs.push(mdir);
    const manifest = join(mdir, "manifest.json");
    run(["manifest", "--source", source, "--dest", viaManifest, "--spec", spec, "--tasks", "3", "--out", manifest, "--format", "ome-zarr", "--ome-labels", "cells"]);
    expect(JSON.parse(readFileSync(manifest, "utf8")).output).toEqual({ format: "ome-zarr", omeLabels: "cells" });
    for (const i of [0, 1, 2]) run(["worker", "--manifest", manifest, "--task-index", String(i), "--workers", "0"]);
    const want = tree(single);
    const got = tree(viaManifest);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k)!.equals(v), k).toBe(true);

    // A run killed after some shards: delete two, resume with --only-missing.
    const s0 = join(viaManifest, "labels/cells/s0/c");
    const gone = [...tree(s0).keys()].slice(0, 2);
    for (const k of gone) rmSync(join(s0, k));
    const resumed = run(["export", "--source", source, "--dest", viaManifest, "--spec", spec, "--workers", "0", "--format", "ome-zarr", "--ome-labels", "cells", "--only-missing"]);
    expect(resumed.stdout).toMatch(/2 written/);
    const again = tree(viaManifest);
    for (const [k, v] of want) expect(again.get(k)!.equals(v), k).toBe(true);
  }, 170_000);

  it("refuses bad OME-Zarr options with clear messages", () => {
    const dest = tempDir("oz-synth-bad");
    dirs.push(dest);
    const cases: [string[], RegExp][] = [
      [["--format", "zarr"], /--format must be precomputed, ome-zarr or both/],
      [["--zarr-shard", "1,1,1"], /--zarr-shard needs --format ome-zarr or both/],
      [["--format", "ome-zarr", "--zarr-shard", "3,1,1"], /must divide scale 0's write unit .* 2×2×2/],
      [["--format", "ome-zarr", "--zarr-codec", "blosc"], /--zarr-codec must be zstd, gzip or none/],
      [["--format", "ome-zarr", "--ome-labels", "a/b"], /label name/],
    ];
    for (const [extra, message] of cases) {
      const r = braid(["export", "--source", source, "--dest", dest, "--spec", spec, "--workers", "0", ...extra]);
      expect(r.code, extra.join(" ")).not.toBe(0);
      expect(r.stderr + r.stdout, extra.join(" ")).toMatch(message);
    }
  });
});

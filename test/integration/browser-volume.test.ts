/**
 * `openVolume` in a real browser: headless Chromium loads the built browser entry (WebAssembly)
 * from a local static server with Range support, opens a braid-written sharded precomputed
 * volume and a zarr-python-written OME-Zarr 0.5 image over HTTP, reads ROIs (by voxels, by world
 * box, by target resolution, with a channel selection) and must get the very voxels the native
 * addon reads in Node. Then the example page (examples/slice) draws a slice of each; its
 * screenshots go to target/test-artifacts/.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrecomputed, downsampledScale, openVolume, type PrecomputedInfo, type ReadOptions, type ScaleInfo } from "braid-seg";
import { collectProblems, launchChromium, serveStatic, type StaticServer } from "../helpers/browser.js";
import { repoRoot } from "../helpers/data.js";
import { braidWrite } from "../helpers/precomputed.js";
import { fileUrl, tempDir } from "../helpers/temp.js";
import { labelVolume, ome05, pattern, writeZarr } from "../helpers/zarr.js";

const PKG = "/node_modules/braid-seg";
const ARTIFACTS = join(repoRoot, "target/test-artifacts");

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>braid openVolume browser test</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "braid-seg": "${PKG}/dist/entry/browser.js" } }</script>
<script type="module">
  import * as braid from "braid-seg";
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const digest = async (v) => hex(await crypto.subtle.digest("SHA-256", new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  window.readAll = async (reads) => {
    const backend = await braid.init();
    const out = [];
    for (const { url, options } of reads) {
      const v = await braid.openVolume(location.origin + url);
      const r = await v.read(options);
      out.push({ backend, format: v.format, type: r.data.constructor.name, scale: r.scale.key, shape: r.shape, dims: r.dims, origin: r.origin, roi: r.roi, sha: await digest(r.data) });
    }
    return out;
  };
  window.ready = true;
</script>`;

const S0: ScaleInfo = {
  key: "s0",
  size: [96, 80, 24],
  voxel_offset: [16, -8, 4],
  resolution: [8, 8, 30],
  chunk_sizes: [[32, 32, 8]],
  encoding: "compressed_segmentation",
  compressed_segmentation_block_size: [8, 8, 8],
  sharding: {
    "@type": "neuroglancer_uint64_sharded_v1",
    hash: "identity",
    preshift_bits: 1,
    minishard_bits: 2,
    shard_bits: 3,
    minishard_index_encoding: "gzip",
    data_encoding: "gzip",
  },
};

const READS: { url: string; options: ReadOptions }[] = [
  { url: "/data/segmentation", options: { roi: { start: [20, -4, 6], stop: [90, 60, 20] } } },
  { url: "/data/segmentation", options: { targetResolution: [16, 16, 30], bbox: { min: [300, 0, 200], max: [800, 500, 600] } } },
  { url: "/data/cells.ome.zarr", options: { scale: "s1", select: { c: 1 } } },
  { url: "/data/cells.ome.zarr", options: { bbox: { min: [2, 2, 2], max: [9, 7, 5] } } },
];

interface PageRead {
  backend: string;
  format: string;
  type: string;
  scale: string;
  shape: number[];
  dims: string[];
  origin: number[];
  roi: unknown;
  sha: string;
}

let data: string;
let server: StaticServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const missing = ["dist/entry/browser.js", "dist/formats/open-volume.js", "wasm/braid_wasm_bg.wasm"].filter((f) => !existsSync(join(repoRoot, f)));
  if (missing.length > 0) throw new Error(`browser-volume.test.ts serves the built package: ${missing.join(", ")} missing, run \`pnpm build\``);
  data = tempDir("browser-volume");
  const info: PrecomputedInfo = {
    "@type": "neuroglancer_multiscale_volume",
    type: "segmentation",
    data_type: "uint64",
    num_channels: 1,
    scales: [S0, downsampledScale(S0, [2, 2, 1])],
  };
  const created = await createPrecomputed(fileUrl(join(data, "segmentation")), info);
  for (const [i, s] of info.scales.entries()) await braidWrite(created.scale(i), labelVolume(s.size, 20 + i), "tensorstore");
  const axes = [{ name: "c", type: "channel" }, ...["z", "y", "x"].map((name) => ({ name, type: "space", unit: "micrometer" }))];
  const ds = (path: string, s: number) => ({
    path,
    coordinateTransformations: [
      { type: "scale", scale: [1, 1, 0.5 * s, 0.5 * s] },
      { type: "translation", translation: [0, 0.5, 0.25 * s, 0.25 * s] },
    ],
  });
  const array = (path: string, shape: number[], seed: number) => ({
    path,
    data: pattern("uint16", shape.reduce((a, b) => a * b), seed),
    dtype: "uint16" as const,
    shape,
    chunks: [1, 4, 16, 16],
    shards: [2, 8, 32, 32],
    codec: "zstd" as const,
    dimension_names: ["c", "z", "y", "x"],
  });
  writeZarr(join(data, "cells.ome.zarr"), {
    writer: "zarr-python",
    zarr_format: 3,
    groups: [
      {
        path: "",
        attributes: ome05({
          multiscales: [{ axes, datasets: [ds("s0", 1), ds("s1", 2)] }],
          omero: { channels: [{ label: "membrane", color: "FF00FF" }, { label: "nucleus", color: "00FF00" }] },
        }),
      },
    ],
    arrays: [array("s0", [2, 8, 40, 48], 1), array("s1", [2, 8, 20, 24], 2)],
  });

  server = await serveStatic({
    [`${PKG}/dist/`]: join(repoRoot, "dist"),
    [`${PKG}/wasm/`]: join(repoRoot, "wasm"),
    "/examples/": join(repoRoot, "examples"),
    "/data/": data,
  }, { "/index.html": { body: PAGE, type: "text/html; charset=utf-8" } });
  browser = await launchChromium();
  page = await browser.newPage();
  collectProblems(page, problems);
  await page.goto(`${server.origin}/index.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, null, { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sha = (v: ArrayBufferView) => createHash("sha256").update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest("hex");

describe("openVolume in headless Chromium (WebAssembly, HTTP ranges)", () => {
  it("reads the voxels the native addon reads, precomputed and OME-Zarr", async () => {
    const inBrowser = await page.evaluate((reads) => (window as unknown as { readAll: (r: unknown) => Promise<PageRead[]> }).readAll(reads), READS);
    const inNode: PageRead[] = [];
    for (const { url, options } of READS) {
      const v = await openVolume(fileUrl(join(data, url.slice("/data/".length))));
      const r = await v.read(options);
      inNode.push({ backend: "wasm", format: v.format, type: r.data.constructor.name, scale: r.scale.key, shape: r.shape, dims: r.dims, origin: [...r.origin], roi: r.roi, sha: sha(r.data) });
    }
    expect(inBrowser).toEqual(inNode);
    expect(inBrowser.map((r) => [r.format, r.type, r.scale, r.dims.join("")])).toEqual([
      ["precomputed", "BigUint64Array", "s0", "xyz"],
      ["precomputed", "BigUint64Array", "16_16_30", "xyz"],
      ["ome-zarr 0.5", "Uint16Array", "s1", "xyz"],
      ["ome-zarr 0.5", "Uint16Array", "s0", "xyzc"],
    ]);
    // Shards were read with ranges; nothing was missing (no probe answered 404).
    expect(server.requests.some((r) => r.status === 206 && r.path.endsWith(".shard"))).toBe(true);
    expect(server.requests.some((r) => r.status === 206 && r.path.startsWith("/data/cells.ome.zarr/s0/c/"))).toBe(true);
    expect(server.requests.filter((r) => r.status !== 200 && r.status !== 206)).toEqual([]);
    expect(server.requests.filter((r) => r.path.endsWith(".wasm"))).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it("the example page draws a slice of each volume (screenshots in target/test-artifacts)", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [name, url, z, res] of [
      ["precomputed", "/data/segmentation", "400", "30"],
      ["ome-zarr", "/data/cells.ome.zarr", "2", ""],
    ] as const) {
      const example = await browser.newPage({ viewport: { width: 900, height: 700 } });
      collectProblems(example, problems);
      await example.goto(`${server.origin}/examples/slice/index.html?${new URLSearchParams({ url, z, res })}`);
      await example.waitForFunction(() => (window as unknown as { sliceResult?: unknown }).sliceResult !== undefined, null, { timeout: 30_000 });
      const result = await example.evaluate(() => (window as unknown as { sliceResult: Record<string, unknown> }).sliceResult);
      expect(result.error, String(result.error)).toBeUndefined();
      const level = name === "precomputed" ? { scale: "16_16_30", shape: [48, 40, 1] } : { scale: "s0", shape: [48, 40, 1, 2] };
      expect({ scale: result.scale, shape: result.shape }).toEqual(level);
      expect(result.max as number).toBeGreaterThan(result.min as number);
      // The canvas is not blank: distinct colours across the slice.
      const colours = await example.evaluate(() => {
        const c = document.getElementById("slice") as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return seen.size;
      });
      expect(colours).toBeGreaterThan(10);
      await example.screenshot({ path: join(ARTIFACTS, `volume-slice-${name}.png`) });
      expect(existsSync(join(ARTIFACTS, `volume-slice-${name}.png`))).toBe(true);
      await example.close();
    }
    expect(problems).toEqual([]);
  });
});

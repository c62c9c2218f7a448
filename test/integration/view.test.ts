/**
 * `braid view` as a user runs it: the real DVID shard exported with the real mCNS spec
 * (`--scales 1`), its pyramid built (`braid downres --scales 2,3`), served by the CLI, and the
 * printed URL opened in headless Chromium (`--open` hands the same URL to the platform's
 * opener). neuroglancer must load the layer, draw it and show segmentation (many segment
 * colours in the cross-section panels) with ranged shard reads; Ctrl-C (SIGINT) must stop
 * the server cleanly. Then an OME-Zarr 0.5 labels image written by zarr-python (sharded
 * zarr v3) through `serveVolume`, the same way. The screenshots are kept in
 * target/test-artifacts/.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveVolume } from "braid-seg/view";
import { launchChromium } from "../helpers/browser.js";
import { repoRoot } from "../helpers/data.js";
import { braid, braidChild, MCNS_SPEC, realSource, tempDir } from "../helpers/export.js";
import { runViewer, type ViewerRun } from "../helpers/neuroglancer.js";
import { runPython } from "../helpers/python.js";

const cleanup: string[] = [];
let precomputed: string;
let omeZarr: string;
let browser: Browser;

beforeAll(() => {
  if (!existsSync(join(repoRoot, "dist/neuroglancer/index.html"))) throw new Error("dist/neuroglancer is missing: run `pnpm build:viewer`");
  const source = realSource();
  precomputed = tempDir("view-real");
  omeZarr = join(tempDir("view-ome"), "sample.ome.zarr");
  cleanup.push(source, precomputed, join(omeZarr, ".."));
  const exported = braid(["export", "--source", source, "--dest", precomputed, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "1"]);
  expect(exported.code, exported.stderr).toBe(0);
  const pyramid = braid(["downres", "--dest", precomputed, "--scales", "2,3", "--workers", "1"]);
  expect(pyramid.code, pyramid.stderr).toBe(0);
  expect(JSON.parse(runPython("write_ome_zarr.py", [omeZarr]))).toMatchObject({ distinct: 757, sharding: "sharding_indexed" });
}, 600_000);

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

/** Resolves with the URL `braid view` prints (the line after "open:"). */
function printedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no URL from braid view within 30 s:\n${out}\n${err}`)), 30_000);
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/#!\S+)$/m.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once("exit", (code) => reject(new Error(`braid view exited (${code}) before printing a URL:\n${out}\n${err}`)));
  });
}

/** The checks every view shares: loaded, no errors, all from one origin, segments drawn. */
function expectSegmentation(run: ViewerRun, origin: string, layer: string): void {
  expect(run.layers).toEqual([{ name: layer, type: "segmentation", error: undefined }]);
  // Missing chunks and shards are 404s by design (absent = 0); nothing else may fail.
  const failed = run.responses.filter((r) => r.status >= 400 && r.status !== 404);
  expect(failed).toEqual([]);
  expect(run.problems.filter((p) => !/Failed to load resource: the server responded with a status of 404/.test(p))).toEqual([]);
  expect(run.responses.filter((r) => !r.url.startsWith(`${origin}/`))).toEqual([]);
  // Four panels, three of them cross-sections, each showing many segments.
  expect(run.panelColours).toHaveLength(3);
  for (const colours of run.panelColours) expect(colours).toBeGreaterThan(20);
}

describe("braid view in headless Chromium", () => {
  it("shows the real shard's exported pyramid from the printed URL, and stops on Ctrl-C", async () => {
    // --open runs the platform's opener: here a stand-in xdg-open that records its argument.
    const bin = tempDir("view-bin");
    cleanup.push(bin);
    writeFileSync(join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > "${join(bin, "opened")}"\n`, { mode: 0o755 });
    const child = braidChild(["view", precomputed, "--open"], { PATH: `${bin}:${process.env.PATH}` });
    try {
      const url = await printedUrl(child);
      for (let i = 0; i < 100 && !existsSync(join(bin, "opened")); i++) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(join(bin, "opened"), "utf8")).toBe(url);
      const origin = new URL(url).origin;
      const state = JSON.parse(decodeURIComponent(new URL(url).hash.slice(2)));
      expect(state.layers).toEqual([{ type: "segmentation", source: `precomputed://${origin}/volumes/0`, name: precomputed.split("/").pop() }]);
      // The real shard's DVID box at scale 1 is [30720, 32768) × [24576, 26624) × [28672, 30720).
      const scale1 = state.position.map((p: number) => p / 2);
      expect(scale1.map((p: number, d: number) => p >= [30720, 24576, 28672][d]! && p < [32768, 26624, 30720][d]!)).toEqual([true, true, true]);

      const run = await runViewer(browser, url, "view-precomputed.png");
      console.log(`precomputed: ready in ${run.readyMs} ms, panel colours ${run.panelColours.join(", ")}, ${run.responses.length} responses`);
      expectSegmentation(run, origin, precomputed.split("/").pop()!);
      // neuroglancer's sharded reader fetched shard indexes and chunks by Range.
      const shards = run.responses.filter((r) => r.url.endsWith(".shard") && r.method === "GET" && r.status !== 404);
      expect(shards.length).toBeGreaterThan(2);
      expect(shards.every((r) => r.status === 206 && /^bytes=\d+-\d+$/.test(r.range ?? ""))).toBe(true);

      const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
      let stdout = "";
      child.stdout!.on("data", (s: string) => (stdout += s));
      child.kill("SIGINT");
      expect(await exit).toBe(0);
      expect(stdout).toContain("braid view: stopped (SIGINT)");
      await expect(fetch(`${origin}/`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("shows an OME-Zarr 0.5 labels image (sharded zarr v3, zarr-python) through serveVolume", async () => {
    const server = await serveVolume({ volumes: join(omeZarr, "labels/cells") });
    try {
      const [layer] = server.layers;
      expect(layer).toMatchObject({
        name: "cells",
        type: "segmentation",
        format: "OME-Zarr",
        source: `zarr3://${server.volumeUrl(0)}`,
        dimensions: { z: [8e-9, "m"], y: [8e-9, "m"], x: [8e-9, "m"] },
        // translation / scale + shape / 2
        position: [10 + 48, 20 + 80, 30 + 112],
      });
      const run = await runViewer(browser, server.url, "view-ome-zarr.png");
      console.log(`OME-Zarr: ready in ${run.readyMs} ms, panel colours ${run.panelColours.join(", ")}, ${run.responses.length} responses`);
      expectSegmentation(run, server.origin, "cells");
      // zarr v3 shard indexes sit at the end of each shard: neuroglancer asks for the size
      // (HEAD), then reads the index and the chunks by Range.
      const shards = run.responses.filter((r) => /\/volumes\/0\/[01]\/c\//.test(r.url));
      expect(shards.some((r) => r.method === "HEAD" && r.status === 200)).toBe(true);
      expect(shards.filter((r) => r.method === "GET" && r.status === 206 && /^bytes=\d+-\d+$/.test(r.range ?? "")).length).toBeGreaterThan(2);
      expect(shards.filter((r) => r.method === "GET" && r.status !== 206)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/**
 * Bad input and interrupted runs. Each broken export fails with a typed error naming the file
 * and chunk, the shards it does not touch still come out byte-identical to a clean run, the
 * exit code is non-zero, and no final key ever holds a partial shard. A SIGKILLed export
 * resumed with --only-missing ends byte-identical to an uninterrupted one.
 */
import { cpSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseCsvIndex, parseInfo, ScaleGeometry, type Vec3 } from "braid-seg";
import { freePort } from "../helpers/fake-gcs.js";
import { braid, braidChild, hiddenFiles, jsonSummary, snapshot, tempDir } from "../helpers/export.js";

const cleanup: string[] = [];
let source: string;
let reference: Map<string, string>;
let geometry: ScaleGeometry;
let spec: string;

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  source = tempDir("errors-src");
  cleanup.push(source);
  // 12×12×8 blocks in 18 DVID shards of 4³ blocks.
  expect(braid(["synth", "--dest", source, "--size", "768,768,512", "--shard-blocks", "4", "--seed", "7", "--workers", "2"]).code).toBe(0);
  spec = join(source, "spec.json");
  geometry = new ScaleGeometry(parseInfo(readFileSync(spec)).scales[0]!);
  const dest = tempDir("errors-ref");
  cleanup.push(dest);
  expect(braid(["export", "--source", source, "--dest", dest, "--spec", spec]).code).toBe(0);
  reference = snapshot(dest);
  expect(reference.size).toBe(19);
});

/** A temporary directory removed after the tests. */
function scratch(name: string): string {
  const dir = tempDir(name);
  cleanup.push(dir);
  return dir;
}

/** A private copy of the source to break. */
function copy(): string {
  const dir = tempDir("errors-case");
  cleanup.push(dir);
  cpSync(source, dir, { recursive: true });
  return dir;
}

/** Output shard file of the shard holding block `chunk`. */
const shardOf = (chunk: Vec3) => `8x8x8/${geometry.shardFile(geometry.place([chunk])[0]!.shard)}`;

/** Exports `src` and checks: failure exit, every untouched shard as in the clean run, no temporaries. */
function exportBroken(src: string, lost: string[], extra: string[] = []) {
  const dest = tempDir("errors-out");
  cleanup.push(dest);
  const r = braid(["export", "--source", src, "--dest", dest, "--spec", spec, "--json", ...extra]);
  expect(r.code).toBe(1);
  const summary = jsonSummary(r.stdout);
  expect(summary.ok).toBe(false);
  const got = snapshot(dest);
  for (const key of lost) expect(got.has(key), key).toBe(false);
  for (const [key, sha] of reference) if (!lost.includes(key) && key !== "info") expect(got.get(key), key).toBe(sha);
  expect(hiddenFiles(dest)).toEqual([]);
  return { summary, stderr: r.stderr };
}

function firstRow(src: string, name: string) {
  return parseCsvIndex(readFileSync(join(src, "s0", `${name}.csv`))).rows[0]!;
}

it("truncated Arrow: names file and chunk, the file's shard is not written, the rest are", () => {
  const src = copy();
  const arrow = join(src, "s0", "256_0_0.arrow");
  const rows = parseCsvIndex(readFileSync(join(src, "s0", "256_0_0.csv"))).rows;
  const cut = Math.floor(readFileSync(arrow).byteLength * 0.6);
  truncateSync(arrow, cut);
  const lostRow = rows.find((r) => r.offset! + r.size! > cut)!;
  const { summary } = exportBroken(src, [shardOf([4, 0, 0])]);
  const f = summary.failures.find((x) => x.code === "ARROW_TRUNCATED")!;
  expect(f.file).toContain("256_0_0.arrow");
  expect(f.chunk).toBe(`(${lostRow.chunk.join(",")})`);
  expect(f.message).toContain("past the end");
  expect(summary.shards.written).toBe(17);
  expect(summary.shards.failed).toBe(1);
});

it("corrupt block: names file and chunk; the shard holding it fails atomically", () => {
  const src = copy();
  const arrow = join(src, "s0", "0_256_0.arrow");
  const row = firstRow(src, "0_256_0");
  const bytes = readFileSync(arrow);
  // The block's zstd frame ends just before the 8 bytes of `uncompressed_size`.
  for (let i = row.offset! + row.size! - 120; i < row.offset! + row.size! - 40; i++) bytes[i] = bytes[i]! ^ 0x5a;
  writeFileSync(arrow, bytes);
  const { summary } = exportBroken(src, [shardOf(row.chunk)]);
  const f = summary.failures[0]!;
  expect(["ZSTD_CORRUPT", "DVID_CORRUPT", "DVID_TRUNCATED", "SIZE_MISMATCH", "ARROW_CORRUPT"]).toContain(f.code);
  expect(f.file).toContain("0_256_0.arrow");
  expect(f.chunk).toBe(`(${row.chunk.join(",")})`);
  expect(summary.shards).toMatchObject({ written: 17, failed: 1 });
});

it("missing CSV: names the index file; every other shard is written", () => {
  const src = copy();
  unlinkSync(join(src, "s0", "0_0_256.csv"));
  const { summary } = exportBroken(src, [shardOf([0, 0, 4])]);
  expect(summary.failures).toHaveLength(1);
  expect(summary.failures[0]).toMatchObject({ code: "MISSING_INDEX" });
  expect(summary.failures[0]!.file).toContain("0_0_256.csv");
  expect(summary.shards.written).toBe(17);
});

it("spec mismatch: blocks outside the spec's grid name file and chunk; a wrong chunk size is refused", () => {
  const small = JSON.parse(readFileSync(spec, "utf8"));
  small.scales[0].size = [600, 768, 512]; // grid x 10: blocks x = 10, 11 are outside
  const smallSpec = join(tempDir("errors-spec"), "spec.json");
  cleanup.push(join(smallSpec, ".."));
  writeFileSync(smallSpec, JSON.stringify(small));
  const dest = tempDir("errors-out");
  cleanup.push(dest);
  const r = braid(["export", "--source", source, "--dest", dest, "--spec", smallSpec, "--json"]);
  expect(r.code).toBe(1);
  const summary = jsonSummary(r.stdout);
  const outside = summary.failures.filter((f) => f.code === "CHUNK_OUTSIDE_GRID");
  // The DVID shards with x origin 512 hold blocks x = 8..11.
  expect(outside.map((f) => f.file!.replace(/.*\//, "")).sort()).toEqual(["512_0_0.arrow", "512_0_256.arrow", "512_256_0.arrow", "512_256_256.arrow", "512_512_0.arrow", "512_512_256.arrow"]);
  for (const f of outside) {
    expect(f.chunk).toMatch(/^\(1[01],\d+,\d+\)$/);
    expect(f.message).toContain("outside the 10×12×8 chunk grid");
  }
  expect(summary.shards.written).toBe(12);
  expect(snapshot(dest).size).toBe(13);

  const wrong = JSON.parse(readFileSync(spec, "utf8"));
  wrong.scales[0].chunk_sizes = [[32, 32, 32]];
  wrong.scales[0].sharding.shard_bits += 3;
  writeFileSync(smallSpec, JSON.stringify(wrong));
  const w = braid(["export", "--source", source, "--dest", scratch("errors-out"), "--spec", smallSpec, "--scales", "0"]);
  expect(w.code).toBe(1);
  expect(w.stderr).toContain("CHUNK_SIZE_UNSUPPORTED");
  expect(w.stderr).toContain("must be 64³");
});

it("unreachable bucket: a clear UNREACHABLE error", async () => {
  const port = await freePort();
  const t0 = performance.now();
  const r = braid(["export", "--source", "gs://no-such-bucket/export", "--dest", scratch("errors-out"), "--spec", spec], {
    STORAGE_EMULATOR_HOST: `127.0.0.1:${port}`,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/\[UNREACHABLE\].*gs:\/\/no-such-bucket\/export/);
  expect(performance.now() - t0).toBeLessThan(60_000);
});

it("SIGKILL mid-run, then --only-missing: byte-identical to an uninterrupted run", async () => {
  const flags = ["--source", source, "--spec", spec, "--gzip-level", "9", "--workers", "1"];
  const clean = tempDir("kill-clean");
  const dest = tempDir("kill");
  cleanup.push(clean, dest);
  expect(braid(["export", "--dest", clean, ...flags]).code).toBe(0);
  const expected = snapshot(clean);

  const child = braidChild(["export", "--dest", dest, ...flags]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const shardDir = join(dest, "8x8x8");
  const shards = () => (existsSync(shardDir) ? readdirSync(shardDir).filter((n) => n.endsWith(".shard")).length : 0);
  while (shards() < 3) {
    await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode, "the export finished before it could be killed").toBeNull();
  }
  child.kill("SIGKILL");
  await exited;
  const partial = snapshot(dest);
  expect(partial.size).toBeGreaterThan(3);
  expect(partial.size).toBeLessThan(expected.size);
  // Whatever is at a final key is complete.
  for (const [key, sha] of partial) expect(sha, key).toBe(expected.get(key));

  const resumed = braid(["export", "--dest", dest, "--only-missing", "--json", ...flags]);
  expect(resumed.code).toBe(0);
  const summary = jsonSummary(resumed.stdout);
  expect(summary.shards.skipped).toBeGreaterThanOrEqual(3);
  expect(summary.shards.skipped + summary.shards.written).toBe(18);
  expect(snapshot(dest)).toEqual(expected);
});

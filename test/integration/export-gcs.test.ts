/**
 * gs:// source and destination against fake-gcs-server: synth into a bucket, export bucket to
 * bucket on worker threads, verify, and compare with the same export written locally; the real
 * shard with its legacy index (stream scanned by range reads) exports from a bucket too.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStorage } from "braid-seg";
import { startFakeGcs, type FakeGcs } from "../helpers/fake-gcs.js";
import { braid, MCNS_SPEC, REAL_NAME, realSource, snapshot, storageSnapshot, tempDir } from "../helpers/export.js";

let gcs: FakeGcs;
let env: NodeJS.ProcessEnv;
const cleanup: string[] = [];

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket("src");
  await gcs.createBucket("dst");
  env = { STORAGE_EMULATOR_HOST: gcs.host };
});

afterAll(async () => {
  await gcs?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function bucketSnapshot(url: string): Promise<Map<string, string>> {
  return openStorage(url, { gcs: { apiEndpoint: gcs.url } }).then(storageSnapshot);
}

it("exports gs:// to gs:// on worker threads, verifies, and matches a local export byte for byte", async () => {
  const synth = braid(["synth", "--dest", "gs://src/export", "--size", "320,256,200", "--shard-blocks", "2", "--seed", "11"], env);
  expect(synth.code).toBe(0);
  const r = braid(
    ["export", "--source", "gs://src/export", "--dest", "gs://dst/vol", "--spec", "gs://src/export/spec.json", "--workers", "2", "--json"],
    env,
  );
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout);
  // 5×4×4 blocks in 2³-block shards.
  expect(summary.shards.written).toBe(12);
  expect(summary.bytesIn).toBeGreaterThan(0);

  const v = braid(["verify", "--source", "gs://src/export", "--dest", "gs://dst/vol", "--values", "8"], env);
  expect(v.stdout).toContain("verify passed");
  expect(v.code).toBe(0);

  const local = tempDir("gcs-local");
  cleanup.push(local);
  expect(braid(["export", "--source", "gs://src/export", "--dest", local, "--spec", "gs://src/export/spec.json", "--workers", "0"], env).code).toBe(0);
  expect(await bucketSnapshot("gs://dst/vol")).toEqual(snapshot(local));
});

it("reads the real shard's legacy index from a bucket by ranged scans of the stream", async () => {
  const storage = await openStorage("gs://src/real", { gcs: { apiEndpoint: gcs.url } });
  const dir = realSource("legacy");
  cleanup.push(dir);
  for (const ext of ["arrow", "csv"]) {
    await storage.write(`s1/${REAL_NAME}.${ext}`, readFileSync(join(dir, "s1", `${REAL_NAME}.${ext}`)));
  }
  const fromBucket = tempDir("gcs-real");
  const fromDisk = tempDir("gcs-real-disk");
  cleanup.push(fromBucket, fromDisk);
  expect(braid(["export", "--source", "gs://src/real", "--dest", fromBucket, "--spec", MCNS_SPEC, "--workers", "1"], env).code).toBe(0);
  expect(braid(["export", "--source", dir, "--dest", fromDisk, "--spec", MCNS_SPEC, "--workers", "0"]).code).toBe(0);
  expect(snapshot(fromBucket)).toEqual(snapshot(fromDisk));
  expect(snapshot(fromBucket).has("16x16x16/0fe9.shard")).toBe(true);
});

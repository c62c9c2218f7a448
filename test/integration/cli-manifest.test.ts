/**
 * `braid manifest` + `braid worker` as an array job: K=3 worker processes (two told their
 * index by Cloud Run's variables, one by Kubernetes' JOB_COMPLETION_INDEX) produce exactly the
 * files a single `braid export` produces; retries are harmless. The same for a pyramid: a
 * downres manifest run stage by stage equals one `braid downres`.
 */
import { cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DownresManifest, Manifest } from "braid-seg";
import { braid, braidChild, exited, snapshot, tempDir } from "../helpers/export.js";

const cleanup: string[] = [];
let source: string;
let single: string;
let manifestPath: string;

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  source = tempDir("manifest-src");
  single = tempDir("manifest-single");
  cleanup.push(source, single);
  expect(braid(["synth", "--dest", source, "--size", "384,320,250", "--shard-blocks", "2", "--seed", "5", "--workers", "2"]).code).toBe(0);
  const r = braid(["export", "--source", source, "--dest", single, "--spec", join(source, "spec.json"), "--workers", "2"]);
  expect(r.code).toBe(0);
  const dir = tempDir("manifest");
  cleanup.push(dir);
  manifestPath = join(dir, "manifest.json");
});

it("splits the work into K tasks balanced by source bytes, with memory estimates", () => {
  const dest = tempDir("manifest-dest");
  cleanup.push(dest);
  const r = braid(["manifest", "--source", source, "--dest", dest, "--spec", join(source, "spec.json"), "--tasks", "3", "--out", manifestPath]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain("manifest: 3 tasks, 18 shards");
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  expect(m.tasks).toHaveLength(3);
  const shards = m.tasks.flatMap((t) => t.units.flatMap((u) => u.shards));
  expect(new Set(shards).size).toBe(18);
  expect(shards).toHaveLength(18);
  const bytes = m.tasks.map((t) => t.sourceBytes);
  const largestUnit = Math.max(...m.tasks.flatMap((t) => t.units.map((u) => u.sourceBytes)));
  // Greedy largest-first: no task exceeds another by more than one unit.
  expect(Math.max(...bytes) - Math.min(...bytes)).toBeLessThanOrEqual(largestUnit);
  for (const t of m.tasks) expect(t.peakMiB).toBeGreaterThan(t.peakMiBPerWorker);
  expect(m.memoryFormula).toMatch(/workers ×/);
  // Nothing at the destination yet: workers create it.
  expect(snapshot(dest).size).toBe(0);
});

it("three worker processes produce byte-identical output to one export; retries skip", async () => {
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const dest = m.dest;
  const env = (index: number): NodeJS.ProcessEnv =>
    index < 2 ? { CLOUD_RUN_TASK_INDEX: String(index), CLOUD_RUN_TASK_COUNT: "3" } : { JOB_COMPLETION_INDEX: String(index) };
  const runs = await Promise.all([0, 1, 2].map((i) => exited(braidChild(["worker", "--manifest", manifestPath, "--workers", "1"], env(i)))));
  for (const [i, r] of runs.entries()) {
    expect(r.stderr, `task ${i}`).not.toMatch(/error/i);
    expect(r.code, `task ${i}`).toBe(0);
    expect(r.stdout).toContain(`task ${i} of 3 finished`);
  }
  expect(snapshot(dest)).toEqual(snapshot(single));

  const retry = braid(["worker", "--manifest", manifestPath, "--task-index", "1", "--workers", "0"]);
  expect(retry.code).toBe(0);
  expect(retry.stdout).toMatch(/0 written, \d+ skipped/);
  expect(snapshot(dest)).toEqual(snapshot(single));
});

it("refuses a task count that does not match the manifest", () => {
  const r = braid(["worker", "--manifest", manifestPath], { CLOUD_RUN_TASK_INDEX: "0", CLOUD_RUN_TASK_COUNT: "4" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("TASK_COUNT_MISMATCH");
  const none = braid(["worker", "--manifest", manifestPath], { CLOUD_RUN_TASK_INDEX: "", JOB_COMPLETION_INDEX: "", AWS_BATCH_JOB_ARRAY_INDEX: "" });
  expect(none.code).toBe(1);
  expect(none.stderr).toContain("no task index");
});

it("a downres manifest run stage by stage on K=3 workers builds the pyramid braid downres builds", async () => {
  const reference = tempDir("manifest-downres-ref");
  const dest = tempDir("manifest-downres");
  const dir = tempDir("manifest-downres-plan");
  cleanup.push(reference, dest, dir);
  cpSync(single, reference, { recursive: true });
  cpSync(single, dest, { recursive: true });
  expect(braid(["downres", "--dest", reference, "--scales", "1-2", "--workers", "1"]).code).toBe(0);
  const built = [...snapshot(reference).keys()].filter((k) => !snapshot(single).has(k));
  expect(built.length).toBeGreaterThanOrEqual(3); // shards of scales 1 and 2

  const path = join(dir, "downres.json");
  const planned = braid(["manifest", "--dest", dest, "--downres", "1-2", "--tasks", "3", "--out", path]);
  expect(planned.code, planned.stderr).toBe(0);
  expect(planned.stderr).toContain("downres manifest: scales 1,2, 3 tasks per scale");
  const m = JSON.parse(readFileSync(path, "utf8")) as DownresManifest;
  expect(m.stages.map((s) => s.scale)).toEqual([1, 2]);
  for (const s of m.stages) {
    expect(s.tasks).toHaveLength(3);
    const shards = s.tasks.flatMap((t) => t.units.map((u) => u.shard));
    expect(new Set(shards).size).toBe(s.units);
    expect(shards).toHaveLength(s.units);
    for (const t of s.tasks) for (const u of t.units) expect(u.onlyMissing).toBe(true);
  }
  // Scale 2 has fewer shards than tasks: the idle tasks must still succeed.
  expect(m.stages[1]!.units).toBeLessThan(3);

  const unscaled = braid(["worker", "--manifest", path, "--task-index", "0"]);
  expect(unscaled.code).toBe(1);
  expect(unscaled.stderr).toContain("pass --scale");

  for (const scale of [1, 2]) {
    const runs = await Promise.all(
      [0, 1, 2].map((i) => exited(braidChild(["worker", "--manifest", path, "--scale", String(scale), "--workers", "1"], { JOB_COMPLETION_INDEX: String(i) }))),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.code, `scale ${scale} task ${i}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`scale ${scale} task ${i} of 3:`);
      expect(r.stdout).toMatch(/downres done: /);
    }
  }
  expect(snapshot(dest)).toEqual(snapshot(reference));

  const retry = braid(["worker", "--manifest", path, "--scale", "1", "--task-index", "0", "--workers", "0"]);
  expect(retry.code).toBe(0);
  expect(retry.stdout).toMatch(/\((\d+) skipped, 0 failed\)/);
  expect(retry.stdout).toMatch(/ 0 chunks /);
  expect(snapshot(dest)).toEqual(snapshot(reference));
});

/**
 * kill -9 of `braid export` and of `braid downres` on local disk at seeded points (a number of
 * shards committed, then a few milliseconds more: reading, transcoding, mid-shard or between
 * shards), then a rerun with --only-missing. Whatever the kill left at a final key is
 * complete; the rerun ends byte-identical to an uninterrupted run (the same code and gzip
 * level wrote both, so identical compressed bytes, not only after decompression), and no
 * `.braid-tmp` file remains on disk (ts/storage/local-temp.ts: the rerun removes the killed
 * writer's temporaries at once). Each seed is in its test's name.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, watch } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rng } from "../helpers/data.js";
import { braid, braidChild, cycledExport, exited, hiddenFiles, snapshot, tempDir } from "../helpers/export.js";

const cleanup: string[] = [];
let source: string;
let exportedDir: string;
let cleanExport: Map<string, string>;
let clean: Map<string, string>;
/** Directories of the scales (`s0`, `16_16_16`, …). */
let scaleDirs: string[];

const scratch = (name: string) => {
  const dir = tempDir(name);
  cleanup.push(dir);
  return dir;
};

const exportArgs = (dest: string) => ["export", "--source", source, "--dest", dest, "--spec", join(source, "spec.json"), "--workers", "2"];
const downresArgs = (dest: string) => ["downres", "--dest", dest, "--scales", "1,2", "--workers", "2"];

beforeAll(async () => {
  source = scratch("kill-src");
  // 8³ blocks in 64 DVID files: 64 shards at scale 0, 8 at scale 1, 1 at scale 2.
  await cycledExport(source, 8, 2, 64);
  exportedDir = scratch("kill-exported");
  expect(braid(exportArgs(exportedDir)).code).toBe(0);
  cleanExport = snapshot(exportedDir);
  const full = scratch("kill-clean");
  cpSync(exportedDir, full, { recursive: true });
  expect(braid(downresArgs(full)).code).toBe(0);
  clean = snapshot(full);
  const shards = [...clean.keys()].filter((k) => k.endsWith(".shard"));
  expect(shards).toHaveLength(73);
  scaleDirs = [...new Set(shards.map((k) => k.split("/")[0]!))];
}, 120_000);

afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

/** Committed shards under `dir` (hidden temporaries excluded). */
function committed(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const scale of readdirSync(dir, { withFileTypes: true })) {
    if (scale.isDirectory()) n += readdirSync(join(dir, scale.name)).filter((f) => f.endsWith(".shard") && !f.startsWith(".")).length;
  }
  return n;
}

interface KillPoint {
  /** Shards the run commits first. */
  shards: number;
  /** Then: kill as the next temporary file appears (mid-write), or `ms` later. */
  midWrite: boolean;
  ms: number;
}

/** The kill point of `seed`, after at most `maxShards` shards. */
function killPoint(seed: number, maxShards: number): KillPoint {
  const next = rng(BigInt(seed) * 0x9e3779b97f4a7c15n);
  const r = () => Number(next() % 10_000n) / 10_000;
  return { shards: Math.floor(r() * (maxShards + 1)), midWrite: r() < 0.5, ms: Math.floor(r() * 20) };
}

/** Runs `args` and SIGKILLs it at `point`; returns how it ended. */
async function killedRun(args: string[], dest: string, point: KillPoint) {
  const base = committed(dest);
  const child = braidChild(args);
  const end = exited(child);
  let armed = false;
  const kill = () => child.kill("SIGKILL");
  // Temporaries live for milliseconds: inotify (fs.watch) sees them appear, polling would not.
  // The scale directories are made up front, so no watch has to be added while the run goes.
  const dirs = [dest, ...scaleDirs.map((d) => join(dest, d))];
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const watchers = dirs.map((d) =>
    watch(d, (_event, name) => {
      if (armed && point.midWrite && String(name).includes(".braid-tmp-")) kill();
    }),
  );
  const poll = setInterval(() => {
    if (committed(dest) - base < point.shards) return;
    clearInterval(poll);
    armed = true;
    if (!point.midWrite) setTimeout(kill, point.ms);
  }, 2);
  const result = await end;
  clearInterval(poll);
  for (const w of watchers) w.close();
  return result;
}

/** After the kill: finished keys complete; after the rerun: identical to `want`, no temporaries. */
async function expectResumed(dest: string, args: string[], want: Map<string, string>, states: Array<Map<string, string>>) {
  for (const [key, sha] of snapshot(dest)) expect(states.map((s) => s.get(key)), key).toContain(sha);
  const resumed = braid([...args, "--only-missing"]);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(snapshot(dest)).toEqual(want);
  expect(hiddenFiles(dest)).toEqual([]);
}

it.each([2, 6, 11])("export killed at a seeded point (seed %i), resumed with --only-missing: identical, no temporaries", async (seed) => {
  const dest = scratch("kill-export");
  const point = killPoint(seed, 48);
  const end = await killedRun(exportArgs(dest), dest, point);
  expect(end.signal, `finished before the kill at ${JSON.stringify(point)}: ${end.stderr}`).toBe("SIGKILL");
  await expectResumed(dest, exportArgs(dest), cleanExport, [cleanExport]);
}, 60_000);

it.each([3, 8, 16])("downres killed at a seeded point (seed %i), resumed with --only-missing: identical, no temporaries", async (seed) => {
  const dest = scratch("kill-downres");
  cpSync(exportedDir, dest, { recursive: true });
  const point = killPoint(seed, 6);
  const end = await killedRun(downresArgs(dest), dest, point);
  expect(end.signal, `finished before the kill at ${JSON.stringify(point)}: ${end.stderr}`).toBe("SIGKILL");
  // info: as exported, or already listing the new scales.
  await expectResumed(dest, downresArgs(dest), clean, [cleanExport, clean]);
}, 60_000);

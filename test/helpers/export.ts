/**
 * Helpers for the export tests: the built `braid` CLI as a child process, temporary export
 * fixtures (the real DVID shard, synthetic exports), and byte-level snapshots of output trees.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Storage } from "braid-seg";
import { dvidData, repoRoot } from "./data.js";
import { tempDir } from "./temp.js";

export { tempDir };

export const CLI = join(repoRoot, "dist/cli/bin.js");
export const REAL_NAME = "30720_24576_28672";
export const MCNS_SPEC = dvidData("mcns-export-specs.json");

/** The CLI is run from `dist/` (worker threads need the compiled package anyway). */
export function requireBuilt(): void {
  for (const f of [CLI, join(repoRoot, "dist/jobs/thread.js")]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run pnpm run build:ts before the integration tests`);
  }
}

/** The fields of `braid export --json`'s summary the benches read. */
export interface ExportSummary {
  blocks: number;
  seconds: number;
  cpuSeconds: number;
  blocksPerSecond: number;
  peakRssMiB: number;
  shards: { written: number };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `braid <args>` to completion. */
export function braid(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repoRoot): CliResult {
  requireBuilt();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 26,
    timeout: 170_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `braid <args>` without waiting (for kill tests). */
export function braidChild(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  requireBuilt();
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** How a {@link braidChild} ended, with everything it printed. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr, stdout })));
}


/** A source directory holding the real shard as `s1/…` with the chosen CSV variant. */
export function realSource(csv: "newformat" | "offsets" | "legacy" = "newformat"): string {
  const dir = tempDir("real");
  mkdirSync(join(dir, "s1"));
  copyFileSync(dvidData(`${REAL_NAME}.arrow`), join(dir, "s1", `${REAL_NAME}.arrow`));
  const from = csv === "legacy" ? `${REAL_NAME}.csv` : `${REAL_NAME}-${csv}.csv`;
  copyFileSync(dvidData(from), join(dir, "s1", `${REAL_NAME}.csv`));
  return dir;
}

/** Every file under `dir` except hidden ones (in-progress temporaries), as path → sha256. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith(".")) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

/** Every key `storage` lists, as key → sha256 of its bytes (the {@link snapshot} of any backend). */
export async function storageSnapshot(storage: Storage): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const key of storage.list("")) out.set(key, createHash("sha256").update((await storage.read(key))!).digest("hex"));
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Hidden temporaries left under `dir` (by a killed writer). */
export function hiddenFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.startsWith(".")) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Parses the JSON summary printed by `braid export --json`. */
export function jsonSummary(stdout: string): {
  ok: boolean;
  shards: { written: number; skipped: number; empty: number; failed: number };
  chunks: number;
  failures: Array<{ code: string; message: string; file?: string; chunk?: string; shard?: string; scale: number }>;
} {
  return JSON.parse(stdout);
}

/**
 * An export of n³ blocks in DVID shards of `shardBlocks`³ made in seconds: `pool` distinct
 * synthetic blocks (default generator parameters) cycled over the cube in a shuffled order,
 * for measurements where generating every block would dominate.
 */
export async function cycledExport(dir: string, n: number, shardBlocks = n, pool = 512): Promise<void> {
  const { ExportShardWriter, parseInfo, synthDvidRecord } = await import("braid-seg");
  const { closeSync, openSync, writeSync, writeFileSync } = await import("node:fs");
  mkdirSync(join(dir, "s0"), { recursive: true });
  const side = Math.ceil(Math.cbrt(pool));
  const blocks = Array.from({ length: pool }, (_, i) => synthDvidRecord([i % side, Math.floor(i / side) % side, Math.floor(i / side / side)], { seed: 1 }));
  let s = 7;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let k = 0;
  for (let bz = 0; bz < n; bz += shardBlocks)
    for (let by = 0; by < n; by += shardBlocks)
      for (let bx = 0; bx < n; bx += shardBlocks) {
        const cells: Array<[number, number, number]> = [];
        for (let z = bz; z < bz + shardBlocks; z++) for (let y = by; y < by + shardBlocks; y++) for (let x = bx; x < bx + shardBlocks; x++) cells.push([x, y, z]);
        for (let i = cells.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [cells[i], cells[j]] = [cells[j]!, cells[i]!];
        }
        const name = [bx, by, bz].map((c) => c * 64).join("_");
        const writer = new ExportShardWriter();
        const fd = openSync(join(dir, "s0", `${name}.arrow`), "w");
        for (const chunk of cells) writeSync(fd, writer.append({ chunk, ...blocks[k++ % pool]! }));
        const { tail, csv } = writer.finish();
        writeSync(fd, tail);
        closeSync(fd);
        writeFileSync(join(dir, "s0", `${name}.csv`), csv);
      }
  const within = 3 * Math.log2(shardBlocks);
  const total = 3 * Math.log2(n);
  const spec = parseInfo({
    type: "segmentation",
    data_type: "uint64",
    num_channels: 1,
    scales: [
      {
        key: "s0",
        size: [n * 64, n * 64, n * 64],
        resolution: [8, 8, 8],
        chunk_sizes: [[64, 64, 64]],
        encoding: "compressed_segmentation",
        compressed_segmentation_block_size: [8, 8, 8],
        sharding: {
          "@type": "neuroglancer_uint64_sharded_v1",
          hash: "identity",
          preshift_bits: Math.min(9, within),
          minishard_bits: within - Math.min(9, within),
          shard_bits: total - within,
          minishard_index_encoding: "gzip",
          data_encoding: "gzip",
        },
      },
    ],
  });
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
}

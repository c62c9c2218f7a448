/**
 * The worker pool really uses threads: it starts them under any way of launching Node, and a
 * thread that cannot start fails the tasks it would have run instead of leaving them to a
 * silent single-core fallback.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { forEachConcurrent } from "../../ts/volume/concurrency.js";
import { nativeBackend } from "../../ts/backend/node.js";
import { runPool } from "../../ts/pipeline/pool.js";
import { workerExecArgv } from "../../ts/pipeline/worker-argv.js";
import { requireBuilt } from "../helpers/export.js";
import { repoRoot } from "../helpers/data.js";
import { tempDir } from "../helpers/temp.js";

const dir = tempDir("pool");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A downres task that fails fast wherever it runs: its volume does not exist. */
const missing = (i: number) => ({ dest: pathToFileURL(join(dir, `none-${i}`)).href, scale: 1, shard: "0" });

describe("worker pool", () => {
  it("drops entry-only flags from the flags worker threads inherit", () => {
    expect(workerExecArgv(["--input-type=module", "-e", "code", "--max-old-space-size=4096"])).toEqual(["--max-old-space-size=4096"]);
    expect(workerExecArgv(["--input-type", "module", "--eval=x", "-p", "1+1", "--enable-source-maps"])).toEqual(["--enable-source-maps"]);
    expect(workerExecArgv(["-i", "--cpu-prof", "--cpu-prof-dir", "/tmp/p"])).toEqual(["--cpu-prof", "--cpu-prof-dir", "/tmp/p"]);
  });

  it("runs tasks on worker threads when Node was started with --input-type=module -e", () => {
    requireBuilt();
    const dist = (p: string) => JSON.stringify(pathToFileURL(join(repoRoot, "dist", p)).href);
    // A thread entry whose tasks take a while, so that both threads get some whatever the
    // load on the machine (tasks that fail at once can all go to the thread that started first).
    const entry = join(dir, "sleepy-worker.mjs");
    writeFileSync(
      entry,
      `import { nativeBackend } from ${dist("backend/node.js")};
       import { registerTask } from ${dist("pipeline/tasks.js")};
       import { serveTasks } from ${dist("pipeline/worker.js")};
       registerTask("sleep", async (ms, ctx) => { await new Promise((r) => setTimeout(r, ms)); return ctx.worker; });
       serveTasks(nativeBackend());\n`,
    );
    const script = `
      import { nativeBackend } from ${dist("backend/node.js")};
      import { runPool } from ${dist("pipeline/pool.js")};
      const entry = new URL(${JSON.stringify(pathToFileURL(entry).href)});
      const outcomes = await runPool("sleep", JSON.parse(process.argv[1]), { workers: 2, backend: nativeBackend(), entry });
      console.log(JSON.stringify(outcomes.map((o) => ({ worker: o.worker, output: o.output, code: o.error?.code }))));
    `;
    const inputs = JSON.stringify([300, 300, 300, 300, 300, 300]);
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script, inputs], { encoding: "utf8" });
    const outcomes = JSON.parse(stdout.trim().split("\n").at(-1)!) as { worker?: number; output?: number; code?: string }[];
    expect(outcomes).toHaveLength(6);
    // Each task ran in a thread (it reports the thread it ran on), and both threads worked.
    expect(outcomes.every((o) => o.worker !== undefined && o.output === o.worker && o.code === undefined)).toBe(true);
    expect(new Set(outcomes.map((o) => o.worker))).toEqual(new Set([0, 1]));
  });

  it("runs the jobs' own thread entry under --input-type=module -e too", () => {
    requireBuilt();
    const script = `
      import { nativeBackend } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/backend/node.js")).href)};
      import { runTasks } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/jobs/run-tasks.js")).href)};
      const outcomes = await runTasks("downres", JSON.parse(process.argv[1]), { workers: 2, backend: nativeBackend() });
      console.log(JSON.stringify(outcomes.map((o) => ({ worker: o.worker, code: o.error?.code }))));
    `;
    const inputs = JSON.stringify([0, 1, 2, 3].map(missing));
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script, inputs], { encoding: "utf8" });
    const outcomes = JSON.parse(stdout.trim().split("\n").at(-1)!) as { worker?: number; code?: string }[];
    expect(outcomes).toHaveLength(4);
    // Each task ran (and failed on its missing volume) in a thread.
    expect(outcomes.every((o) => o.worker !== undefined && o.code === "NOT_FOUND")).toBe(true);
  });

  it("fails every task with WORKER_START_FAILED when no thread can start, running none in-process", async () => {
    const entry = join(dir, "broken-worker.mjs");
    writeFileSync(entry, `throw new Error("cannot load the addon");\n`);
    const ends: unknown[] = [];
    const outcomes = await runPool("downres", [0, 1, 2].map(missing), {
      workers: 2,
      backend: nativeBackend(),
      entry: pathToFileURL(entry),
      onTaskEnd: (o) => ends.push(o.input),
    });
    expect(outcomes).toHaveLength(3);
    expect(ends).toHaveLength(3);
    for (const o of outcomes) {
      expect(o.ok).toBe(false);
      expect(o.worker).toBeUndefined();
      expect(o.error?.code).toBe("WORKER_START_FAILED");
      expect(o.error?.message).toMatch(/worker thread \d failed to start: cannot load the addon/);
    }
  });
});

describe("bounded concurrency", () => {
  it("runs every item once with at most `limit` in flight, and at least one whatever the limit", async () => {
    for (const limit of [0, Number.NaN, 1, 3, 100]) {
      const seen: number[] = [];
      let inFlight = 0;
      let peak = 0;
      await forEachConcurrent([5, 6, 7, 8, 9], limit, async (item, i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        seen[i] = item;
        inFlight--;
      });
      expect(seen, `limit ${limit}`).toEqual([5, 6, 7, 8, 9]);
      expect(peak, `limit ${limit}`).toBe(limit >= 1 ? Math.min(limit, 5) : 1);
    }
  });
});

/**
 * Runs tasks on all cores: `workers` threads, each with its own instance of the pool's
 * backend, pulling the next task when done (so uneven tasks balance themselves). `workers: 0`
 * runs in-process, one task at a time. A failed task is reported and the others continue.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Backend } from "../backend/backend.js";
import { BraidError, fromBackendError } from "../errors.js";
import { workerExecArgv } from "./worker-argv.js";
import type { SerializedError, TaskMessage, WorkerData, WorkerMessage } from "./protocol.js";
import { taskHandler, type ProgressDelta } from "./tasks.js";

export interface TaskOutcome<I, O> {
  input: I;
  ok: boolean;
  output?: O;
  error?: BraidError;
  seconds: number;
  /** Index of the worker thread that ran the task; absent when it ran in-process. */
  worker?: number;
}

export interface PoolOptions {
  /** Worker threads; 0 runs in-process. */
  workers: number;
  /** What tasks run on; each worker thread loads its own instance of it (by name). */
  backend: Backend;
  /**
   * The worker thread's entry module: it registers the task kinds and calls `serveTasks`
   * (jobs/thread.ts; tests substitute their own).
   */
  entry: URL;
  onProgress?(delta: ProgressDelta): void;
  /** Called as each task ends, in completion order. */
  onTaskEnd?(outcome: TaskOutcome<unknown, unknown>): void;
}

/**
 * The compiled module a worker thread can load for `url`: itself when it exists (a compiled
 * package), else the built `dist/` copy of a module under `ts/` (running from sources: tests).
 */
export function compiledModuleUrl(url: URL): URL {
  if (url.protocol !== "file:") return url;
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const built = path.replace(/^(.*)[\\/]ts[\\/](.*)\.[jt]s$/, "$1/dist/$2.js");
  if (built === path || !existsSync(built)) {
    throw new BraidError("BACKEND_UNAVAILABLE", `worker threads need the compiled package (${built}): run pnpm build:ts`);
  }
  return pathToFileURL(built);
}

function revive(e: SerializedError): BraidError {
  return new BraidError(e.code, e.message, {
    ...(e.file === undefined ? {} : { file: e.file }),
    ...(e.chunk === undefined ? {} : { chunk: e.chunk }),
  });
}

export async function runPool<I, O>(kind: string, inputs: readonly I[], options: PoolOptions): Promise<TaskOutcome<I, O>[]> {
  const outcomes: TaskOutcome<I, O>[] = [];
  const end = (o: TaskOutcome<I, O>) => {
    outcomes.push(o);
    options.onTaskEnd?.(o as TaskOutcome<unknown, unknown>);
  };
  if (options.workers <= 0) {
    const handler = taskHandler(kind);
    for (const input of inputs) {
      const t0 = performance.now();
      try {
        const ctx = { backend: options.backend, worker: 0, progress: (d: ProgressDelta) => options.onProgress?.(d) };
        const output = (await handler(input, ctx)) as O;
        end({ input, ok: true, output, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        end({ input, ok: false, error: fromBackendError(e), seconds: (performance.now() - t0) / 1000 });
      }
    }
    return outcomes;
  }
  const url = compiledModuleUrl(options.entry);
  const execArgv = workerExecArgv(process.execArgv);
  let next = 0;
  // Why a worker thread could not start, if one could not: tasks no thread reached then fail
  // with it rather than quietly running on a single core.
  let startFailure: BraidError | undefined;
  const count = Math.min(options.workers, inputs.length);
  await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const worker = new Worker(url, { workerData: { index, backend: options.backend.name } satisfies WorkerData, execArgv });
      return new Promise<void>((resolveWorker) => {
        let started = false;
        let current: { id: number; input: I; t0: number } | undefined;
        const dispatch = () => {
          if (next >= inputs.length) {
            current = undefined;
            void worker.terminate().then(() => resolveWorker());
            return;
          }
          const id = next++;
          current = { id, input: inputs[id]!, t0: performance.now() };
          worker.postMessage({ id, kind, input: current.input } satisfies TaskMessage);
        };
        worker.on("message", (msg: WorkerMessage) => {
          if (msg.type === "ready") {
            started = true;
            return dispatch();
          }
          if (msg.type === "progress") return options.onProgress?.(msg.delta);
          const c = current!;
          const seconds = (performance.now() - c.t0) / 1000;
          if (msg.type === "done") end({ input: c.input, ok: true, output: msg.output as O, seconds, worker: index });
          else end({ input: c.input, ok: false, error: revive(msg.error), seconds, worker: index });
          dispatch();
        });
        worker.on("error", (e) => {
          if (!started) {
            startFailure ??= new BraidError("WORKER_START_FAILED", `worker thread ${index} failed to start: ${e.message}`, { cause: e });
          }
          // A crashed thread fails its task; the remaining tasks go to the other workers.
          if (current) {
            const error = new BraidError("WORKER_CRASHED", `worker thread ${index} crashed: ${e.message}`, { cause: e });
            end({ input: current.input, ok: false, error, seconds: 0, worker: index });
          }
          current = undefined;
          resolveWorker();
        });
        worker.on("exit", (code) => {
          if (!started) startFailure ??= new BraidError("WORKER_START_FAILED", `worker thread ${index} exited with code ${code} before it was ready`);
          if (current) {
            end({
              input: current.input,
              ok: false,
              error: new BraidError("WORKER_CRASHED", `worker ${index} exited with code ${code}`),
              seconds: 0,
              worker: index,
            });
          }
          resolveWorker();
        });
      });
    }),
  );
  // Tasks left behind by a thread that crashed mid-run go to whoever is left, in-process if
  // no one is; if threads cannot start at all, running them here would hide a broken setup.
  const done = new Set(outcomes.map((o) => o.input));
  const leftover = inputs.filter((i) => !done.has(i));
  if (leftover.length > 0 && startFailure) {
    for (const input of leftover) end({ input, ok: false, error: startFailure, seconds: 0 });
  } else if (leftover.length > 0) {
    outcomes.push(...(await runPool<I, O>(kind, leftover, { ...options, workers: 0 })));
  }
  return outcomes;
}

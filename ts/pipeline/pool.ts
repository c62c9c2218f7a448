/**
 * Runs tasks on all cores: `workers` threads, each with its own backend instance, pulling
 * the next task when done (so uneven tasks balance themselves). `workers: 0` runs in-process,
 * one task at a time. A failed task is reported and the others continue.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BraidError, fromBackendError } from "../errors.js";
import type { SerializedError, TaskMessage, WorkerMessage } from "./protocol.js";
import { taskHandler, type ProgressDelta } from "./tasks.js";

export interface TaskOutcome<I, O> {
  input: I;
  ok: boolean;
  output?: O;
  error?: BraidError;
  seconds: number;
}

export interface PoolOptions {
  /** Worker threads; 0 runs in-process. */
  workers: number;
  onProgress?(delta: ProgressDelta): void;
  /** Called as each task ends, in completion order. */
  onTaskEnd?(outcome: TaskOutcome<unknown, unknown>): void;
}

/** The compiled worker entry; from TypeScript sources (tests) the built `dist/` copy. */
function workerUrl(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".ts")) return here;
  const built = fileURLToPath(here).replace(/[\\/]ts[\\/]pipeline[\\/]worker\.js$/, "/dist/pipeline/worker.js");
  if (!existsSync(built)) {
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
        const output = (await handler(input, { worker: 0, progress: (d) => options.onProgress?.(d) })) as O;
        end({ input, ok: true, output, seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        end({ input, ok: false, error: fromBackendError(e), seconds: (performance.now() - t0) / 1000 });
      }
    }
    return outcomes;
  }
  const url = workerUrl();
  let next = 0;
  const count = Math.min(options.workers, inputs.length);
  await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const worker = new Worker(url, { workerData: { index } });
      return new Promise<void>((resolveWorker) => {
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
          if (msg.type === "ready") return dispatch();
          if (msg.type === "progress") return options.onProgress?.(msg.delta);
          const c = current!;
          const seconds = (performance.now() - c.t0) / 1000;
          if (msg.type === "done") end({ input: c.input, ok: true, output: msg.output as O, seconds });
          else end({ input: c.input, ok: false, error: revive(msg.error), seconds });
          dispatch();
        });
        worker.on("error", (e) => {
          // A crashed thread fails its task; the remaining tasks go to the other workers.
          if (current) end({ input: current.input, ok: false, error: fromBackendError(e), seconds: 0 });
          current = undefined;
          resolveWorker();
        });
        worker.on("exit", (code) => {
          if (current) {
            end({
              input: current.input,
              ok: false,
              error: new BraidError("WORKER_CRASHED", `worker ${index} exited with code ${code}`),
              seconds: 0,
            });
            resolveWorker();
          }
        });
      });
    }),
  );
  // Tasks a crashed worker never reached are run by whoever is left; none left means in-process.
  const done = new Set(outcomes.map((o) => o.input));
  const leftover = inputs.filter((i) => !done.has(i));
  if (leftover.length > 0) outcomes.push(...(await runPool<I, O>(kind, leftover, { ...options, workers: 0 })));
  return outcomes;
}

/**
 * The task loop of a worker thread: runs tasks posted by the pool one at a time on the
 * thread's backend. A thread entry (jobs/thread.ts) loads the backend, registers the task
 * kinds it can run and calls `serveTasks`.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Backend } from "../backend/backend.js";
import { fromBackendError } from "../errors.js";
import type { TaskMessage, WorkerData, WorkerMessage } from "./protocol.js";
import { taskHandler, type ProgressDelta, type TaskContext } from "./tasks.js";

/** What the pool started this thread with. */
export function threadData(): WorkerData {
  return workerData as WorkerData;
}

export function serveTasks(backend: Backend): void {
  const port = parentPort!;
  const worker = threadData().index;
  port.on("message", async (msg: TaskMessage) => {
    const pending: Required<ProgressDelta> = { chunks: 0, bytesIn: 0, bytesOut: 0 };
    let last = Date.now();
    const flush = () => {
      if (pending.chunks || pending.bytesIn || pending.bytesOut) {
        port.postMessage({ id: msg.id, type: "progress", delta: { ...pending } } satisfies WorkerMessage);
        pending.chunks = pending.bytesIn = pending.bytesOut = 0;
      }
      last = Date.now();
    };
    const ctx: TaskContext = {
      backend,
      worker,
      progress(d: ProgressDelta) {
        pending.chunks += d.chunks ?? 0;
        pending.bytesIn += d.bytesIn ?? 0;
        pending.bytesOut += d.bytesOut ?? 0;
        if (Date.now() - last > 100) flush();
      },
    };
    try {
      const output = await taskHandler(msg.kind)(msg.input, ctx);
      flush();
      port.postMessage({ id: msg.id, type: "done", output } satisfies WorkerMessage);
    } catch (e) {
      flush();
      const err = fromBackendError(e);
      port.postMessage({
        id: msg.id,
        type: "error",
        error: { code: err.code, message: err.message, file: err.file, chunk: err.chunk },
      } satisfies WorkerMessage);
    }
  });
  port.postMessage({ id: -1, type: "ready" } satisfies WorkerMessage);
}

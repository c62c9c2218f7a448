/**
 * Worker-thread entry: loads the backend (a native addon instance per thread, or wasm),
 * then runs tasks posted by the pool one at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import "../entry/node.js";
import "../jobs/handlers.js";
import { fromBackendError } from "../errors.js";
import { taskHandler, type ProgressDelta } from "./tasks.js";
import type { TaskMessage, WorkerMessage } from "./protocol.js";

const port = parentPort!;
const worker = (workerData as { index: number }).index;

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
  const ctx = {
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

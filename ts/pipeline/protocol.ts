/** Messages between the pool and its worker threads. */
import type { BackendName } from "../backend/backend.js";
import type { ProgressDelta } from "./tasks.js";

/** What a worker thread is started with. */
export interface WorkerData {
  /** Thread index within its pool, for logs and outcomes. */
  index: number;
  /** The backend the pool runs on; the thread loads its own instance of it. */
  backend: BackendName;
}

export interface TaskMessage {
  id: number;
  kind: string;
  input: unknown;
}

export interface SerializedError {
  code: string;
  message: string;
  file?: string | undefined;
  chunk?: readonly number[] | bigint | string | undefined;
}

export type WorkerMessage =
  | { id: number; type: "ready" }
  | { id: number; type: "progress"; delta: ProgressDelta }
  | { id: number; type: "done"; output: unknown }
  | { id: number; type: "error"; error: SerializedError };

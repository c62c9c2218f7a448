/** Messages between the pool and its worker threads. */
import type { ProgressDelta } from "./tasks.js";

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

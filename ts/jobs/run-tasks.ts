/**
 * How jobs run their tasks: on the worker pool with the jobs' own thread entry, so a thread
 * knows every task kind. Loaded lazily so that importing the API never pulls worker_threads
 * into a browser bundle.
 */
import type { PoolOptions, TaskOutcome } from "../pipeline/pool.js";

export const THREAD_ENTRY = new URL("./thread.js", import.meta.url);

export async function runTasks<I, O>(
  kind: string,
  inputs: readonly I[],
  options: Omit<PoolOptions, "entry">,
): Promise<TaskOutcome<I, O>[]> {
  const { runPool } = await import("../pipeline/pool.js");
  return runPool<I, O>(kind, inputs, { ...options, entry: THREAD_ENTRY });
}

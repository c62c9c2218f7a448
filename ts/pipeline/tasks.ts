/**
 * Task kinds the worker pool can run. A task is a plain, structured-cloneable input object;
 * its handler runs inside a worker thread (or in-process) and reports progress as it goes.
 * Jobs register their handlers at import (`jobs/handlers.ts` imports them all for threads).
 */
import type { Backend } from "../backend/backend.js";
import { BraidError } from "../errors.js";

/** Counters a task reports while it runs; the pool sums them across tasks and workers. */
export interface ProgressDelta {
  chunks?: number;
  bytesIn?: number;
  bytesOut?: number;
}

export interface TaskContext {
  /** The backend the task runs on: the pool's, loaded again by each worker thread. */
  readonly backend: Backend;
  /** Adds to the run's counters (cheap: batched before crossing threads). */
  progress(delta: ProgressDelta): void;
  /** Worker index (0-based), for logs. */
  readonly worker: number;
}

export type TaskHandler<I = unknown, O = unknown> = (input: I, ctx: TaskContext) => Promise<O>;

const registry = new Map<string, TaskHandler>();

/** Registers the handler of a task kind (done once per module, at import). */
export function registerTask<I, O>(kind: string, handler: TaskHandler<I, O>): void {
  registry.set(kind, handler as TaskHandler);
}

export function taskHandler(kind: string): TaskHandler {
  const h = registry.get(kind);
  if (!h) throw new BraidError("INVALID_ARGUMENT", `no task handler registered for "${kind}"`);
  return h;
}

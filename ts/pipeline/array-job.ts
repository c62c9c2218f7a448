/**
 * What every array-job manifest shares (export and downres): splitting work items into K
 * tasks by weight, and finding which task this process is from the engine's environment.
 */
import { BraidError } from "../errors.js";

/**
 * Greedy largest-first bin packing of `items` into `count` tasks by `weight`: no task ends
 * more than one item heavier than another.
 */
export function packBalanced<T>(items: readonly T[], count: number, weight: (item: T) => number): T[][] {
  if (!Number.isInteger(count) || count < 1) throw new BraidError("INVALID_ARGUMENT", `--tasks must be a positive integer, got ${count}`);
  const bins = Array.from({ length: count }, () => ({ weight: 0, items: [] as T[] }));
  const order = [...items].sort((a, b) => weight(b) - weight(a));
  for (const item of order) {
    let best = bins[0]!;
    for (const b of bins) if (b.weight < best.weight) best = b;
    best.items.push(item);
    best.weight += weight(item);
  }
  return bins.map((b) => b.items);
}

/** Environment variables array-job engines set to a task's index, in the order they are consulted. */
export const TASK_INDEX_VARIABLES = ["CLOUD_RUN_TASK_INDEX", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] as const;

/** The task to run: the explicit index, else the engine's environment. */
export function resolveTaskIndex(explicit: number | undefined, tasks: number, env: Record<string, string | undefined>): number {
  let index = explicit;
  let from = "--task-index";
  if (index === undefined) {
    for (const name of TASK_INDEX_VARIABLES) {
      const v = env[name];
      if (v === undefined || v === "") continue;
      index = Number(v);
      from = name;
      break;
    }
  }
  if (index === undefined) {
    throw new BraidError("INVALID_ARGUMENT", `no task index: pass --task-index or set one of ${TASK_INDEX_VARIABLES.join(", ")}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= tasks) {
    throw new BraidError("INVALID_ARGUMENT", `${from} = ${index} is not a task of this manifest (it has ${tasks})`);
  }
  const count = env.CLOUD_RUN_TASK_COUNT;
  if (from === "CLOUD_RUN_TASK_INDEX" && count !== undefined && count !== "" && Number(count) !== tasks) {
    throw new BraidError(
      "TASK_COUNT_MISMATCH",
      `CLOUD_RUN_TASK_COUNT is ${count} but the manifest has ${tasks} tasks: run the job with --tasks ${tasks}`,
    );
  }
  return index;
}

/** The process environment where there is one (Node), else nothing. */
export function processEnv(): Record<string, string | undefined> {
  return typeof process === "undefined" ? {} : process.env;
}

/**
 * `downresVolume`: builds pyramid scales in order, each from the one before, with one task
 * per output shard spread over worker threads. A scale with failed tasks still completes its
 * other shards, but the scales after it are not started (they would read a partial source).
 */
import type { Backend } from "../../backend/backend.js";
import { runTasks } from "../run-tasks.js";
import { defaultWorkers } from "../../pipeline/cores.js";
import { sharedAcrossThreads } from "../../storage/by-url.js";
import type { TaskOutcome } from "../../pipeline/pool.js";
import type { ProgressDelta } from "../../pipeline/tasks.js";
import "./handler.js";
import { planDownres, type PlanDownresOptions } from "./plan.js";
import { DOWNRES_TASK, type DownresTask, type DownresTaskResult } from "./task.js";

export type DownresOutcome = TaskOutcome<DownresTask, DownresTaskResult>;

/** Hooks for progress displays; every one is optional. */
export interface DownresEvents {
  scaleStart?(scale: number, tasks: readonly DownresTask[]): void;
  progress?(scale: number, delta: ProgressDelta): void;
  taskEnd?(outcome: DownresOutcome): void;
  scaleEnd?(summary: DownresScaleSummary): void;
}

export interface DownresOptions extends Omit<PlanDownresOptions, "measure"> {
  /**
   * Worker threads (default: all cores); 0 runs tasks in this thread, as does a `memory://`
   * volume, whose store each thread would see empty.
   */
  workers?: number;
  on?: DownresEvents;
}

export interface DownresScaleSummary {
  scale: number;
  tasks: number;
  /** Tasks that found their shard already written (`onlyMissing`). */
  skipped: number;
  failed: number;
  /** Output chunks done (planned cells, computed or absent because their source is). */
  chunks: number;
  /** Output chunks downsampled (with stored source chunks under them). */
  computed: number;
  /** Non-zero chunks stored. */
  written: number;
  bytes: number;
  seconds: number;
}

export interface DownresSummary {
  ok: boolean;
  scales: DownresScaleSummary[];
  /** Scales not started because an earlier scale had failures. */
  notRun: number[];
  failures: DownresOutcome[];
  chunks: number;
  computed: number;
  written: number;
  bytes: number;
  seconds: number;
}

function summarize(scale: number, outcomes: DownresOutcome[], seconds: number): DownresScaleSummary {
  const done = outcomes.flatMap((o) => (o.ok && o.output ? [o.output] : []));
  const sum = (f: (r: DownresTaskResult) => number) => done.reduce((n, r) => n + f(r), 0);
  return {
    scale,
    tasks: outcomes.length,
    skipped: done.filter((r) => r.skipped).length,
    failed: outcomes.length - done.length,
    chunks: sum((r) => r.chunks),
    computed: sum((r) => r.computed),
    written: sum((r) => r.written),
    bytes: sum((r) => r.bytes),
    seconds,
  };
}

/** Builds `scales` of the volume at `dest` from the scale below each (TensorStore's mode). */
export async function downresVolume(backend: Backend, options: DownresOptions): Promise<DownresSummary> {
  const t0 = performance.now();
  // Sizes only inform schedulers; a direct run does not spend requests measuring them.
  const tasks = await planDownres(backend, { ...options, measure: false });
  return runDownresTasks(backend, tasks, options, t0);
}

/**
 * Runs planned tasks scale by scale in ascending order (all of a scale before the next), on
 * `workers` threads. `braid downres` runs a whole plan; `braid worker` one manifest task.
 */
export async function runDownresTasks(
  backend: Backend,
  tasks: readonly DownresTask[],
  options: Pick<DownresOptions, "workers" | "on">,
  t0 = performance.now(),
): Promise<DownresSummary> {
  // Threads would each see an empty store of their own behind a memory:// URL.
  const shared = tasks.every((t) => sharedAcrossThreads(t.dest));
  const workers = shared ? (options.workers ?? (await defaultWorkers())) : 0;
  const on = options.on ?? {};
  const scales = [...new Set(tasks.map((t) => t.scale))].sort((a, b) => a - b);
  const summaries: DownresScaleSummary[] = [];
  const failures: DownresOutcome[] = [];
  const notRun: number[] = [];
  for (const scale of scales) {
    if (failures.length > 0) {
      notRun.push(scale);
      continue;
    }
    const mine = tasks.filter((t) => t.scale === scale);
    on.scaleStart?.(scale, mine);
    const started = performance.now();
    const outcomes = await runTasks<DownresTask, DownresTaskResult>(DOWNRES_TASK, mine, {
      backend,
      workers,
      onProgress: (d) => on.progress?.(scale, d),
      onTaskEnd: (o) => on.taskEnd?.(o as DownresOutcome),
    });
    failures.push(...outcomes.filter((o) => !o.ok));
    const summary = summarize(scale, outcomes, (performance.now() - started) / 1000);
    summaries.push(summary);
    on.scaleEnd?.(summary);
  }
  const total = (f: (s: DownresScaleSummary) => number) => summaries.reduce((n, s) => n + f(s), 0);
  return {
    ok: failures.length === 0 && notRun.length === 0,
    scales: summaries,
    notRun,
    failures,
    chunks: total((s) => s.chunks),
    computed: total((s) => s.computed),
    written: total((s) => s.written),
    bytes: total((s) => s.bytes),
    seconds: (performance.now() - t0) / 1000,
  };
}

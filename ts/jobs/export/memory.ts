/**
 * Peak memory of an export, so machines and Cloud Run tasks can be sized before a run:
 *
 *   per worker  = WORKER_BASE + BUFFERS + INDEX_BYTES · (rows of the unit's files)
 *                               + SHARD_BYTES · (rows of the unit's largest shard)
 *   per process = PROCESS_BASE + workers · max(per worker over the units it may run)
 *
 * PROCESS_BASE: Node, the addon and the main thread's planning. WORKER_BASE: a worker
 * thread's V8 isolate and addon instance. BUFFERS: coalesced source reads in flight
 * (3 × 2 MiB), the shard writer's pending bytes plus one append in flight (2 × 4 MiB),
 * transcode scratch, and what V8 and malloc keep between collections: a long run settles at a
 * plateau (RSS oscillates ~120–155 MiB with one worker, no growth over 32,768 blocks). INDEX_BYTES: a file's index as columns, its placement and the CSV text
 * while parsing. SHARD_BYTES: the writer's index entry and the row order per chunk, plus V8's
 * slack. Calibrated with benches/export.measure.ts: a `--workers 1` process peaks at ~151 MiB
 * on eight 4,096-chunk shards and ~153 MiB on one full 32,768-chunk mCNS shard (same blocks);
 * each extra worker adds ~50 MiB. No term grows with source or shard *bytes*, only chunk counts.
 */
import type { ExportUnit } from "./types.js";

const MiB = 2 ** 20;
export const PROCESS_BASE_MIB = 60;
export const WORKER_BASE_MIB = 25;
export const BUFFERS_MIB = 70;
export const INDEX_BYTES = 150;
export const SHARD_BYTES = 350;

export function unitPeakMiB(unit: Pick<ExportUnit, "indexRows" | "maxShardRows">): number {
  return WORKER_BASE_MIB + BUFFERS_MIB + (INDEX_BYTES * unit.indexRows + SHARD_BYTES * unit.maxShardRows) / MiB;
}

export interface MemoryEstimate {
  /** Peak of one worker running the most demanding unit. */
  perWorkerMiB: number;
  /** Peak of the whole process with `workers` workers. */
  processMiB: number;
  workers: number;
}

export function estimateMemory(units: readonly ExportUnit[], workers: number): MemoryEstimate {
  const perWorker = units.reduce((m, u) => Math.max(m, unitPeakMiB(u)), WORKER_BASE_MIB + BUFFERS_MIB);
  const threads = Math.max(1, workers);
  return {
    perWorkerMiB: Math.ceil(perWorker),
    processMiB: Math.ceil(PROCESS_BASE_MIB + threads * perWorker),
    workers: threads,
  };
}

export const MEMORY_FORMULA =
  `peak ≈ ${PROCESS_BASE_MIB} MiB + workers × (${WORKER_BASE_MIB} MiB + ${BUFFERS_MIB} MiB buffers + ` +
  `${INDEX_BYTES} B × index rows of a unit + ${SHARD_BYTES} B × chunks of its largest shard)`;

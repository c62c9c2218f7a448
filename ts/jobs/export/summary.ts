/**
 * The end-of-run summary (shards written/skipped/failed, chunks, bytes, throughput, peak RSS,
 * failures with file, chunk and code) and the dry-run plan report, as data and as text.
 */
import { formatError } from "../../pipeline/error-record.js";
import { MEMORY_FORMULA, type MemoryEstimate } from "./memory.js";
import type { ExportPlan, ScalePlan } from "./plan.js";
import type { ErrorRecord, ShardOutcome } from "./types.js";

export interface Failure extends ErrorRecord {
  scale: number;
  /** Output shard file, when the failure concerns one. */
  shard?: string;
}

export interface RunSummary {
  ok: boolean;
  shards: { written: number; skipped: number; empty: number; failed: number };
  /** Chunks stored in the written shards. */
  chunks: number;
  /** Source blocks processed. */
  blocks: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
  /** CPU time of the whole process (all threads), when known. */
  cpuSeconds?: number;
  blocksPerSecond: number;
  mbInPerSecond: number;
  mbOutPerSecond: number;
  peakRssMiB: number;
  workers: number;
  failures: Failure[];
  outcomes: ShardOutcome[];
}

export interface RunTotals {
  blocks: number;
  seconds: number;
  cpuSeconds?: number;
  peakRssMiB: number;
  workers: number;
}

/** Plan-time failures: files that could not be read (their shards are blocked, not written). */
export function planFailures(plan: ExportPlan): { failures: Failure[]; blocked: ShardOutcome[] } {
  const failures: Failure[] = [];
  const blocked: ShardOutcome[] = [];
  for (const s of plan.scales) {
    for (const f of s.files) if (f.error) failures.push({ scale: s.scale, ...f.error });
    for (const b of s.blocked) {
      blocked.push({
        scale: s.scale,
        shard: b.shard,
        file: b.file,
        status: "failed",
        chunks: 0,
        bytesIn: 0,
        bytesOut: 0,
        error: { code: "SOURCE_FAILED", message: `not written: source ${b.source} failed [${b.error.code}]`, file: b.error.file ?? b.source },
      });
    }
  }
  return { failures, blocked };
}

export function summarize(outcomes: ShardOutcome[], planFailed: Failure[], totals: RunTotals): RunSummary {
  const count = (s: ShardOutcome["status"]) => outcomes.filter((o) => o.status === s).length;
  const bytesIn = outcomes.reduce((n, o) => n + o.bytesIn, 0);
  const bytesOut = outcomes.reduce((n, o) => n + o.bytesOut, 0);
  const failures: Failure[] = [
    ...planFailed,
    ...outcomes.filter((o) => o.status === "failed" && o.error).map((o) => ({ scale: o.scale, shard: o.file, ...o.error! })),
  ];
  const seconds = Math.max(totals.seconds, 1e-6);
  return {
    ok: failures.length === 0,
    shards: { written: count("written"), skipped: count("skipped"), empty: count("empty"), failed: count("failed") },
    chunks: outcomes.reduce((n, o) => n + o.chunks, 0),
    blocks: totals.blocks,
    bytesIn,
    bytesOut,
    seconds: totals.seconds,
    ...(totals.cpuSeconds === undefined ? {} : { cpuSeconds: totals.cpuSeconds }),
    blocksPerSecond: totals.blocks / seconds,
    mbInPerSecond: bytesIn / 1e6 / seconds,
    mbOutPerSecond: bytesOut / 1e6 / seconds,
    peakRssMiB: totals.peakRssMiB,
    workers: totals.workers,
    failures,
    outcomes,
  };
}

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

export function formatSummary(s: RunSummary, label = "export"): string {
  const lines = [
    `${label} ${s.ok ? "finished" : "finished with failures"} in ${s.seconds.toFixed(1)} s on ${s.workers} worker(s)`,
    `  shards:     ${s.shards.written} written, ${s.shards.skipped} skipped (already there), ${s.shards.empty} empty (all zero), ${s.shards.failed} failed`,
    `  chunks:     ${s.chunks} stored from ${s.blocks} source blocks`,
    `  bytes:      ${mb(s.bytesIn)} read, ${mb(s.bytesOut)} written`,
    `  throughput: ${s.blocksPerSecond.toFixed(0)} chunks/s, ${s.mbInPerSecond.toFixed(1)} MB/s in, ${s.mbOutPerSecond.toFixed(1)} MB/s out`,
    `  peak RSS:   ${s.peakRssMiB.toFixed(0)} MiB${s.cpuSeconds === undefined ? "" : `, CPU ${s.cpuSeconds.toFixed(1)} s`}`,
  ];
  if (s.failures.length > 0) {
    lines.push(`  failures (${s.failures.length}):`);
    // Messages already name the file and chunk.
    for (const f of s.failures) lines.push(`    s${f.scale}${f.shard ? ` ${f.shard}` : ""}: ${formatError(f)}`);
  }
  return lines.join("\n");
}

const list = (items: readonly string[], max = 8) => items.slice(0, max).join(", ") + (items.length > max ? `, … (${items.length} in all)` : "");

function formatScale(s: ScalePlan): string[] {
  const failed = s.files.filter((f) => f.error);
  const lines = [
    `  scale ${s.scale} ("${s.key}"): ${s.files.length} source files, ${s.rows} blocks, ${mb(s.sourceBytes)} → ` +
      `${s.shards} output shards in ${s.units.length} units`,
  ];
  if (s.spanning.length > 0) {
    lines.push(`    ${s.spanning.length} files span several shards: ${list(s.spanning.map((f) => `${f.file} → ${f.shards.length} shards`))}`);
  }
  if (s.shared.length > 0) {
    lines.push(`    ${s.shared.length} shards are fed by several files: ${list(s.shared.map((x) => `${x.file} ← ${x.sources.length} files`))}`);
  }
  for (const f of failed) lines.push(`    cannot read ${f.key}: ${formatError(f.error!)}`);
  if (s.blocked.length > 0) lines.push(`    ${s.blocked.length} shards will not be written: ${list(s.blocked.map((b) => b.file))}`);
  return lines;
}

export function formatPlan(plan: ExportPlan, estimate: MemoryEstimate): string {
  const rows = plan.scales.reduce((n, s) => n + s.rows, 0);
  const units = plan.scales.reduce((n, s) => n + s.units.length, 0);
  return [
    `plan: ${plan.source} → ${plan.dest} (${plan.settings.labels}${plan.settings.zCompress ? `, z stride ${plan.settings.zCompress + 1} at scale 0` : ""})`,
    ...plan.scales.flatMap(formatScale),
    `  total: ${rows} blocks in ${units} units`,
    `  estimated peak memory: ${estimate.perWorkerMiB} MiB per worker, ${estimate.processMiB} MiB for ${estimate.workers} worker(s)`,
    `    (${MEMORY_FORMULA})`,
  ].join("\n");
}

/** CPU seconds of this process (all threads) since `since`; undefined outside Node. */
export function cpuSince(since: { user: number; system: number } | undefined): number | undefined {
  if (since === undefined || typeof process === "undefined" || !process.cpuUsage) return undefined;
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export function cpuNow(): { user: number; system: number } | undefined {
  return typeof process === "undefined" || !process.cpuUsage ? undefined : process.cpuUsage();
}

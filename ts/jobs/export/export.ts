/**
 * `exportVolume`: a DVID export (local or `gs://`) to a sharded neuroglancer precomputed
 * volume. Plans from the CSV indexes, writes `info`, then converts every unit on worker
 * threads (one native instance each) and summarises. Failures of single files or shards are
 * reported in the summary while everything else completes.
 */
import type { Backend } from "../../backend/backend.js";
import { Progress, peakRssMiB, type ProgressReporting } from "../../pipeline/progress.js";
import type { ProgressDelta } from "../../pipeline/tasks.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import { defaultWorkers } from "../../pipeline/cores.js";
import { prepareDestination, specInfo, wantedMeta } from "./dest-info.js";
import { formatError } from "../../pipeline/error-record.js";
import { estimateMemory, type MemoryEstimate } from "./memory.js";
import { planScale, type ExportPlan } from "./plan.js";
import { runUnits } from "./run.js";
import { resolveScales, resolveSettings } from "./settings.js";
import { sharedAcrossThreads, storageFor, storageUrl } from "../../storage/by-url.js";
import { cpuNow, cpuSince, planFailures, summarize, type RunSummary } from "./summary.js";
import type { OutputFormat, ShardOutcome, UnitJob, UnitOutputs } from "./types.js";
import type { Vec3 } from "../../types.js";
import { BraidError } from "../../errors.js";
import { parseInfo, type PrecomputedInfo } from "../../formats/precomputed/info.js";
import { createOmeZarrPyramid } from "../../formats/open-pyramid.js";
import type { ZarrCompression } from "../../formats/zarr/shard-spec.js";

export type { ProgressReporting };

export interface ExportOptions {
  /** The backend to convert on, here and in every worker thread (default: the entry point's). */
  backend?: Backend;
  /** The DVID export: a directory, `file://` or `gs://` URL, or a Storage. */
  source: string | Storage;
  /** The precomputed volume to write (with `format: "ome-zarr"`, the OME-Zarr root). */
  dest: string | Storage;
  /** `"precomputed"` (default), `"ome-zarr"` or `"both"` (one pass over the DVID blocks). */
  format?: OutputFormat;
  /** The OME-Zarr root for `format: "both"` (default: `<dest>.ome.zarr` beside a URL dest). */
  zarrDest?: string | Storage;
  /** OME-Zarr: publish the pyramid as the image-label group `labels/<name>`. */
  omeLabels?: string;
  /** OME-Zarr: inner chunks per zarr shard, x, y, z; must divide the spec's shard box (default: equal). */
  zarrShardChunks?: Vec3;
  /** OME-Zarr inner chunk compression (default zstd level 3). */
  zarrCompression?: ZarrCompression;
  /** The neuroglancer volume spec (object or JSON text), e.g. DVID's export spec. */
  spec: object | string;
  /** Scale indices to export (default: every scale of the spec that has source files). */
  scales?: number[];
  /** Write supervoxel ids instead of body ids. */
  supervoxels?: boolean;
  /** Keep every (N+1)-th z slice at scale 0 (tensorstore-export's `--z-compress N`). */
  zCompress?: number;
  /** Skip shards whose file exists already (resume). */
  onlyMissing?: boolean;
  /** Worker threads (default: all cores; 0 = in-process). */
  workers?: number;
  /** gzip level of chunk payloads (default 3). */
  gzipLevel?: number;
  /** Plan only: nothing is written. */
  dryRun?: boolean;
  storage?: OpenStorageOptions;
  onProgress?: (d: ProgressDelta) => void;
  /** Log progress to stderr (status line on a terminal, JSON lines otherwise). */
  progress?: boolean | ProgressReporting;
}

export interface ExportResult {
  plan: ExportPlan;
  estimate: MemoryEstimate;
  /** Absent for dry runs. */
  summary?: RunSummary;
  /** The OME-Zarr root written, when the format is ome-zarr or both. */
  zarrDest?: string;
}

/** Plans an export: lists the source, reads every index and groups files and shards. */
export async function planExport(
  backend: Backend,
  options: ExportOptions,
): Promise<{ plan: ExportPlan; workers: number; estimate: MemoryEstimate }> {
  const settings = resolveSettings(options);
  const info = specInfo(options.spec);
  const scales = resolveScales(info, options.scales, settings);
  const sourceUrl = storageUrl(options.source);
  const destUrl = storageUrl(options.dest);
  const source = await storageFor(sourceUrl, options.storage);
  const plans = [];
  for (const s of scales) {
    const p = await planScale(backend, source, info, s, settings);
    if (options.scales !== undefined || p.files.length > 0) plans.push(p);
  }
  const plan: ExportPlan = { source: sourceUrl, dest: destUrl, info, settings, scales: plans };
  const zarrDest = zarrDestOf(options);
  const shared = sharedAcrossThreads(options.source) && sharedAcrossThreads(options.dest) && (zarrDest === undefined || sharedAcrossThreads(zarrDest));
  const workers = shared ? (options.workers ?? (await defaultWorkers())) : 0;
  return { plan, workers, estimate: estimateMemory(plans.flatMap((p) => p.units), workers) };
}

/** Exports a DVID export to neuroglancer precomputed; see {@link ExportOptions}. */
export async function exportVolume(backend: Backend, options: ExportOptions): Promise<ExportResult> {
  const t0 = performance.now();
  const cpu0 = cpuNow();
  const { plan, workers, estimate } = await planExport(backend, options);
  if (options.dryRun) return { plan, estimate };

  const scales = plan.scales.map((s) => s.scale);
  const { info, outputs } = await prepareOutputs(backend, plan, options, scales);
  const jobs: UnitJob[] = plan.scales.flatMap((s) =>
    s.units.map((unit) => ({
      source: plan.source,
      dest: plan.dest,
      info,
      settings: plan.settings,
      unit,
      outputs,
      ...(options.storage ? { storage: options.storage } : {}),
    })),
  );
  const { outcomes, blocks } = await runJobs(backend, jobs, workers, plan.scales.reduce((n, s) => n + s.rows, 0), options);
  const { failures, blocked } = planFailures(plan);
  const summary = summarize([...outcomes, ...blocked], failures, {
    blocks,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSince(cpu0),
    peakRssMiB: await peakRssMiB(),
    workers,
  });
  return { plan, estimate, summary, ...(outputs.zarr ? { zarrDest: outputs.zarr.dest } : {}) };
}

/** What an export writes besides the plan: the options a manifest carries to its workers. */
export type ExportOutputOptions = Pick<ExportOptions, "format" | "zarrDest" | "omeLabels" | "zarrShardChunks" | "zarrCompression">;

/** The OME-Zarr root of an export, if it writes one. */
function zarrDestOf(options: ExportOutputOptions & Pick<ExportOptions, "dest">): string | Storage | undefined {
  const format = options.format ?? "precomputed";
  if (!["precomputed", "ome-zarr", "both"].includes(format)) {
    throw new BraidError("INVALID_ARGUMENT", `export format must be precomputed, ome-zarr or both, got ${JSON.stringify(format)}`);
  }
  if (format === "precomputed") {
    if (options.zarrDest !== undefined) throw new BraidError("INVALID_ARGUMENT", `zarrDest is for format "both"`);
    return undefined;
  }
  if (format === "ome-zarr") return options.dest;
  if (options.zarrDest !== undefined) return options.zarrDest;
  if (typeof options.dest !== "string") {
    throw new BraidError("INVALID_ARGUMENT", `format "both" with a Storage dest needs zarrDest (there is no URL to put the OME-Zarr beside)`);
  }
  return `${options.dest.replace(/\/+$/, "")}.ome.zarr`;
}

/**
 * Prepares every output: the precomputed `info` (as before), the OME-Zarr group and arrays
 * laid out after the same info. Returns the info units write against and what they write.
 */
export async function prepareOutputs(
  backend: Backend,
  plan: Pick<ExportPlan, "dest" | "info" | "settings">,
  options: ExportOutputOptions & Pick<ExportOptions, "dest" | "storage">,
  scales: readonly number[],
): Promise<{ info: PrecomputedInfo; outputs: UnitOutputs }> {
  const format = options.format ?? "precomputed";
  const meta = wantedMeta(plan.settings, scales);
  const info =
    format === "ome-zarr"
      ? parseInfo({ ...plan.info, braid: meta })
      : await prepareDestination(await storageFor(plan.dest, options.storage), plan.info, meta, scales);
  const zarrDest = zarrDestOf(options);
  if (zarrDest === undefined) return { info, outputs: { precomputed: true } };
  await createOmeZarrPyramid(backend, await storageFor(storageUrl(zarrDest), options.storage), info, {
    ...(options.omeLabels === undefined ? {} : { label: options.omeLabels }),
    ...(options.zarrShardChunks === undefined ? {} : { shardChunks: options.zarrShardChunks }),
    ...(options.zarrCompression === undefined ? {} : { compression: options.zarrCompression }),
  });
  return {
    info,
    outputs: {
      precomputed: format === "both",
      zarr: { dest: storageUrl(zarrDest), ...(options.omeLabels === undefined ? {} : { label: options.omeLabels }) },
    },
  };
}

/** The output options as plain JSON for a manifest (the OME-Zarr root as a URL). */
export function manifestOutputs(options: ExportOutputOptions & Pick<ExportOptions, "dest">): ExportOutputOptions {
  const zarrDest = zarrDestOf(options);
  const { format, omeLabels, zarrShardChunks, zarrCompression } = options;
  if (format === undefined || format === "precomputed") return {};
  return {
    ...(format === undefined ? {} : { format }),
    ...(format === "both" && zarrDest !== undefined ? { zarrDest: storageUrl(zarrDest) } : {}),
    ...(omeLabels === undefined ? {} : { omeLabels }),
    ...(zarrShardChunks === undefined ? {} : { zarrShardChunks }),
    ...(zarrCompression === undefined ? {} : { zarrCompression }),
  };
}

/**
 * Runs jobs with the requested progress reporting; shared with `braid worker`. `blocks`
 * counts source blocks actually processed (skipped shards do not count).
 */
export async function runJobs(
  backend: Backend,
  jobs: readonly UnitJob[],
  workers: number,
  totalChunks: number,
  options: Pick<ExportOptions, "onProgress" | "progress">,
  label = "export",
): Promise<{ outcomes: ShardOutcome[]; blocks: number }> {
  const reporting = options.progress === true ? {} : options.progress || undefined;
  const progress = reporting ? new Progress({ label, totalChunks, ...reporting }) : undefined;
  let blocks = 0;
  const outcomes = await runUnits(backend, jobs, {
    workers,
    onProgress: (d) => {
      blocks += d.chunks ?? 0;
      progress?.add(d);
      options.onProgress?.(d);
    },
    onShard: (o) => {
      if (o.status === "failed" && o.error) {
        progress?.event("shard-failed", { scale: o.scale, shard: o.file, error: formatError(o.error) });
      }
    },
  });
  progress?.done();
  return { outcomes, blocks };
}

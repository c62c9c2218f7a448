/**
 * `braid downres`: builds lower scales of a precomputed volume in place, each from the one
 * before, voxel-identical to TensorStore's `downsample(previous, [2,2,2,1], "mode")`.
 */
import { downresVolume, type DownresEvents, type DownresSummary } from "../../entry/node.js";
import { bigintSafe, peakRssMiB, Progress } from "../../pipeline/progress.js";
import { intOption, required, scaleList, UsageError, type Command, type OptionValues } from "../command.js";

const usage = `options:
  --dest <volume>        precomputed volume or braid-written OME-Zarr root (path, file://, gs://)
                         holding the source scales (the format is detected)
  --ome-labels <name>    OME-Zarr: the label group labels/<name> (default: the one braid wrote)
  --scales <list>        scales to build, e.g. 1-9 or 1,2,3; each from the one before
  --method <m>           mode (TensorStore: 0 votes like any label, default) or mode-nonzero
                         (DVID: any label beats 0)
  --only-missing         skip output shards that already exist (writes are atomic)
  --workers <n>          worker threads (default: all cores; 0 = in-process)
  --gzip-level <l>       gzip level for gzip-encoded shards (default 5, libdeflate)

Scales missing from info are appended with TensorStore's downsampled domain
[floor(o/2), ceil((o+s)/2)) and resolution × 2; listed scales must follow that rule.`;

export function downresMethod(values: OptionValues): "mode" | "mode-nonzero" {
  const m = values.method ?? "mode";
  if (m !== "mode" && m !== "mode-nonzero") throw new UsageError(`--method must be mode or mode-nonzero, got ${String(m)}`);
  return m;
}

function summaryLine(s: DownresSummary, peak: number): string {
  const rate = s.chunks / Math.max(s.seconds, 1e-3);
  const shards = s.scales.reduce((n, x) => n + x.tasks, 0);
  const skipped = s.scales.reduce((n, x) => n + x.skipped, 0);
  return (
    `downres ${s.ok ? "done" : "FAILED"}: scales ${s.scales.map((x) => x.scale).join(",") || "none"}, ` +
    `${s.chunks} chunks (${s.written} stored, ${s.chunks - s.written} all-zero), ${s.computed} with source data, ` +
    `${shards} tasks (${skipped} skipped, ${s.failures.length} failed), ${(s.bytes / 1e6).toFixed(1)} MB, ` +
    `${rate.toFixed(0)} chunks/s, peak RSS ${peak.toFixed(0)} MiB, ${s.seconds.toFixed(1)} s` +
    (s.notRun.length > 0 ? `; not run: scales ${s.notRun.join(",")}` : "")
  );
}

/**
 * Progress per scale (a bar on a TTY, JSON lines otherwise), a line per failed task, and at
 * the end the summary line; `finish` returns the exit code. Shared by `braid downres` and
 * `braid worker` on a downres manifest.
 */
export function downresReporting(label = "downres"): { on: DownresEvents; finish(summary: DownresSummary): Promise<number> } {
  let progress: Progress | undefined;
  return {
    on: {
      scaleStart(scale, tasks) {
        progress = new Progress({ label: `${label} s${scale}`, totalChunks: tasks.reduce((n, t) => n + t.outputChunks, 0) });
      },
      progress: (_scale, delta) => progress?.add(delta),
      taskEnd(o) {
        if (o.ok) return;
        progress?.event("task-failed", {
          scale: o.input.scale,
          ...(o.input.shard === undefined ? { cells: JSON.stringify(o.input.cells) } : { shard: o.input.shard }),
          code: o.error?.code,
          message: o.error?.message,
        });
      },
      scaleEnd: () => progress?.done(),
    },
    async finish(summary) {
      const peak = await peakRssMiB();
      console.log(summaryLine(summary, peak));
      if (!process.stderr.isTTY) {
        const { failures: _f, ...rest } = summary;
        process.stderr.write(`${JSON.stringify({ event: "summary", label, ...rest, peakRssMiB: Math.round(peak) }, bigintSafe)}\n`);
      }
      return summary.ok ? 0 : 1;
    },
  };
}

export const downres: Command = {
  name: "downres",
  summary: "build lower scales (mode downsampling, identical to TensorStore)",
  usage,
  options: {
    dest: { type: "string" },
    scales: { type: "string" },
    method: { type: "string" },
    "only-missing": { type: "boolean" },
    workers: { type: "string" },
    "gzip-level": { type: "string" },
    "ome-labels": { type: "string" },
  },
  async run(values) {
    const dest = required(values, "dest");
    const scales = scaleList(required(values, "scales"));
    if (scales.includes(0)) throw new UsageError("--scales: scale 0 is the source; downres builds scales ≥ 1");
    const workers = values.workers === undefined ? undefined : intOption(values, "workers", 0);
    const gzipLevel = values["gzip-level"] === undefined ? undefined : intOption(values, "gzip-level", 6);
    if (gzipLevel !== undefined && (gzipLevel < 0 || gzipLevel > 9)) throw new UsageError("--gzip-level must be 0–9");
    const reporting = downresReporting();
    const summary = await downresVolume({
      dest,
      scales,
      method: downresMethod(values),
      onlyMissing: values["only-missing"] === true,
      ...(workers === undefined ? {} : { workers }),
      ...(gzipLevel === undefined ? {} : { gzipLevel }),
      ...(typeof values["ome-labels"] === "string" ? { label: values["ome-labels"] } : {}),
      on: reporting.on,
    });
    return reporting.finish(summary);
  },
};

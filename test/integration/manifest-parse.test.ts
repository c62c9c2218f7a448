/**
 * Manifests come from storage and may be hand-edited or truncated: a malformed task is a
 * MANIFEST_INVALID error naming the file and the task, never a TypeError inside a worker.
 */
import { describe, expect, it } from "vitest";
import { DOWNRES_MANIFEST_FORMAT, parseDownresManifest } from "../../ts/jobs/manifests/downres-manifest.js";
import { MANIFEST_FORMAT, parseManifest } from "../../ts/jobs/manifests/export-manifest.js";
import { synthSpec } from "../../ts/jobs/synth/synth-spec.js";

const WHERE = "gs://b/seg/manifest.json";

function downres(unit: Record<string, unknown> = {}): Record<string, unknown> {
  const u = { dest: "gs://b/seg", scale: 1, shard: "3", method: "mode", onlyMissing: true, ...unit };
  return { format: DOWNRES_MANIFEST_FORMAT, created: "", dest: "gs://b/seg", stages: [{ scale: 1, units: 1, outputChunks: 1, tasks: [{ index: 0, units: [u] }] }] };
}

function exportManifest(unit: Record<string, unknown> = {}): Record<string, unknown> {
  const u = { scale: 0, files: [], shards: ["0", "12"], rows: 0, sourceBytes: 0, maxShardRows: 0, indexRows: 0, ...unit };
  return {
    format: MANIFEST_FORMAT,
    created: "",
    source: "gs://b/src",
    dest: "gs://b/seg",
    info: synthSpec({ size: [128, 128, 128], shardBlocks: 2 }),
    settings: { labels: "bodies", zCompress: 0, gzipLevel: 3, onlyMissing: true },
    scales: [{ scale: 0 }],
    tasks: [{ index: 0, units: [u] }],
  };
}

const invalid = (f: () => unknown, message: RegExp) =>
  expect(f).toThrowError(expect.objectContaining({ code: "MANIFEST_INVALID", file: WHERE, message: expect.stringMatching(message) }));

describe("manifest parsing", () => {
  it("accepts well-formed downres manifests and refuses malformed tasks by name", () => {
    expect(parseDownresManifest(downres(), WHERE).stages[0]!.tasks[0]!.units[0]!.shard).toBe("3");
    expect(parseDownresManifest(downres({ shard: undefined, cells: { origin: [0, 0, 0], shape: [8, 8, 8] } }), WHERE).stages).toHaveLength(1);
    invalid(() => parseDownresManifest(downres({ shard: "3x" }), WHERE), /scale 1 task 0: a unit needs a decimal shard number or a cells box/);
    invalid(() => parseDownresManifest(downres({ shard: undefined }), WHERE), /scale 1 task 0: a unit needs/);
    invalid(() => parseDownresManifest(downres({ scale: 2 }), WHERE), /not for scale 1/);
    invalid(() => parseDownresManifest(downres({ method: "max" }), WHERE), /method "max" is not mode or mode-nonzero/);
    const noUnits = downres();
    (noUnits.stages as { tasks: unknown[] }[])[0]!.tasks = [{ index: 0 }];
    invalid(() => parseDownresManifest(noUnits, WHERE), /scale 1 task 0: units must be an array/);
  });

  it("accepts well-formed export manifests and refuses malformed tasks by name", () => {
    expect(parseManifest(exportManifest(), WHERE).tasks[0]!.units[0]!.shards).toEqual(["0", "12"]);
    invalid(() => parseManifest(exportManifest({ shards: [12] }), WHERE), /task 0: a unit needs a scale, files and decimal shard numbers/);
    invalid(() => parseManifest(exportManifest({ files: undefined }), WHERE), /task 0: a unit needs/);
    invalid(() => parseManifest({ ...exportManifest(), scales: undefined }, WHERE), /scales must be an array/);
    invalid(() => parseManifest({ ...exportManifest(), tasks: [{ index: 0 }] }, WHERE), /task 0: units must be an array/);
  });
});

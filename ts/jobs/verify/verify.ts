/**
 * `verifyExport`: checks a precomputed volume or braid-written OME-Zarr pyramid against the
 * DVID export it came from (both through the levels' write units, the spec's shards).
 * - every output shard the source feeds exists, and no shard file exists that nothing feeds;
 * - every source block is in its shard's minishard index, except blocks that come out all
 *   zero (after mapping, cropping or decimation — confirmed by decoding them), and no chunk
 *   is there that no block explains;
 * - K chunks picked at random (seeded) decode to exactly the DVID blocks' voxels, in the
 *   label mode and z decimation recorded in `info.braid`;
 * - with `dvid`, that all blocks of each DVID file land in one output shard.
 */
import type { Backend } from "../../backend/backend.js";
import { openPyramid, type Pyramid, type PyramidFormat } from "../../formats/open-pyramid.js";
import type { LevelWriter } from "../../volume/writer.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import { convertLabels, isAllZero, type LabelArray } from "../../volume/labels.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import type { Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";
import { braidMeta } from "../export/dest-info.js";
import { errorRecord, formatError } from "../../pipeline/error-record.js";
import { ChunkMapping } from "../export/mapping.js";
import { planScale, type ScalePlan } from "../export/plan.js";
import { referenceChunk, type BlockSource } from "../export/reference.js";
import { resolveSettings } from "../export/settings.js";
import { storageFor, storageUrl } from "../../storage/by-url.js";
import { loadFiles, shardRows } from "../export/unit-files.js";
import { outputChunks } from "../export/decimate.js";
import type { ExportUnit, LabelMode } from "../export/types.js";

/** Units checked at once. */
const CONCURRENCY = 4;
/** Problems of each kind listed in the text report. */
const EXAMPLES = 10;

export interface VerifyOptions {
  /** The backend to decode on (default: the entry point's). */
  backend?: Backend;
  source: string | Storage;
  dest: string | Storage;
  /** Scales to check (default: every scale of the volume with source files). */
  scales?: number[];
  /** Random chunks to compare voxel by voxel (default 0). */
  values?: number;
  /** Also require each DVID file to land in a single output shard. */
  dvid?: boolean;
  /** Seed of the random chunk choice (default 1). */
  seed?: number;
  storage?: OpenStorageOptions;
  /** The output's format (default: detected). */
  format?: PyramidFormat;
  /** OME-Zarr: the label group `labels/<label>` (default: the one braid wrote). */
  label?: string;
}

export type ProblemKind =
  | "source-error"
  | "missing-shard"
  | "orphan-shard"
  | "missing-chunk"
  | "unexpected-chunk"
  | "value-mismatch"
  | "dvid-span";

export interface Problem {
  kind: ProblemKind;
  scale: number;
  message: string;
  /** Output shard file. */
  shard?: string;
  /** Source file. */
  file?: string;
  chunk?: string;
}

export interface ScaleReport {
  scale: number;
  key: string;
  sourceFiles: number;
  shardsExpected: number;
  shardsFound: number;
  blocks: number;
  chunksFound: number;
  /** Blocks absent from the output because they are all zero there (checked by decoding). */
  zeroAbsent: number;
  valuesChecked: number;
  /** DVID files whose blocks land in several output shards. */
  spanningFiles: number;
}

export interface VerifyReport {
  ok: boolean;
  labels: LabelMode;
  zCompress: number;
  scales: ScaleReport[];
  problems: Problem[];
}

/** splitmix64 of (seed, id): a reproducible random order of chunk ids. */
function priority(seed: bigint, id: bigint): bigint {
  let z = BigInt.asUintN(64, id + seed * 0x9e3779b97f4a7c15n);
  z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
  z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
  return z ^ (z >> 31n);
}

interface Candidate {
  priority: bigint;
  shard: string;
  cell: Vec3;
  blocks: BlockSource[];
}

/** The K lowest-priority candidates seen so far (K is small). */
class Sample {
  readonly items: Candidate[] = [];
  constructor(readonly k: number) {}

  worth(p: bigint): boolean {
    if (this.items.length < this.k) return true;
    return this.k > 0 && p < this.items[this.items.length - 1]!.priority;
  }

  add(c: Candidate): void {
    if (!this.worth(c.priority)) return;
    this.items.push(c);
    this.items.sort((a, b) => (a.priority < b.priority ? -1 : a.priority > b.priority ? 1 : 0));
    if (this.items.length > this.k) this.items.pop();
  }
}

interface ScaleContext {
  scale: LevelWriter;
  mapping: ChunkMapping;
  plan: ScalePlan;
  source: Storage;
  supervoxels: boolean;
  seed: bigint;
  sample: Sample;
  report: ScaleReport;
  problems: Problem[];
  /** Cells some source block lands in (`x,y,z`): the chunks an unsharded scale may hold. */
  expected: Set<string>;
}

function firstDifference(got: BigUint64Array, want: BigUint64Array, extent: Vec3): string | undefined {
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      const x = i % extent[0];
      const y = Math.floor(i / extent[0]) % extent[1];
      const z = Math.floor(i / (extent[0] * extent[1]));
      return `voxel (${x},${y},${z}) of the chunk is ${got[i]}, DVID says ${want[i]}`;
    }
  }
  return undefined;
}

async function verifyUnit(ctx: ScaleContext, unit: ExportUnit): Promise<void> {
  const { scale, mapping, problems, report } = ctx;
  const s = ctx.plan.scale;
  const files = await loadFiles(ctx.source, unit.files, mapping);
  try {
    for (const shardText of unit.shards) {
      const shard = BigInt(shardText);
      const file = mapping.geometry.shardFile(shard);
      const rows = shardRows(files, shard);
      const byId = new Map(outputChunks(rows).map((c) => [c.id, c]));
      const stored = await storedIds(scale, mapping, shard, byId.values());
      // An unsharded group is no one object, nor is a unit of several zarr shards: it
      // "exists" when any of its chunks does.
      const exists = stored.size > 0 || (scale.sharded && (await scale.hasShard(shard)));
      if (exists) report.shardsFound++;
      for (const c of byId.values()) ctx.expected.add(c.cell.join(","));
      report.chunksFound += stored.size;
      let lost = 0;
      for (const [id, { cell, blocks }] of byId) {
        if (stored.has(id)) {
          const p = priority(ctx.seed, id);
          if (ctx.sample.worth(p)) ctx.sample.add({ priority: p, shard: file, cell, blocks });
          continue;
        }
        // Absent is right only if the chunk comes out all zero.
        if (isAllZero(await referenceChunk(mapping, cell, blocks, ctx.supervoxels))) {
          report.zeroAbsent += blocks.length;
          continue;
        }
        lost++;
        if (exists) {
          const b = blocks[0]!;
          problems.push({
            kind: "missing-chunk",
            scale: s,
            shard: file,
            file: b.reader.where,
            chunk: `(${b.row.chunk.join(",")})`,
            message: `${b.reader.where}, chunk (${b.row.chunk.join(",")}): not in ${file} although it is not all zero`,
          });
        }
      }
      if (!exists && lost > 0) {
        const sources = rows.map((r) => r.file.reader.where);
        problems.push({
          kind: "missing-shard",
          scale: s,
          shard: file,
          message: `${file} is missing: ${lost} non-zero chunks from ${sources.join(", ")} should be there`,
        });
      }
      for (const id of stored) {
        if (byId.has(id)) continue;
        problems.push({
          kind: "unexpected-chunk",
          scale: s,
          shard: file,
          chunk: String(id),
          message: `${file} holds chunk ${id} (cell ${mapping.geometry.cells(BigUint64Array.of(id))[0]!.join(",")}) that no source block explains`,
        });
      }
    }
  } finally {
    for (const f of files) f.reader.free();
  }
}

async function checkValues(ctx: ScaleContext): Promise<void> {
  try {
    await compareSamples(ctx);
  } finally {
    // The index check freed these readers; reading sample rows opened their decoders again.
    for (const reader of new Set(ctx.sample.items.flatMap((c) => c.blocks.map((b) => b.reader)))) reader.free();
  }
}

async function compareSamples(ctx: ScaleContext): Promise<void> {
  for (const c of ctx.sample.items) {
    const want = await referenceChunk(ctx.mapping, c.cell, c.blocks, ctx.supervoxels);
    const got = await ctx.scale.readChunk(c.cell);
    ctx.report.valuesChecked++;
    const diff = got === undefined ? "the chunk is missing" : firstDifference(convertLabels(got as LabelArray, "uint64"), want, ctx.mapping.extent(c.cell));
    if (diff !== undefined) {
      const b = c.blocks[0]!;
      ctx.problems.push({
        kind: "value-mismatch",
        scale: ctx.plan.scale,
        shard: c.shard,
        file: b.reader.where,
        chunk: `(${b.row.chunk.join(",")})`,
        message: `${c.shard}, cell (${c.cell.join(",")}) from ${b.reader.where} chunk (${b.row.chunk.join(",")}): ${diff}`,
      });
    }
  }
}

/**
 * Chunk ids (the spec's) stored of a write unit (its shard indexes), or of an unsharded
 * group's expected chunks (one check each).
 */
async function storedIds(scale: LevelWriter, mapping: ChunkMapping, shard: bigint, expected: Iterable<{ id: bigint; cell: Vec3 }>): Promise<Set<bigint>> {
  if (scale.sharded) {
    const cells = await scale.listChunks(shard);
    return new Set(cells.length === 0 ? [] : mapping.geometry.chunkIds(cells));
  }
  const found = new Set<bigint>();
  await forEachConcurrent([...expected], CONCURRENCY, async (c) => {
    if (await scale.hasChunk(c.cell)) found.add(c.id);
  });
  return found;
}

async function orphans(ctx: ScaleContext): Promise<void> {
  if (!ctx.scale.sharded) {
    // Chunk objects no source block explains (a listing of the scale).
    for (const cell of await ctx.scale.listChunks()) {
      if (ctx.expected.has(cell.join(","))) continue;
      const key = ctx.scale.chunkFile(cell);
      ctx.problems.push({ kind: "unexpected-chunk", scale: ctx.plan.scale, shard: key, chunk: `(${cell.join(",")})`, message: `${key} exists but no source block lands in it` });
    }
    return;
  }
  const fed = new Set<string>();
  for (const u of ctx.plan.units) for (const s of u.shards) fed.add(s);
  for (const b of ctx.plan.blocked) fed.add(b.shard);
  for (const shard of await ctx.scale.listShards()) {
    if (fed.has(shard.toString())) continue;
    const key = ctx.scale.shardFile(shard);
    ctx.problems.push({ kind: "orphan-shard", scale: ctx.plan.scale, shard: key, message: `${key} exists but no source block lands in it` });
  }
}

async function verifyScale(volume: Pick<Pyramid, "info" | "level"> & { backend: Backend }, source: Storage, s: number, options: VerifyOptions, meta: { labels: LabelMode; zCompress: number }): Promise<{ report: ScaleReport; problems: Problem[] }> {
  const settings = resolveSettings({ supervoxels: meta.labels === "supervoxels", zCompress: s === 0 ? meta.zCompress : 0 });
  const plan = await planScale(volume.backend, source, volume.info, s, settings);
  const ctx: ScaleContext = {
    scale: volume.level(s),
    mapping: new ChunkMapping(volume.backend, volume.info, s, settings.zCompress),
    plan,
    source,
    supervoxels: meta.labels === "supervoxels",
    seed: BigInt(options.seed ?? 1) * 1000n + BigInt(s),
    sample: new Sample(options.values ?? 0),
    problems: [],
    expected: new Set(),
    report: {
      scale: s,
      key: plan.key,
      sourceFiles: plan.files.length,
      shardsExpected: plan.shards,
      shardsFound: 0,
      blocks: plan.files.reduce((n, f) => n + f.rows, 0),
      chunksFound: 0,
      zeroAbsent: 0,
      valuesChecked: 0,
      spanningFiles: plan.spanning.length,
    },
  };
  for (const f of plan.files) {
    if (f.error) ctx.problems.push({ kind: "source-error", scale: s, file: f.error.file ?? f.key, message: formatError(f.error) });
  }
  await forEachConcurrent(plan.units, CONCURRENCY, async (unit) => {
    try {
      await verifyUnit(ctx, unit);
    } catch (e) {
      const r = errorRecord(e);
      ctx.problems.push({ kind: "source-error", scale: s, ...(r.file ? { file: r.file } : {}), message: formatError(r) });
    }
  });
  await orphans(ctx);
  await checkValues(ctx);
  // DVID writes one file per neuroglancer shard; unsharded scales have no shards to span.
  if (options.dvid && ctx.scale.sharded) {
    for (const f of plan.spanning) {
      ctx.problems.push({
        kind: "dvid-span",
        scale: s,
        file: f.file,
        message: `${f.file}: its blocks land in ${f.shards.length} output shards (${f.shards.map((x) => ctx.mapping.geometry.shardFile(BigInt(x))).join(", ")}), not one`,
      });
    }
  }
  return { report: ctx.report, problems: ctx.problems };
}

export async function verifyExport(backend: Backend, options: VerifyOptions): Promise<VerifyReport> {
  const source = await storageFor(storageUrl(options.source), options.storage);
  const pyramid = await openPyramid(backend, await storageFor(storageUrl(options.dest), options.storage), {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  const volume = { backend, info: pyramid.info, level: (k: number) => pyramid.level(k) };
  const recorded = braidMeta(volume.info);
  const meta = { labels: recorded.labels ?? "bodies", zCompress: recorded.z_compress ?? 0 };
  const explicit = options.scales !== undefined;
  const scales = options.scales ?? volume.info.scales.map((_, i) => i);
  const reports: ScaleReport[] = [];
  const problems: Problem[] = [];
  for (const s of scales) {
    const r = await verifyScale(volume, source, s, options, meta);
    if (!explicit && r.report.sourceFiles === 0) continue;
    reports.push(r.report);
    problems.push(...r.problems);
  }
  return { ok: problems.length === 0, labels: meta.labels, zCompress: meta.zCompress, scales: reports, problems };
}

export function formatVerifyReport(r: VerifyReport): string {
  const lines = [`verify ${r.ok ? "passed" : "FAILED"} (${r.labels}${r.zCompress ? `, z stride ${r.zCompress + 1} at scale 0` : ""})`];
  for (const s of r.scales) {
    lines.push(
      `  scale ${s.scale} ("${s.key}"): ${s.sourceFiles} source files, ${s.blocks} blocks; ${s.shardsFound}/${s.shardsExpected} shards, ` +
        `${s.chunksFound} chunks stored, ${s.zeroAbsent} all-zero blocks absent as expected, ${s.valuesChecked} chunks compared voxel by voxel` +
        (s.spanningFiles ? `; ${s.spanningFiles} files span several shards` : ""),
    );
  }
  const kinds = [...new Set(r.problems.map((p) => p.kind))];
  for (const kind of kinds) {
    const of = r.problems.filter((p) => p.kind === kind);
    lines.push(`  ${of.length} × ${kind}`);
    for (const p of of.slice(0, EXAMPLES)) lines.push(`    ${kind}: s${p.scale} ${p.message}`);
    if (of.length > EXAMPLES) lines.push(`    … and ${of.length - EXAMPLES} more`);
  }
  return lines.join("\n");
}

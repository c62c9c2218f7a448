/**
 * The export plan: every source file's rows placed in the output scale, then files and output
 * shards grouped into connected units (a file feeding several shards, or a shard fed by
 * several files, keeps them together), so each output shard is written by exactly one unit
 * from all of its rows. Files that cannot be read block the shards they feed; everything else
 * still runs.
 */
import type { Backend } from "../../backend/backend.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import type { PrecomputedInfo } from "../../formats/precomputed/info.js";
import type { Storage } from "../../storage/types.js";
import { errorRecord } from "../../pipeline/error-record.js";
import { checkComplete, chunkOf, readSourceIndex, type SourceIndex } from "../../formats/dvid/file-index.js";
import { ChunkMapping, mapRows } from "./mapping.js";
import { listSourceScale } from "../../formats/dvid/source.js";
import type { ErrorRecord, ExportSettings, ExportUnit, SourceFileRef } from "./types.js";

/** Index files read at once while planning. */
const PLAN_CONCURRENCY = 8;
/** A unit holds at most this many shards, so one huge connected group still spreads over workers. */
const MAX_UNIT_SHARDS = 4;

export interface PlannedFile extends SourceFileRef {
  rows: number;
  /** Output shards its rows land in (decimal), ascending. */
  shards: string[];
  error?: ErrorRecord;
}

/** A shard that will not be written because a file feeding it failed. */
export interface BlockedShard {
  shard: string;
  file: string;
  /** The failed source file. */
  source: string;
  error: ErrorRecord;
}

export interface ScalePlan {
  scale: number;
  key: string;
  files: PlannedFile[];
  units: ExportUnit[];
  blocked: BlockedShard[];
  /** Files whose rows land in several output shards. */
  spanning: Array<{ file: string; shards: string[] }>;
  /** Output shards fed by several files. */
  shared: Array<{ shard: string; file: string; sources: string[] }>;
  shards: number;
  rows: number;
  sourceBytes: number;
}

export interface ExportPlan {
  source: string;
  dest: string;
  info: PrecomputedInfo;
  settings: ExportSettings;
  scales: ScalePlan[];
}

const byNumber = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** Per (file, shard): rows and the source bytes they occupy. */
type Contribution = Map<bigint, { rows: number; bytes: number }>;

function contributions(index: SourceIndex, shards: BigUint64Array, include: (i: number) => boolean): Contribution {
  const out: Contribution = new Map();
  for (let i = 0; i < index.length; i++) {
    if (!include(i)) continue;
    const s = shards[i]!;
    const c = out.get(s) ?? { rows: 0, bytes: 0 };
    c.rows += 1;
    c.bytes += index.sizes[i]! / index.batchLengths[i]!;
    out.set(s, c);
  }
  return out;
}

interface FileResult {
  file: PlannedFile;
  /** Known contributions (also for failed files, as far as their index was readable). */
  contribution: Contribution;
}

async function planFile(source: Storage, mapping: ChunkMapping, file: SourceFileRef): Promise<FileResult> {
  const planned: PlannedFile = { ...file, rows: 0, shards: [] };
  let contribution: Contribution = new Map();
  try {
    const index = await readSourceIndex(mapping.backend, source, file);
    planned.rows = index.length;
    const mapped = mapRows(mapping, index);
    // Rows outside the grid have no shard; the others still tell which shards to block.
    const inside = mapped.outside < 0 ? () => true : (i: number) => mapping.cell(chunkOf(index, i)) !== undefined;
    contribution = contributions(index, mapped.shards, inside);
    planned.shards = [...contribution.keys()].sort(byNumber).map(String);
    if (mapped.outside >= 0) throw mapping.outside(source.describe(file.key), chunkOf(index, mapped.outside));
    await checkComplete(source, index);
  } catch (e) {
    planned.error = errorRecord(e);
  }
  return { file: planned, contribution };
}

/** Union-find over shard numbers, joined through the files feeding them. */
class Components {
  readonly #parent = new Map<bigint, bigint>();

  add(s: bigint): void {
    if (!this.#parent.has(s)) this.#parent.set(s, s);
  }

  find(s: bigint): bigint {
    let r = s;
    while (this.#parent.get(r)! !== r) r = this.#parent.get(r)!;
    for (let c = s; c !== r; ) {
      const next = this.#parent.get(c)!;
      this.#parent.set(c, r);
      c = next;
    }
    return r;
  }

  union(a: bigint, b: bigint): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

function buildUnits(scale: number, results: FileResult[], blocked: Set<bigint>): ExportUnit[] {
  const feeders = new Map<bigint, FileResult[]>();
  const comps = new Components();
  for (const r of results) {
    if (r.file.error) continue;
    let first: bigint | undefined;
    for (const s of r.contribution.keys()) {
      if (blocked.has(s)) continue;
      const list = feeders.get(s) ?? [];
      list.push(r);
      feeders.set(s, list);
      comps.add(s);
      if (first === undefined) first = s;
      else comps.union(first, s);
    }
  }
  const groups = new Map<bigint, bigint[]>();
  for (const s of [...feeders.keys()].sort(byNumber)) {
    const root = comps.find(s);
    const g = groups.get(root) ?? [];
    g.push(s);
    groups.set(root, g);
  }
  const units: ExportUnit[] = [];
  for (const shards of groups.values()) {
    for (let i = 0; i < shards.length; i += MAX_UNIT_SHARDS) {
      const part = shards.slice(i, i + MAX_UNIT_SHARDS);
      const files = new Map<string, FileResult>();
      let rows = 0;
      let sourceBytes = 0;
      let maxShardRows = 0;
      for (const s of part) {
        let shardRows = 0;
        for (const r of feeders.get(s)!) {
          files.set(r.file.key, r);
          const c = r.contribution.get(s)!;
          shardRows += c.rows;
          sourceBytes += c.bytes;
        }
        rows += shardRows;
        maxShardRows = Math.max(maxShardRows, shardRows);
      }
      units.push({
        scale,
        files: [...files.values()]
          .map((r) => ({ key: r.file.key, csvKey: r.file.csvKey, bytes: r.file.bytes }))
          .sort((a, b) => (a.key < b.key ? -1 : 1)),
        shards: part.map(String),
        rows,
        sourceBytes: Math.round(sourceBytes),
        maxShardRows,
        indexRows: [...files.values()].reduce((n, r) => n + r.file.rows, 0),
      });
    }
  }
  return units;
}

/** Plans one scale of an export. Spec problems (chunk size, encoding) throw; file problems are recorded. */
export async function planScale(
  backend: Backend,
  source: Storage,
  info: PrecomputedInfo,
  scale: number,
  settings: ExportSettings,
): Promise<ScalePlan> {
  const mapping = new ChunkMapping(backend, info, scale, scale === 0 ? settings.zCompress : 0);
  const listing = await listSourceScale(source, scale);
  const results: FileResult[] = new Array(listing.files.length);
  await forEachConcurrent(listing.files, PLAN_CONCURRENCY, async (f, i) => {
    results[i] = await planFile(source, mapping, f);
  });
  const shardFile = (s: bigint) => mapping.geometry.shardFile(s);

  const blockedBy = new Map<bigint, FileResult>();
  for (const r of results) if (r.file.error) for (const s of r.contribution.keys()) if (!blockedBy.has(s)) blockedBy.set(s, r);
  const blocked: BlockedShard[] = [...blockedBy.entries()]
    .sort(([a], [b]) => byNumber(a, b))
    .map(([s, r]) => ({ shard: String(s), file: shardFile(s), source: r.file.key, error: r.file.error! }));

  const sources = new Map<bigint, string[]>();
  for (const r of results) for (const s of r.contribution.keys()) sources.set(s, [...(sources.get(s) ?? []), r.file.key]);
  const shared = [...sources.entries()]
    .filter(([, files]) => files.length > 1)
    .sort(([a], [b]) => byNumber(a, b))
    .map(([s, files]) => ({ shard: String(s), file: shardFile(s), sources: files }));

  const units = buildUnits(scale, results, new Set(blockedBy.keys()));
  return {
    scale,
    key: mapping.scale.key,
    files: results.map((r) => r.file),
    units,
    blocked,
    spanning: results.filter((r) => r.file.shards.length > 1).map((r) => ({ file: r.file.key, shards: r.file.shards })),
    shared,
    shards: sources.size,
    rows: units.reduce((n, u) => n + u.rows, 0),
    sourceBytes: units.reduce((n, u) => n + u.sourceBytes, 0),
  };
}

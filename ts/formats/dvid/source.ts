/**
 * Finds a DVID export's files: `s<k>/<name>.arrow` with `s<k>/<name>.csv` beside it (docs/formats/dvid.md §6.2).
 * File names are only labels here; where rows go is computed from their chunk coordinates.
 */
import { BraidError } from "../../errors.js";
import { forEachConcurrent } from "../../volume/concurrency.js";
import type { Storage } from "../../storage/types.js";

/** One DVID export file (`s<k>/<X>_<Y>_<Z>.arrow`) and its index. */
export interface SourceFileRef {
  /** Key of the `.arrow` file relative to the source root. */
  key: string;
  /** Key of the `.csv` index beside it. */
  csvKey: string;
  /** Size of the `.arrow` file in bytes. */
  bytes: number;
}

/** Size requests in flight while listing (one per file on object stores). */
const STAT_CONCURRENCY = 16;

export interface SourceListing {
  scale: number;
  /** Arrow files with their index keys (which may be missing), sorted by key. */
  files: SourceFileRef[];
}

export const scaleDir = (scale: number) => `s${scale}/`;

/** The export files of one scale; none when the scale directory is empty or absent. */
export async function listSourceScale(storage: Storage, scale: number): Promise<SourceListing> {
  const dir = scaleDir(scale);
  const arrows: string[] = [];
  for await (const key of storage.list(dir)) {
    const rest = key.slice(dir.length);
    if (rest.includes("/")) continue;
    if (rest.endsWith(".arrow")) arrows.push(key);
  }
  arrows.sort();
  const files: SourceFileRef[] = arrows.map((key) => ({ key, csvKey: `${key.slice(0, -".arrow".length)}.csv`, bytes: 0 }));
  await forEachConcurrent(files, STAT_CONCURRENCY, async (f) => {
    const size = await storage.size(f.key);
    if (size === undefined) {
      throw new BraidError("NOT_FOUND", `${storage.describe(f.key)} was listed but is gone`, { file: storage.describe(f.key) });
    }
    f.bytes = size;
  });
  return { scale, files };
}

/**
 * `openVolume`: any volume braid reads — neuroglancer precomputed, a zarr v2 or v3 array, an
 * OME-Zarr 0.4 / 0.5 image or label image — as one lazy `LazyVolume`. The format is found by
 * its metadata (`info`, `zarr.json`, `.zarray`/`.zattrs`), probed in an order fixed by the URL
 * (zarr first when a path component ends in `.zarr`), or named by a neuroglancer-style prefix
 * (`precomputed://`, `zarr://`, `zarr2://`, `zarr3://`). Only metadata is read.
 */
import type { Backend } from "../backend/backend.js";
import { BraidError, withContext } from "../errors.js";
import type { OpenStorageOptions } from "../storage/index.js";
import { resolveStorage } from "../storage/resolve.js";
import type { Storage } from "../storage/types.js";
import { ByteLru } from "../volume/cache.js";
import { LazyVolume } from "../volume/lazy-volume.js";
import type { VolumeSource } from "../volume/source.js";
import { parseInfo } from "./precomputed/info.js";
import { precomputedSource } from "./precomputed/source.js";
import { PrecomputedVolume } from "./precomputed/volume.js";
import { openZarr, readZarrNode } from "./zarr/open.js";

export interface OpenVolumeOptions {
  /** Backend options when the volume is given as a URL (e.g. a gs:// endpoint). */
  storage?: OpenStorageOptions;
  /** The backend codecs run on (default: the entry point's). */
  backend?: Backend;
  /** Byte budget of the cache of decoded chunks and indexes (default 256 MiB). */
  cacheBytes?: number;
  /** Chunk loads in flight per read (default 16). */
  concurrency?: number;
}

export const DEFAULT_CACHE_BYTES = 256 << 20;

type Format = "precomputed" | "zarr" | 2 | 3;

const PREFIXES: [string, Format][] = [
  ["precomputed://", "precomputed"],
  ["zarr2://", 2],
  ["zarr3://", 3],
  ["zarr://", "zarr"],
];

/** The URL without a format prefix, and the format it named. */
export function splitFormat(target: string): { url: string; format?: Format } {
  for (const [prefix, format] of PREFIXES) if (target.startsWith(prefix)) return { url: target.slice(prefix.length), format };
  return { url: target };
}

const looksZarr = (url: string) => /\.zarr(\/|$)/i.test(url.replace(/\/+$/, ""));

/** The precomputed volume at the root, or undefined when there is no `info` (one request). */
async function probePrecomputed(backend: Backend, storage: Storage, cache: ByteLru, concurrency: number): Promise<VolumeSource | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await storage.read("info");
    if (bytes === undefined) return undefined;
    const info = parseInfo(bytes);
    return precomputedSource(new PrecomputedVolume(backend, storage, info, { cache, concurrency }));
  } catch (e) {
    throw withContext(e, { file: storage.describe("info") });
  }
}

async function probeZarr(backend: Backend, storage: Storage, cache: ByteLru, zarrFormat?: 2 | 3): Promise<VolumeSource | undefined> {
  const node = await readZarrNode(storage, zarrFormat);
  return node && openZarr(backend, storage, cache, zarrFormat, node);
}

/** Opens a volume lazily: metadata now, chunks when read. */
export async function openVolume(backend: Backend, target: string | Storage, options: OpenVolumeOptions = {}): Promise<LazyVolume> {
  const { url, format } = typeof target === "string" ? splitFormat(target) : { url: target.url, format: undefined };
  const storage = await resolveStorage(typeof target === "string" ? url : target, options.storage);
  const cache = new ByteLru(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const concurrency = options.concurrency ?? 16;
  const precomputed = () => probePrecomputed(backend, storage, cache, concurrency);
  const zarr = () => probeZarr(backend, storage, cache, typeof format === "number" ? format : undefined);
  const order =
    format === "precomputed" ? [precomputed] : format !== undefined ? [zarr] : looksZarr(storage.url) ? [zarr, precomputed] : [precomputed, zarr];
  for (const probe of order) {
    const source = await probe();
    if (source) return new LazyVolume(source, cache, { concurrency });
  }
  const looked = format === "precomputed" ? "an info file" : format !== undefined ? "zarr metadata" : "an info file or zarr metadata";
  throw new BraidError("NOT_FOUND", `${storage.url} holds no volume braid reads (looked for ${looked})`, { file: storage.url });
}

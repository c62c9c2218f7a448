/**
 * Opening and creating neuroglancer precomputed volumes on any storage (`file://`, `gs://`,
 * `https://`, `memory://` or a `Storage`).
 */
import type { Backend } from "../../backend/backend.js";
import { BraidError, withContext } from "../../errors.js";
import type { OpenStorageOptions } from "../../storage/index.js";
import { resolveStorage } from "../../storage/resolve.js";
import type { Storage } from "../../storage/types.js";
import { ByteLru } from "../../volume/cache.js";
import type { VolumeWriter } from "../../volume/writer.js";
import { parseInfo, serializeInfo } from "./info.js";
import type { InfoDataType, PrecomputedInfo } from "./info.js";
import { PrecomputedScale } from "./scale.js";

export interface PrecomputedOptions {
  /** The backend chunk codecs run on (default: the entry point's). */
  backend?: Backend;
  /** Byte budget of the shard/minishard index cache shared by all scales (default 64 MiB). */
  cacheBytes?: number;
  /** A cache to share with other readers instead of one of `cacheBytes` (then ignored). */
  cache?: ByteLru;
  /** Chunk reads in flight per region read (default 16). */
  concurrency?: number;
  /** Backend options when the volume is given as a URL (e.g. a gs:// endpoint). */
  storage?: OpenStorageOptions;
}

export interface CreatePrecomputedOptions extends PrecomputedOptions {
  /** Replace an existing `info` (chunks already stored are left as they are). Default false. */
  overwrite?: boolean;
}

/**
 * A scale key relative to the volume directory, with `.` and `..` resolved the way
 * TensorStore does (`..` pops one component); keys may not leave the volume's storage.
 */
function scalePath(key: string): string {
  const parts: string[] = [];
  for (const p of key.split("/")) {
    if (p === "" || p === ".") continue;
    if (p !== "..") parts.push(p);
    else if (parts.pop() === undefined) {
      throw new BraidError("UNSUPPORTED", `scale key "${key}" points outside the volume directory`);
    }
  }
  if (parts.length === 0) throw new BraidError("SPEC_INVALID", `scale key "${key}" names the volume directory itself`);
  return parts.join("/");
}

export class PrecomputedVolume implements VolumeWriter {
  readonly scales: readonly PrecomputedScale[];
  /** Index cache shared by the scales. */
  readonly cache: ByteLru;

  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly info: PrecomputedInfo,
    options: PrecomputedOptions = {},
  ) {
    this.cache = options.cache ?? new ByteLru(options.cacheBytes ?? 64 << 20);
    const context = {
      backend,
      dataType: info.data_type,
      cache: this.cache,
      concurrency: options.concurrency ?? 16,
      channels: info.num_channels,
    };
    this.scales = info.scales.map(
      (s, i) => new PrecomputedScale(s, i, { ...context, storage: storage.child(scalePath(s.key)) }),
    );
  }

  get url(): string {
    return this.storage.url;
  }

  get dataType(): InfoDataType {
    return this.info.data_type;
  }

  get levels(): readonly PrecomputedScale[] {
    return this.scales;
  }

  level(which: number | string): PrecomputedScale {
    return this.scale(which);
  }

  /** A scale by index (0 = finest) or key. */
  scale(which: number | string): PrecomputedScale {
    const s = typeof which === "number" ? this.scales[which] : this.scales.find((x) => x.key === which);
    if (!s) {
      const keys = this.scales.map((x) => `"${x.key}"`).join(", ");
      throw new BraidError("INVALID_ARGUMENT", `${this.storage.url} has no scale ${JSON.stringify(which)} (scales: ${keys})`);
    }
    return s;
  }
}

/** Opens an existing volume: reads and validates its `info`. */
export async function openPrecomputed(
  backend: Backend,
  target: string | Storage,
  options: PrecomputedOptions = {},
): Promise<PrecomputedVolume> {
  const storage = await resolveStorage(target, options.storage);
  let info: PrecomputedInfo;
  try {
    const bytes = await storage.read("info");
    if (bytes === undefined) throw new BraidError("NOT_FOUND", "no precomputed info file");
    info = parseInfo(bytes);
  } catch (e) {
    throw withContext(e, { file: storage.describe("info") });
  }
  return new PrecomputedVolume(backend, storage, info, options);
}

/**
 * Creates a volume by writing its validated `info` atomically (explicit defaults, see
 * `serializeInfo`). Fails with `ALREADY_EXISTS` when an `info` exists, unless `overwrite`.
 */
export async function createPrecomputed(
  backend: Backend,
  target: string | Storage,
  info: PrecomputedInfo | object,
  options: CreatePrecomputedOptions = {},
): Promise<PrecomputedVolume> {
  const storage = await resolveStorage(target, options.storage);
  const parsed = parseInfo(info);
  const text = serializeInfo(parsed);
  try {
    await storage.write("info", text, { ifAbsent: !options.overwrite, contentType: "application/json" });
  } catch (e) {
    throw withContext(e, { file: storage.describe("info") });
  }
  return new PrecomputedVolume(backend, storage, parsed, options);
}

/**
 * Reads chunks out of `neuroglancer_uint64_sharded_v1` files with byte-range requests
 * (docs/formats/sharded.md §2.5–2.7): a page of the shard index, then the minishard index, then the chunk. Index
 * pages and decoded minishard indexes are cached in the volume's byte-bounded LRU. Every
 * error names the shard file and, where one is being read, the chunk id.
 */
import type { Backend } from "../../backend/backend.js";
import { gunzip } from "../../core/compression.js";
import { BraidError, withContext } from "../../errors.js";
import { decodeMinishardIndex, shardFileName } from "./sharding.js";
import type { ShardingSpec } from "./sharding.js";
import type { Storage } from "../../storage/types.js";
import type { ChunkPlace } from "./geometry.js";
import type { ByteLru } from "../../volume/cache.js";

/** Index bytes fetched per request: the whole index for minishard_bits ≤ 12. */
const INDEX_PAGE_BYTES = 64 * 1024;
/** A minishard index larger than this is corrupt (2^26 chunks in one minishard). */
const MAX_MINISHARD_INDEX_BYTES = 24 * 2 ** 26;
/** A stored chunk larger than this is corrupt. */
const MAX_STORED_CHUNK_BYTES = 2 ** 30;
/** Rough overhead of a cache entry, so tiny entries still count against the budget. */
const ENTRY_OVERHEAD = 64;
/**
 * Chunks of one batch this close in a file are fetched in one range request: the unused gap
 * costs less than another request (a local read's syscall and promise, a bucket's round trip).
 */
const COALESCE_GAP_BYTES = 32 * 1024;
/** A coalesced range request never exceeds this (bounds the memory one batch holds). */
const MAX_COALESCED_BYTES = 8 * 2 ** 20;

/** Where one chunk of a batch read lies in its shard file. */
interface ChunkSpan {
  file: string;
  chunkId: bigint;
  start: number;
  end: number;
  /** Index of the chunk in the batch. */
  at: number;
}

/** A decoded minishard index as parallel arrays, ids ascending: 24 cached bytes per chunk. */
interface MinishardTable {
  ids: BigUint64Array;
  starts: BigUint64Array;
  ends: BigUint64Array;
}

const EMPTY: MinishardTable = { ids: new BigUint64Array(0), starts: new BigUint64Array(0), ends: new BigUint64Array(0) };

const corrupt = (message: string) => new BraidError("SHARD_CORRUPT", message);

function findId(ids: BigUint64Array, id: bigint): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === id ? lo : -1;
}

export class ShardReader {
  readonly #indexBytes: bigint;
  readonly #pageBytes: number;

  /**
   * @param storage the scale directory
   * @param cachePrefix keeps this scale's cache keys apart from other scales' (the scale key)
   * @param maxPayloadBytes bound on a chunk after gunzip, against gzip bombs
   */
  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly spec: ShardingSpec,
    readonly cache: ByteLru,
    readonly cachePrefix: string,
    readonly maxPayloadBytes: number,
  ) {
    this.#indexBytes = 16n << BigInt(spec.minishard_bits);
    this.#pageBytes = Number(this.#indexBytes < BigInt(INDEX_PAGE_BYTES) ? this.#indexBytes : BigInt(INDEX_PAGE_BYTES));
  }

  fileOf(shard: bigint): string {
    return shardFileName(this.backend, this.spec, shard);
  }

  #key(file: string, part: string): string {
    return `${this.cachePrefix}/${file}#${part}`;
  }

  /** Forgets cached indexes of a shard (after it was rewritten or deleted). */
  invalidate(shard: bigint): void {
    this.cache.invalidate(this.#key(this.fileOf(shard), ""));
  }

  /** A byte range that must be fully present; `undefined` when the file is gone. */
  async #readExact(file: string, start: bigint, end: bigint, what: string): Promise<Uint8Array | undefined> {
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} [${start}, ${end}) lies beyond any real file`);
    const length = Number(end - start);
    const bytes = await this.storage.read(file, { offset: Number(start), length });
    if (bytes !== undefined && bytes.byteLength !== length) {
      throw corrupt(`${what} [${start}, ${end}) extends past the end of the file (got ${bytes.byteLength} of ${length} bytes)`);
    }
    return bytes;
  }

  /** The index page holding `minishard`'s entry; null when the shard file is missing or empty. */
  #indexPage(file: string, minishard: bigint): Promise<Uint8Array | null> {
    const page = Number((minishard * 16n) / BigInt(this.#pageBytes));
    return this.cache.get(this.#key(file, `index${page}`), async () => {
      const offset = page * this.#pageBytes;
      const bytes = await this.storage.read(file, { offset, length: this.#pageBytes });
      // TensorStore reads a zero-length shard file as a shard without chunks.
      if (bytes === undefined || (page === 0 && bytes.byteLength === 0)) return { value: null, bytes: ENTRY_OVERHEAD };
      if (bytes.byteLength !== this.#pageBytes) {
        throw corrupt(`shard index truncated: it needs ${this.#indexBytes} bytes, the file ends at ${offset + bytes.byteLength}`);
      }
      return { value: bytes, bytes: bytes.byteLength + ENTRY_OVERHEAD };
    });
  }

  /** `[start, end)` of a minishard index relative to the end of the shard index; null when the file is missing. */
  async #indexEntry(file: string, minishard: bigint): Promise<[bigint, bigint] | null> {
    const page = await this.#indexPage(file, minishard);
    if (page === null) return null;
    const at = Number((minishard * 16n) % BigInt(this.#pageBytes));
    const view = new DataView(page.buffer, page.byteOffset + at, 16);
    const start = view.getBigUint64(0, true);
    const end = view.getBigUint64(8, true);
    if (start > end) throw corrupt(`shard index entry of minishard ${minishard} is [${start}, ${end}): start after end`);
    return [start, end];
  }

  #minishard(file: string, minishard: bigint): Promise<MinishardTable | null> {
    return this.cache.get(this.#key(file, `minishard${minishard}`), async () => {
      const entry = await this.#indexEntry(file, minishard);
      if (entry === null) return { value: null, bytes: ENTRY_OVERHEAD };
      const [start, end] = entry;
      if (start === end) return { value: EMPTY, bytes: ENTRY_OVERHEAD };
      if (end - start > BigInt(MAX_MINISHARD_INDEX_BYTES)) {
        throw corrupt(`minishard ${minishard} index of ${end - start} bytes is implausibly large`);
      }
      const H = this.#indexBytes;
      const stored = await this.#readExact(file, H + start, H + end, `minishard ${minishard} index`);
      if (stored === undefined) return { value: null, bytes: ENTRY_OVERHEAD };
      const entries = decodeMinishardIndex(this.backend, this.spec, stored, minishard);
      const table: MinishardTable = {
        ids: BigUint64Array.from(entries, (e) => e.chunkId),
        starts: BigUint64Array.from(entries, (e) => e.start),
        ends: BigUint64Array.from(entries, (e) => e.end),
      };
      return { value: table, bytes: 24 * entries.length + ENTRY_OVERHEAD };
    });
  }

  /** `[start, end)` of entry `i` of a minishard table, refusing sizes no real chunk has. */
  #chunkRange(table: MinishardTable, i: number): [bigint, bigint] {
    const start = table.starts[i]!;
    const end = table.ends[i]!;
    if (end - start > BigInt(MAX_STORED_CHUNK_BYTES)) throw corrupt(`a chunk of ${end - start} bytes is implausibly large`);
    if (end > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`chunk bytes [${start}, ${end}) lie beyond any real file`);
    return [start, end];
  }

  async #payload(file: string, table: MinishardTable, i: number): Promise<Uint8Array | undefined> {
    const [start, end] = this.#chunkRange(table, i);
    const stored = await this.#readExact(file, start, end, "chunk bytes");
    if (stored === undefined || this.spec.data_encoding !== "gzip") return stored;
    return gunzip(this.backend, stored, { maxBytes: this.maxPayloadBytes });
  }

  /** Stored bytes of a chunk with `data_encoding` undone; undefined when missing (docs/formats/sharded.md §2.7). */
  async read(place: ChunkPlace): Promise<Uint8Array | undefined> {
    const file = this.fileOf(place.shard);
    try {
      const table = await this.#minishard(file, place.minishard);
      if (table === null) return undefined;
      const i = findId(table.ids, place.chunkId);
      return i < 0 ? undefined : await this.#payload(file, table, i);
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(file), chunk: place.chunkId });
    }
  }

  /**
   * Stored bytes of several chunks (`data_encoding` not undone), in the order asked; undefined
   * for missing ones. Chunks lying close together in a file — the 2×2×2 children of a pyramid
   * cell are consecutive there — come in one range request (docs/formats/sharded.md §2.7).
   */
  async readStoredMany(places: readonly ChunkPlace[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(places.length).fill(undefined);
    const spans: ChunkSpan[] = [];
    await Promise.all(
      places.map(async (place, at) => {
        const file = this.fileOf(place.shard);
        try {
          const table = await this.#minishard(file, place.minishard);
          const i = table === null ? -1 : findId(table.ids, place.chunkId);
          if (i < 0) return;
          const [start, end] = this.#chunkRange(table!, i);
          spans.push({ file, chunkId: place.chunkId, start: Number(start), end: Number(end), at });
        } catch (e) {
          throw withContext(e, { file: this.storage.describe(file), chunk: place.chunkId });
        }
      }),
    );
    spans.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start));
    const runs: ChunkSpan[][] = [];
    for (const span of spans) {
      const run = runs.at(-1);
      const head = run?.[0];
      const tail = run?.at(-1);
      const joins =
        head !== undefined &&
        head.file === span.file &&
        span.start - tail!.end <= COALESCE_GAP_BYTES &&
        span.end - head.start <= MAX_COALESCED_BYTES;
      if (joins) run!.push(span);
      else runs.push([span]);
    }
    await Promise.all(runs.map((run) => this.#readRun(run, out)));
    return out;
  }

  /** One range request for the chunks of `run` (one file, by start), sliced into `out`. */
  async #readRun(run: readonly ChunkSpan[], out: (Uint8Array | undefined)[]): Promise<void> {
    const { file } = run[0]!;
    const start = run[0]!.start;
    // Overlapping entries (a corrupt index) may end before an earlier one does.
    const end = run.reduce((e, s) => Math.max(e, s.end), 0);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.storage.read(file, { offset: start, length: end - start });
    } catch (e) {
      throw withContext(e, { file: this.storage.describe(file), chunk: run[0]!.chunkId });
    }
    if (bytes === undefined) return;
    for (const s of run) {
      if (s.end - start > bytes.byteLength) {
        const err = corrupt(
          `chunk bytes [${s.start}, ${s.end}) extend past the end of the file (it ends at ${start + bytes.byteLength})`,
        );
        throw withContext(err, { file: this.storage.describe(file), chunk: s.chunkId });
      }
      out[s.at] = bytes.subarray(s.start - start, s.end - start);
    }
  }

  /** Every minishard table of a shard in order; stops early when the file is missing. */
  async *#tables(shard: bigint): AsyncGenerator<{ file: string; table: MinishardTable }> {
    const file = this.fileOf(shard);
    const count = 1n << BigInt(this.spec.minishard_bits);
    for (let m = 0n; m < count; m++) {
      let table: MinishardTable | null;
      try {
        table = await this.#minishard(file, m);
      } catch (e) {
        throw withContext(e, { file: this.storage.describe(file) });
      }
      if (table === null) return;
      yield { file, table };
    }
  }

  /** Chunk ids stored in a shard, by minishard then ascending id; empty when the file is missing. */
  async listChunkIds(shard: bigint): Promise<BigUint64Array> {
    const parts: BigUint64Array[] = [];
    for await (const { table } of this.#tables(shard)) parts.push(table.ids);
    const out = new BigUint64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Every chunk of a shard with `data_encoding` undone, by minishard then ascending id. */
  async *readShardChunks(shard: bigint): AsyncGenerator<{ chunkId: bigint; payload: Uint8Array }> {
    for await (const { file, table } of this.#tables(shard)) {
      for (let i = 0; i < table.ids.length; i++) {
        const chunkId = table.ids[i]!;
        let payload: Uint8Array | undefined;
        try {
          payload = await this.#payload(file, table, i);
        } catch (e) {
          throw withContext(e, { file: this.storage.describe(file), chunk: chunkId });
        }
        if (payload !== undefined) yield { chunkId, payload };
      }
    }
  }
}

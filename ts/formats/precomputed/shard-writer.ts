/**
 * Streams one shard file into storage (docs/formats/sharded.md §2.5, §2.8): payloads flow through the core's
 * `ShardWriter` into an atomic `ObjectWriter` as they arrive, so memory stays flat whatever
 * the shard size; the shard index is committed last as the file's header. A shard without
 * chunks leaves no file (a stale one is deleted); a failure leaves nothing at the key.
 */
import type { Backend } from "../../backend/backend.js";
import { withContext } from "../../errors.js";
import type { ObjectWriter, Storage } from "../../storage/types.js";
import type { ShardChunk, WrittenShard } from "../../volume/writer.js";
import { ShardWriter, shardFileName } from "./sharding.js";
import type { ShardLayout, ShardingSpec } from "./sharding.js";

export interface ShardFileOptions {
  /**
   * `"tensorstore"`: chunks arrive in (minishard, id) order (`chunkIdsInShard`) and a raw/raw
   * shard is byte-identical to TensorStore's. `"indexes-at-end"` (default): any order.
   */
  layout?: ShardLayout;
  /** gzip level for gzip encodings (default the core's, 5). */
  gzipLevel?: number;
}

/** Drained data is appended in pieces of about this size: large enough for ≥ 1 GB/s locally. */
const APPEND_BYTES = 4 << 20;

export async function writeShardFile(
  backend: Backend,
  storage: Storage,
  spec: ShardingSpec,
  shard: bigint,
  chunks: AsyncIterable<ShardChunk> | Iterable<ShardChunk>,
  options: ShardFileOptions = {},
): Promise<WrittenShard> {
  const file = shardFileName(backend, spec, shard);
  const headerLength = 16 * 2 ** spec.minishard_bits;
  const writer = new ShardWriter(backend, spec, shard, {
    layout: options.layout ?? "indexes-at-end",
    ...(options.gzipLevel === undefined ? {} : { gzipLevel: options.gzipLevel }),
  });
  let out: ObjectWriter | undefined;
  let finished = false;
  // The chunk being added, so a rejected chunk is named in the error.
  let current: bigint | undefined;
  // Counted here rather than asking the writer per chunk: a backend call per chunk is
  // measurable at ~3 KB payloads. gzip makes the drained amount smaller, which is fine.
  let undrained = 0;
  const add = (chunk: ShardChunk): boolean => {
    current = chunk.chunkId;
    if ("encoded" in chunk) {
      writer.addEncodedChunk(chunk.chunkId, chunk.encoded);
      undrained += chunk.encoded.byteLength;
    } else {
      writer.addChunk(chunk.chunkId, chunk.payload);
      undrained += chunk.payload.byteLength;
    }
    current = undefined;
    return undrained >= APPEND_BYTES;
  };
  // One append stays in flight while the next piece is assembled, overlapping I/O and CPU.
  let appending: Promise<void> = Promise.resolve();
  const drain = async () => {
    undrained = 0;
    await appending;
    out ??= await storage.createWriter(file, { headerLength });
    appending = out.append(writer.takePending());
    // Observed by the next drain or below; this only keeps it from counting as unhandled.
    appending.catch(() => undefined);
  };
  try {
    // A synchronous source is walked without a microtask per chunk.
    if (Symbol.iterator in chunks) {
      for (const chunk of chunks) if (add(chunk)) await drain();
    } else {
      for await (const chunk of chunks) if (add(chunk)) await drain();
    }
    await appending;
    finished = true;
    const done = writer.finish();
    if (done.chunkCount === 0) {
      await storage.delete(file);
      return { file, chunkCount: 0, bytes: 0 };
    }
    out ??= await storage.createWriter(file, { headerLength });
    if (done.tail.byteLength > 0) await out.append(done.tail);
    await out.commit(done.index);
    return { file, chunkCount: done.chunkCount, bytes: headerLength + done.dataBytes };
  } catch (e) {
    if (!finished) writer.dispose();
    await out?.abort().catch(() => undefined);
    throw withContext(e, { file: storage.describe(file), ...(current === undefined ? {} : { chunk: current }) });
  }
}

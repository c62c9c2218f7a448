/**
 * Streams one zarr shard into storage: inner chunks go through the core's writer into an
 * atomic `ObjectWriter` as they arrive, so memory stays flat; the index is the file's tail
 * (docs/formats/zarr.md §5.4). A shard whose inner chunks are all fill leaves no object (a
 * stale one is deleted), as zarr-python writes none; a failure leaves nothing at the key.
 */
import type { Backend } from "../../backend/backend.js";
import type { RawZarrShardWriter } from "../../backend/binding.js";
import { call, withContext } from "../../errors.js";
import type { ObjectWriter, Storage } from "../../storage/types.js";
import type { Vec3 } from "../../types.js";

/** An inner chunk for a shard: clipped voxels (LE, the array's type) or an encoded chunk. */
export type ZarrInnerChunk = { position: Vec3; voxels: Uint8Array } | { position: Vec3; encoded: Uint8Array };

export interface WrittenZarrShard {
  chunkCount: number;
  bytes: number;
}

/** Drained bytes are appended in pieces of about this size. */
const APPEND_BYTES = 4 << 20;

export async function writeZarrShardFile(
  backend: Backend,
  storage: Storage,
  key: string,
  spec: Uint32Array,
  extent: Vec3,
  chunks: AsyncIterable<ZarrInnerChunk>,
): Promise<WrittenZarrShard> {
  const Writer = backend.binding.ZarrShardWriter;
  const writer: RawZarrShardWriter = call(() => new Writer(spec, Uint32Array.from(extent)));
  let out: ObjectWriter | undefined;
  let undrained = 0;
  let current: Vec3 | undefined;
  let appending: Promise<void> = Promise.resolve();
  const drain = async () => {
    undrained = 0;
    await appending;
    out ??= await storage.createWriter(key, { headerLength: 0 });
    appending = out.append(call(() => writer.takePending()));
    appending.catch(() => undefined);
  };
  let finished = false;
  try {
    for await (const c of chunks) {
      current = c.position;
      const at = Uint32Array.from(c.position);
      if ("encoded" in c) {
        call(() => writer.addEncodedChunk(at, c.encoded));
        undrained += c.encoded.byteLength;
      } else {
        call(() => writer.addClippedChunk(at, c.voxels));
        undrained += c.voxels.byteLength >> 2;
      }
      current = undefined;
      if (undrained >= APPEND_BYTES) await drain();
    }
    await appending;
    const pending = call(() => writer.takePending());
    finished = true;
    const done = call(() => writer.finish());
    if (done.chunkCount === 0) {
      await out?.abort();
      await storage.delete(key);
      return { chunkCount: 0, bytes: 0 };
    }
    out ??= await storage.createWriter(key, { headerLength: 0 });
    if (pending.byteLength > 0) await out.append(pending);
    await out.append(done.tail);
    await out.commit();
    return { chunkCount: done.chunkCount, bytes: done.fileLen };
  } catch (e) {
    if (!finished) writer.free?.();
    await out?.abort().catch(() => undefined);
    throw withContext(e, { file: storage.describe(key), ...(current === undefined ? {} : { chunk: current }) });
  }
}

/** Precomputed volumes written for tests: by braid chunk by chunk or shard by shard, or by TensorStore. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chunkIdsInShard, type PrecomputedInfo, type PrecomputedScale, type ShardChunk, type Vec3 } from "braid-seg";
import { runPython } from "./python.js";
import { tempDir } from "./temp.js";
import { bytesOf, crop } from "./volume.js";

export const isZero = (v: BigUint64Array) => v.every((x) => x === 0n);

export function allCells(scale: PrecomputedScale): Vec3[] {
  const [gx, gy, gz] = scale.geometry.gridShape;
  const cells: Vec3[] = [];
  for (let z = 0; z < gz; z++) for (let y = 0; y < gy; y++) for (let x = 0; x < gx; x++) cells.push([x, y, z]);
  return cells;
}

/** The chunks of one shard in the given id order, all-zero ones left out as TensorStore does. */
function* shardChunks(scale: PrecomputedScale, volume: BigUint64Array, ids: BigUint64Array): Generator<ShardChunk> {
  const g = scale.geometry;
  const cells = g.cells(ids);
  for (let i = 0; i < ids.length; i++) {
    const data = crop(volume, g.domain, g.chunkBox(cells[i]!));
    if (!isZero(data)) yield { chunkId: ids[i]!, payload: scale.encodeChunk(cells[i]!, data) };
  }
}

/**
 * Writes a whole scale with braid: unsharded chunk by chunk, sharded shard by shard in
 * TensorStore's order (`chunkIdsInShard`) or, when shards are not boxes (murmur), grouped from
 * the chunk placements.
 */
export async function braidWrite(
  scale: PrecomputedScale,
  volume: BigUint64Array,
  layout: "tensorstore" | "indexes-at-end",
): Promise<void> {
  const g = scale.geometry;
  if (!scale.sharded) {
    for (const cell of allCells(scale)) await scale.writeChunk(cell, crop(volume, g.domain, g.chunkBox(cell)));
    return;
  }
  const spec = scale.info.sharding!;
  const boxes = g.shards();
  if (boxes) {
    for (const { shard } of boxes) {
      await scale.writeShard(shard, shardChunks(scale, volume, chunkIdsInShard(spec, g.size, g.chunkSize, shard)), { layout });
    }
    return;
  }
  const byShard = new Map<bigint, { minishard: bigint; chunkId: bigint }[]>();
  for (const p of g.place(allCells(scale))) byShard.set(p.shard, [...(byShard.get(p.shard) ?? []), p]);
  for (const [shard, places] of byShard) {
    places.sort((a, b) => (a.minishard === b.minishard ? (a.chunkId < b.chunkId ? -1 : 1) : a.minishard < b.minishard ? -1 : 1));
    await scale.writeShard(shard, shardChunks(scale, volume, BigUint64Array.from(places, (p) => p.chunkId)), { layout });
  }
}

/** Writes `volume` as the only scale of `info` with TensorStore. */
export function tensorstoreWrite(dir: string, info: PrecomputedInfo, volume: BigUint64Array): void {
  const work = tempDir("precomputed");
  writeFileSync(join(work, "info.json"), JSON.stringify(info));
  const raw = info.data_type === "uint32" ? Uint32Array.from(volume, Number) : volume;
  writeFileSync(join(work, "volume.raw"), bytesOf(raw));
  runPython("write_precomputed.py", [dir, "--info", join(work, "info.json"), "--volume", join(work, "volume.raw")]);
}


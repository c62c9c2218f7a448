/**
 * `openVolume` on the backend under test (native and wasm): the `sharding_indexed` vector of
 * docs/formats/zarr.md §5.4 in both index locations and both inner-chunk orders, a corrupt
 * index, a gzip-compressed zarr v3 shard, and a sharded compressed_segmentation precomputed
 * volume in memory storage — the codecs braid runs in its core, on each backend.
 */
import { describe, expect, it } from "vitest";
import {
  BraidError,
  MemoryStorage,
  core,
  createPrecomputed,
  gzip,
  openVolume,
  type PrecomputedInfo,
  type Storage,
} from "braid-seg";
import { crc32c } from "../ts/formats/zarr/crc32c.js";
import { hex } from "./helpers/data.js";

let stores = 0;
const memory = (): Storage => new MemoryStorage(`open-volume-${core.name}-${stores++}`);

const zarrJson = (indexLocation: "start" | "end", inner: object[] = [{ name: "bytes" }], shape = [4, 4], shard = [4, 4], chunk = [2, 2], dtype = "uint8") =>
  JSON.stringify({
    zarr_format: 3,
    node_type: "array",
    shape,
    data_type: dtype,
    chunk_grid: { name: "regular", configuration: { chunk_shape: shard } },
    chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
    fill_value: 0,
    codecs: [
      {
        name: "sharding_indexed",
        configuration: {
          chunk_shape: chunk,
          codecs: inner,
          index_codecs: [{ name: "bytes", configuration: { endian: "little" } }, { name: "crc32c" }],
          index_location: indexLocation,
        },
      },
    ],
    dimension_names: ["y", "x"],
  });

// docs/formats/zarr.md §5.4: rows 1 2 3 4 / 5 6 7 8 / 9 10 0 0 / 13 14 0 0.
const ROWS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 13, 14, 0, 0];
const VECTORS = {
  "TensorStore, end": ["end", "0102050603040708090a0d0e 0000000000000000 0400000000000000 0400000000000000 0400000000000000 0800000000000000 0400000000000000 ffffffffffffffff ffffffffffffffff 430bc9df"],
  "TensorStore, start": ["start", "4400000000000000 0400000000000000 4800000000000000 0400000000000000 4c00000000000000 0400000000000000 ffffffffffffffff ffffffffffffffff c36fbb41 0102050603040708090a0d0e"],
  "zarr-python (Morton order), end": ["end", "01020506 090a0d0e 03040708 0000000000000000 0400000000000000 0800000000000000 0400000000000000 0400000000000000 0400000000000000 ffffffffffffffff ffffffffffffffff f6246450"],
} as const;

async function expectCode(p: Promise<unknown>, code: string, text: string): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(BraidError);
  expect((e as BraidError).code).toBe(code);
  expect((e as BraidError).message).toContain(text);
}

describe(`openVolume on ${core.name}`, () => {
  it.each(Object.entries(VECTORS))("reads the §5.4 shard as %s", async (_, [location, bytes]) => {
    const s = memory();
    await s.write("zarr.json", zarrJson(location));
    await s.write("c/0/0", hex(bytes.replace(/ /g, "")));
    const v = await openVolume(s);
    expect(v.format).toBe("zarr v3");
    expect(v.scales[0]!.shape).toEqual([4, 4, 1]);
    expect(v.scales[0]!.chunkShape).toEqual([2, 2, 1]);
    const r = await v.read({});
    expect(r.shape).toEqual([4, 4, 1]);
    expect(Array.from(r.data as Uint8Array)).toEqual(ROWS);
    const part = await v.read({ roi: { start: [1, 1, 0], stop: [3, 4, 1] } });
    expect(Array.from(part.data as Uint8Array)).toEqual([6, 7, 10, 0, 14, 0]);
  });

  it("refuses a shard index whose checksum does not match", async () => {
    const s = memory();
    const bytes = hex(VECTORS["TensorStore, end"][1].replace(/ /g, ""));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 1;
    await s.write("zarr.json", zarrJson("end"));
    await s.write("c/0/0", bytes);
    const v = await openVolume(s);
    await expectCode(v.read({}), "ZARR_CORRUPT", "crc32c mismatch");
  });

  it("decodes gzip inner chunks in the core: a 2×2 grid of 8³ uint64 chunks, one absent", async () => {
    const s = memory();
    const n = 8 ** 3;
    const chunks = [0, 1, 2].map((k) => BigUint64Array.from({ length: n }, (_, i) => (BigInt(k + 1) << 40n) + BigInt(i)));
    const parts = chunks.map((c) => gzip(new Uint8Array(c.buffer), 6));
    // C order over [z, y, x] inner cells: (0,0,0) (0,0,1) (0,1,0) (0,1,1); (0,1,1) is absent.
    const index = new BigUint64Array(8);
    let at = 0n;
    parts.forEach((p, i) => {
      index[2 * i] = at;
      index[2 * i + 1] = BigInt(p.byteLength);
      at += BigInt(p.byteLength);
    });
    index[6] = index[7] = 0xffffffffffffffffn;
    const indexBytes = new Uint8Array(index.buffer);
    const crc = new Uint8Array(4);
    new DataView(crc.buffer).setUint32(0, crc32c(indexBytes), true);
    const shard = new Uint8Array([...parts.flatMap((p) => [...p]), ...indexBytes, ...crc]);
    await s.write(
      "zarr.json",
      zarrJson("end", [{ name: "bytes", configuration: { endian: "little" } }, { name: "gzip", configuration: { level: 6 } }], [8, 16, 16], [8, 16, 16], [8, 8, 8], "uint64").replace(
        '["y","x"]',
        '["z","y","x"]',
      ),
    );
    await s.write("c/0/0/0", shard);
    const v = await openVolume(s);
    const seen: (bigint | undefined)[] = [];
    for await (const c of v.chunks({})) seen.push((c.data as BigUint64Array | undefined)?.[5]);
    expect(seen).toEqual([(1n << 40n) + 5n, (2n << 40n) + 5n, (3n << 40n) + 5n, undefined]);
    const r = await v.read({ roi: { start: [7, 7, 0], stop: [9, 9, 1] } });
    expect(Array.from(r.data as BigUint64Array)).toEqual([chunks[0]![63]!, chunks[1]![56]!, chunks[2]![7]!, 0n]);
  });

  it("reads a sharded compressed_segmentation precomputed volume from memory storage", async () => {
    const s = memory();
    const info: PrecomputedInfo = {
      "@type": "neuroglancer_multiscale_volume",
      type: "segmentation",
      data_type: "uint64",
      num_channels: 1,
      scales: [
        {
          key: "s0",
          size: [20, 12, 9],
          voxel_offset: [-4, 0, 2],
          resolution: [4, 4, 30],
          chunk_sizes: [[8, 8, 8]],
          encoding: "compressed_segmentation",
          compressed_segmentation_block_size: [4, 4, 4],
          sharding: {
            "@type": "neuroglancer_uint64_sharded_v1",
            hash: "identity",
            preshift_bits: 0,
            minishard_bits: 1,
            shard_bits: 3,
            minishard_index_encoding: "gzip",
            data_encoding: "gzip",
          },
        },
      ],
    };
    const volume = await createPrecomputed(s, info);
    const scale = volume.scale(0);
    const label = (x: number, y: number, z: number) => BigInt(1 + Math.floor(x / 3) + 10 * Math.floor(y / 5)) * 1000000007n + BigInt(z);
    for (const b of scale.shards()!) {
      const { chunkIds, cells } = scale.chunksInShard(b.shard);
      const chunks = cells.map((cell, i) => {
        const box = scale.grid.chunkBox(cell);
        const data = new BigUint64Array(box.shape[0] * box.shape[1] * box.shape[2]);
        let k = 0;
        for (let z = 0; z < box.shape[2]; z++)
          for (let y = 0; y < box.shape[1]; y++) for (let x = 0; x < box.shape[0]; x++) data[k++] = label(box.origin[0] + x, box.origin[1] + y, box.origin[2] + z);
        return { chunkId: chunkIds[i]!, payload: scale.encodeChunk(cell, data) };
      });
      await scale.writeShard(b.shard, chunks, { ordered: true });
    }
    const v = await openVolume(s);
    expect(v.format).toBe("precomputed");
    const r = await v.read({ bbox: { min: [-10, 4, 80], max: [30, 40, 200] } });
    expect(r.roi).toEqual({ start: [-3, 1, 2], stop: [8, 10, 7] });
    expect(r.origin).toEqual([-12, 4, 60]);
    const [sx, sy] = r.shape as [number, number, number];
    const at = (x: number, y: number, z: number) => (r.data as BigUint64Array)[x - -3 + sx * (y - 1 + sy * (z - 2))];
    for (const [x, y, z] of [
      [-3, 1, 2],
      [7, 9, 6],
      [4, 5, 3],
    ] as const)
      expect(at(x, y, z)).toBe(label(x, y, z));
  });
});

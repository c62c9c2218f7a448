/**
 * Lazy reads, decoded MB/s (bytes of voxels handed out per second), on one core: this process
 * is pinned to one CPU with `taskset -a` (the libuv pool included) and the Python readers run
 * under `taskset -c` with their thread pools at one thread. Both volumes are 256³ uint64 tiled
 * from the real DVID blocks of shared/data (mCNS segmentation), 64³ chunks.
 *
 * (a) a sharded zarr v3 array (written by TensorStore: 128³ shards, gzip inner chunks, index at
 *     the end): braid (native, wasm) vs zarrita.js alone (same storage layer, its own codecs and
 *     shard reader) vs TensorStore vs zarr-python;
 * (b) a sharded precomputed compressed_segmentation volume (written by braid, gzip data):
 *     braid (native, wasm) vs TensorStore;
 * each chunk by chunk (every chunk of the volume, one read each) and as one ROI read of a box
 * not aligned to chunks, cold (a fresh open, nothing cached) and cached (a second pass with a
 * cache that holds it). Then where braid's time goes: storage reads, gzip (braid's core vs the
 * DecompressionStream zarrita uses), compressed_segmentation, and assembly (a cached ROI).
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as native from "braid-seg/native";
import * as wasm from "braid-seg/wasm";
import { createPrecomputed, openStorage, type LazyVolume, type PrecomputedInfo, type Storage, type Vec3 } from "braid-seg";
import * as zarr from "zarrita";
import { decodeShardIndex, parseSharding } from "../ts/formats/zarr/sharding.js";
import { braidWrite } from "../test/helpers/precomputed.js";
import { python } from "../test/helpers/python.js";
import { repoRoot } from "../test/helpers/data.js";
import { fileUrl, tempDir } from "../test/helpers/temp.js";
import { writeZarr } from "../test/helpers/zarr.js";
import { CHUNK_BYTES, loadCodecInputs } from "./codec.fixture.js";
import { report } from "./report.js";

const N = 256;
const C = 64;
const REPS = 3;
const MB = 1e6;
const VOLUME_BYTES = N ** 3 * 8;
/** The ROI: [17, 239) on every axis, 222³ voxels crossing chunk and shard faces. */
const ROI = { start: [17, 17, 17] as Vec3, stop: [239, 239, 239] as Vec3 };
const ROI_BYTES = 222 ** 3 * 8;

let dir: string;
let cpu = -1;

function pin(): void {
  try {
    cpu = availableParallelism() - 1;
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(process.pid)], { stdio: "ignore" });
  } catch {
    cpu = -1;
  }
}

function unpin(): void {
  if (cpu >= 0) execFileSync("taskset", ["-a", "-p", "-c", `0-${availableParallelism() - 1}`, String(process.pid)], { stdio: "ignore" });
}

/** 256³ tiled from the real 64³ DVID blocks, x fastest. */
function realVolume(): BigUint64Array {
  const blocks = loadCodecInputs(native).volumes;
  const out = new BigUint64Array(N ** 3);
  const k = N / C;
  for (let bz = 0; bz < k; bz++)
    for (let by = 0; by < k; by++)
      for (let bx = 0; bx < k; bx++) {
        const block = blocks[(bx + k * (by + k * bz)) * 3 % blocks.length]!;
        for (let z = 0; z < C; z++)
          for (let y = 0; y < C; y++) {
            const src = C * (y + C * z);
            out.set(block.subarray(src, src + C), bx * C + N * (by * C + y + N * (bz * C + z)));
          }
      }
  return out;
}

/** Seconds of wall clock and of CPU (this process, all threads: on one core, the work's cost). */
interface Timing {
  wall: number;
  cpu: number;
}

/**
 * Best of REPS timings of `run`; `fresh` runs before each, untimed (cold: a new open). The
 * machine is shared, so CPU time is reported next to wall time: it is what other load on the
 * machine does not inflate.
 */
async function best(run: () => Promise<void>, fresh?: () => Promise<void>): Promise<Timing> {
  const t = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < REPS; i++) {
    if (fresh) await fresh();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const c = process.cpuUsage(c0);
    t.wall = Math.min(t.wall, (performance.now() - t0) / 1000);
    t.cpu = Math.min(t.cpu, (c.user + c.system) / 1e6);
  }
  return t;
}

/** `name` and `name_cpu` in MB/s for `bytes` decoded in `t`. */
function rate(out: Record<string, number>, name: string, bytes: number, t: Timing): void {
  out[name] = bytes / MB / t.wall;
  out[`${name}_cpu`] = bytes / MB / t.cpu;
}

type Open = () => Promise<LazyVolume>;

/** chunks/roi × cold/cached: cold reopens before every pass, cached repeats passes on one open. */
async function passes(reopen: () => Promise<void>, chunks: () => Promise<void>, roi: () => Promise<void>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  rate(out, "chunks_cold", VOLUME_BYTES, await best(chunks, reopen));
  await reopen();
  await chunks();
  rate(out, "chunks_cached", VOLUME_BYTES, await best(chunks));
  rate(out, "roi_cold", ROI_BYTES, await best(roi, reopen));
  await reopen();
  await roi();
  rate(out, "roi_cached", ROI_BYTES, await best(roi));
  return out;
}

/** chunks/roi × cold/cached for one braid entry. */
async function braidRates(open: Open): Promise<Record<string, number>> {
  let v!: LazyVolume;
  const reopen = async () => {
    v = await open();
  };
  const chunks = async () => {
    let bytes = 0;
    for await (const c of v.chunks({})) bytes += c.data!.byteLength;
    expect(bytes).toBe(VOLUME_BYTES);
  };
  const roi = async () => {
    expect((await v.read({ roi: ROI })).data.byteLength).toBe(ROI_BYTES);
  };
  return passes(reopen, chunks, roi);
}

/** A Python reader's MB/s (wall and CPU), pinned like this process. */
function pythonRate(out: Record<string, number>, path: string, reader: string, mode: "chunks" | "roi", cache: "cold" | "cached", origin = [0, 0, 0]): void {
  const box = mode === "roi" ? [ROI.start[2], ROI.stop[2], ROI.start[1], ROI.stop[1], ROI.start[0], ROI.stop[0]] : [0, N, 0, N, 0, N];
  const lo = origin;
  const args = [
    join(repoRoot, "test/oracle/time_read.py"),
    path,
    "--reader",
    reader,
    "--mode",
    mode,
    `--box=${box.map((v, i) => v + lo[Math.floor(i / 2)]!).join(",")}`,
    "--chunk",
    `${C},${C},${C}`,
    `--origin=${lo.join(",")}`,
    "--cache",
    cache,
    "--reps",
    String(REPS),
  ];
  const cmd = cpu >= 0 ? ["taskset", ["-c", String(cpu), python, ...args]] : [python, args];
  const r = JSON.parse(execFileSync(cmd[0] as string, cmd[1] as string[], { encoding: "utf8" })) as { seconds: number; cpu_seconds: number; bytes: number };
  rate(out, `${mode}_${cache}`, r.bytes, { wall: r.seconds, cpu: r.cpu_seconds });
}

/** zarrita's store interface over braid's storage: both readers share one I/O layer. */
function zarritaStore(storage: Storage) {
  return {
    get: (key: string) => storage.read(key.slice(1)),
    getRange: (key: string, range: { offset: number; length: number } | { suffixLength: number }) =>
      storage.read(key.slice(1), "suffixLength" in range ? { suffix: range.suffixLength } : range),
  };
}

async function zarritaRates(storage: Storage): Promise<Record<string, number>> {
  let arr!: zarr.Array<zarr.DataType, ReturnType<typeof zarritaStore>>;
  const reopen = async () => {
    arr = await zarr.open.v3(zarritaStore(storage), { kind: "array" });
  };
  const k = N / C;
  const cells = Array.from({ length: k ** 3 }, (_, i) => [Math.floor(i / (k * k)), Math.floor(i / k) % k, i % k]);
  const chunks = async () => {
    let bytes = 0;
    // The same 16 loads in flight as braid's iterator.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < cells.length) {
          const chunk = await arr.getChunk(cells[next++]!);
          bytes += (chunk.data as BigUint64Array).byteLength;
        }
      }),
    );
    expect(bytes).toBe(VOLUME_BYTES);
  };
  const roi = async () => {
    const s = (d: number) => zarr.slice(ROI.start[d]!, ROI.stop[d]!);
    const r = await zarr.get(arr, [s(2), s(1), s(0)]);
    expect((r.data as BigUint64Array).byteLength).toBe(ROI_BYTES);
  };
  // zarrita caches no decoded chunks; "cached" is a second pass on one opened array (shard indexes kept).
  return passes(reopen, chunks, roi);
}

/** The stored inner chunks of the zarr array, read straight from the shards. */
async function zarrPayloads(storage: Storage): Promise<Uint8Array[]> {
  const meta = JSON.parse(new TextDecoder().decode(await storage.read("zarr.json"))) as { codecs: [{ name: string; configuration: Record<string, unknown> }]; chunk_grid: { configuration: { chunk_shape: number[] } } };
  const config = parseSharding(meta.codecs[0], meta.chunk_grid.configuration.chunk_shape, "zarr.json");
  const out: Uint8Array[] = [];
  const shards = N / 128;
  for (let i = 0; i < shards ** 3; i++) {
    const key = `c/${Math.floor(i / 4)}/${Math.floor(i / 2) % 2}/${i % 2}`;
    const index = decodeShardIndex((await storage.read(key, { suffix: config.indexBytes }))!, config);
    for (let j = 0; j < index.length; j += 2) out.push((await storage.read(key, { offset: Number(index[j]), length: Number(index[j + 1]) }))!);
  }
  return out;
}

async function decompressionStream(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Response(bytes.slice()).body!.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `a / b` for each key, wall and CPU: `<prefix>_<key>` and `<prefix>_<key>_cpu`. */
function ratios(prefix: string, a: Record<string, number>, b: Record<string, number>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    if (b[k] === undefined) continue;
    out[`${prefix}_${k}`] = Number((a[k]! / b[k]!).toFixed(2));
    out[`${prefix}_${k}_cpu`] = Number((a[`${k}_cpu`]! / b[`${k}_cpu`]!).toFixed(2));
  }
  return out;
}

beforeAll(async () => {
  pin();
  dir = tempDir("bench-volume-read");
  const volume = realVolume();
  // (a) TensorStore writes the zarr array; (b) braid writes the precomputed volume.
  writeZarr(join(dir, "labels.zarr"), {
    writer: "tensorstore",
    zarr_format: 3,
    arrays: [{ path: "", data: volume, dtype: "uint64", shape: [N, N, N], chunks: [C, C, C], shards: [128, 128, 128], codec: "gzip", dimension_names: ["z", "y", "x"] }],
  });
  const info: PrecomputedInfo = {
    "@type": "neuroglancer_multiscale_volume",
    type: "segmentation",
    data_type: "uint64",
    num_channels: 1,
    scales: [
      {
        key: "8_8_8",
        size: [N, N, N],
        voxel_offset: [0, 0, 0],
        resolution: [8, 8, 8],
        chunk_sizes: [[C, C, C]],
        encoding: "compressed_segmentation",
        compressed_segmentation_block_size: [8, 8, 8],
        sharding: {
          "@type": "neuroglancer_uint64_sharded_v1",
          hash: "identity",
          preshift_bits: 3,
          minishard_bits: 3,
          shard_bits: 0,
          minishard_index_encoding: "gzip",
          data_encoding: "gzip",
        },
      },
    ],
  };
  const created = await createPrecomputed(fileUrl(join(dir, "precomputed")), info);
  await braidWrite(created.scale(0), volume, "tensorstore");
}, 1_200_000);

afterAll(() => {
  unpin();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pinned = () => (cpu >= 0 ? `taskset cpu ${cpu}` : "unpinned");
const cacheBytes = 2 * VOLUME_BYTES;

it("(a) sharded zarr v3 uint64: braid vs zarrita.js vs TensorStore vs zarr-python", async () => {
  const path = join(dir, "labels.zarr");
  const storage = await openStorage(fileUrl(path));
  const rows: Record<string, Record<string, number>> = {
    braid_native: await braidRates(() => native.openVolume(fileUrl(path), { cacheBytes })),
    braid_wasm: await braidRates(() => wasm.openVolume(fileUrl(path), { cacheBytes })),
    zarrita: await zarritaRates(storage),
    tensorstore: {},
    zarr_python: {},
  };
  for (const mode of ["chunks", "roi"] as const) {
    for (const cache of ["cold", "cached"] as const) pythonRate(rows.tensorstore!, path, "tensorstore-zarr3", mode, cache);
    pythonRate(rows.zarr_python!, path, "zarr-python", mode, "cold");
  }
  for (const [who, r] of Object.entries(rows)) report(`volume read (a) zarr v3 sharded uint64 256³, gzip 64³ in 128³ shards: ${who}, MB/s`, { ...r, cpu: pinned() }, who.replace(/^braid_/, ""));
  const b = rows.braid_native!;
  const w = rows.braid_wasm!;
  report("volume read (a) ratios", {
    ...ratios("native_vs_zarrita", b, rows.zarrita!, ["chunks_cold", "roi_cold", "chunks_cached", "roi_cached"]),
    ...ratios("wasm_vs_zarrita", w, rows.zarrita!, ["chunks_cold", "roi_cold"]),
    ...ratios("native_vs_tensorstore", b, rows.tensorstore!, ["chunks_cold", "roi_cold", "chunks_cached", "roi_cached"]),
    ...ratios("wasm_vs_tensorstore", w, rows.tensorstore!, ["chunks_cold", "roi_cold"]),
    ...ratios("native_vs_zarr_python", b, rows.zarr_python!, ["chunks_cold", "roi_cold"]),
  }, "ratio");

  // Where the time goes, cold: reading the stored bytes, gunzip, the rest (CPU seconds).
  const payloads: Uint8Array[] = [];
  const io = await best(async () => {
    payloads.length = 0;
    payloads.push(...(await zarrPayloads(storage)));
  });
  const stored = payloads.reduce((n, p) => n + p.byteLength, 0);
  const gz = async (f: (p: Uint8Array) => Uint8Array | Promise<Uint8Array>) =>
    VOLUME_BYTES / MB / (await best(async () => {
      for (const p of payloads) expect((await f(p)).byteLength).toBe(CHUNK_BYTES);
    })).cpu;
  report("volume read (a) where the time goes (cold, one core, CPU)", {
    stored_MB: stored / MB,
    read_stored_bytes_cpu_s: io.cpu,
    gunzip_native_MB_per_cpu_s: await gz((p) => native.gunzip(p)),
    gunzip_native_async_MB_per_cpu_s: await gz((p) => native.gunzipAsync(p)),
    gunzip_wasm_MB_per_cpu_s: await gz((p) => wasm.gunzip(p)),
    gunzip_node_zlib_MB_per_cpu_s: await gz((p) => gunzipSync(p)),
    gunzip_DecompressionStream_MB_per_cpu_s: await gz(decompressionStream),
    braid_native_chunks_cold_cpu_s: VOLUME_BYTES / MB / b.chunks_cold_cpu!,
    braid_native_roi_cold_cpu_s: ROI_BYTES / MB / b.roi_cold_cpu!,
    braid_native_roi_cached_cpu_s: ROI_BYTES / MB / b.roi_cached_cpu!,
  }, "native");
});

it("(b) sharded precomputed compressed_segmentation: braid vs TensorStore", async () => {
  const path = join(dir, "precomputed");
  const rows: Record<string, Record<string, number>> = {
    braid_native: await braidRates(() => native.openVolume(fileUrl(path), { cacheBytes })),
    braid_wasm: await braidRates(() => wasm.openVolume(fileUrl(path), { cacheBytes })),
    tensorstore: {},
  };
  for (const mode of ["chunks", "roi"] as const)
    for (const cache of ["cold", "cached"] as const) pythonRate(rows.tensorstore!, path, "tensorstore-precomputed", mode, cache);
  for (const [who, r] of Object.entries(rows)) report(`volume read (b) precomputed sharded cseg uint64 256³, gzip, 64³ chunks: ${who}, MB/s`, { ...r, cpu: pinned() }, who.replace(/^braid_/, ""));
  const b = rows.braid_native!;
  const w = rows.braid_wasm!;
  report("volume read (b) ratios", {
    ...ratios("native_vs_tensorstore", b, rows.tensorstore!, ["chunks_cold", "roi_cold", "chunks_cached", "roi_cached"]),
    ...ratios("wasm_vs_tensorstore", w, rows.tensorstore!, ["chunks_cold", "roi_cold"]),
    ...ratios("wasm_vs_native", w, b, ["chunks_cold", "roi_cold"]),
  }, "ratio");

  // Where the time goes: the cseg decode of every chunk (payloads with gzip undone), CPU.
  const scale = (await native.openPrecomputed(fileUrl(path))).scale(0);
  const payloads: Uint8Array[] = [];
  for (const { shard } of scale.shards()!) for await (const c of scale.readShardChunks(shard)) payloads.push(c.payload);
  const cseg = async (f: (p: Uint8Array) => BigUint64Array | Promise<BigUint64Array>) =>
    VOLUME_BYTES / MB / (await best(async () => {
      for (const p of payloads) expect((await f(p)).byteLength).toBe(CHUNK_BYTES);
    })).cpu;
  const shape: Vec3 = [C, C, C];
  report("volume read (b) where the time goes (CPU)", {
    stored_cseg_MB: payloads.reduce((n, p) => n + p.byteLength, 0) / MB,
    cseg_decode_native_MB_per_cpu_s: await cseg((p) => native.decodeCompressedSegmentation(p, shape)),
    cseg_decode_native_async_MB_per_cpu_s: await cseg((p) => native.decodeCompressedSegmentationAsync(p, shape)),
    cseg_decode_wasm_MB_per_cpu_s: await cseg((p) => wasm.decodeCompressedSegmentation(p, shape)),
    braid_native_chunks_cold_cpu_s: VOLUME_BYTES / MB / b.chunks_cold_cpu!,
    braid_native_roi_cold_cpu_s: ROI_BYTES / MB / b.roi_cold_cpu!,
  }, "native");
});

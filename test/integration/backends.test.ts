/**
 * Backends are values: `braid-seg/native` and `braid-seg/wasm` imported in one process give
 * two independent backends, each entry's functions keep running on their own, and a `backend`
 * option picks one per call — down to the codec calls deep inside a volume read or an export.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as node from "braid-seg";
import * as native from "braid-seg/native";
import * as wasm from "braid-seg/wasm";
import { Backend } from "braid-seg";
import { REAL_SHARD } from "../helpers/arrow.js";
import { dvidData, sha256 } from "../helpers/data.js";
import { realSource, MCNS_SPEC, tempDir } from "../helpers/export.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A backend over `inner`'s bindings that records the name of every binding member used. */
function spying(inner: Backend): { backend: Backend; calls: Set<string> } {
  const calls = new Set<string>();
  const binding = new Proxy(inner.binding, {
    get(target, key, receiver) {
      if (typeof key === "string") calls.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  return { backend: new Backend(inner.name, binding), calls };
}

/** Voxel origin of the real shard's first non-empty block (its chunk coordinate × 64). */
function firstBlockOrigin(): [number, number, number] {
  const decoder = new native.ArrowStreamDecoder();
  const records = decoder.push(readFileSync(dvidData(REAL_SHARD)));
  decoder.finish();
  let i = 0;
  while (native.transcodeDvidBlock(records.block(i), { labels: records.labels(i) }) === null) i++;
  const [x, y, z] = records.chunk(i);
  records.free();
  return [x * 64, y * 64, z * 64];
}

/** Digests of every real record's fused transcode (+gzip) through one entry's functions. */
function transcodeDigests(api: typeof native | typeof wasm): string[] {
  const decoder = new api.ArrowStreamDecoder();
  const records = decoder.push(readFileSync(dvidData(REAL_SHARD)));
  decoder.finish();
  const out: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const payload = api.transcodeDvidBlock(records.block(i), { labels: records.labels(i), gzip: 6 });
    out.push(payload === null ? "zero" : sha256(payload));
  }
  records.free();
  return out;
}

describe("two entry points in one process", () => {
  it("each reports its own backend, and the default entry reports its own", () => {
    expect(native.backend).toBe("native");
    expect(wasm.backend).toBe("wasm");
    expect(native.core.name).toBe("native");
    expect(wasm.core.name).toBe("wasm");
    expect(native.core).not.toBe(wasm.core);
    expect(native.core).toBeInstanceOf(Backend);
    expect(wasm.core).toBeInstanceOf(Backend);
    // No BRAID_BACKEND here: the Node default is the addon, the same instance `native` holds.
    expect(node.backend).toBe("native");
    expect(node.core).toBe(native.core);
  });

  it("export the same names", () => {
    const names = (m: object) => Object.keys(m).sort();
    expect(names(wasm)).toEqual(names(native));
    expect(names(node)).toEqual(names(native));
  });

  it("give identical bytes for the same call, whichever was imported last", () => {
    const fromNative = transcodeDigests(native);
    const fromWasm = transcodeDigests(wasm);
    expect(fromNative).toHaveLength(258);
    expect(fromNative.filter((d) => d !== "zero").length).toBeGreaterThan(200);
    expect(fromWasm).toEqual(fromNative);
    // And again after the other entry ran: nothing was switched underneath either.
    expect(transcodeDigests(native)).toEqual(fromNative);
    const block = readFileSync(dvidData("fib19-64x64x64-sample1-block.dat.gz"));
    const decoded = (api: typeof native | typeof wasm) => sha256(api.decodeDvidBlock(new Uint8Array(api.gunzip(block))).data);
    expect(decoded(wasm)).toBe(decoded(native));
  });

  it("bind classes to their entry's backend", () => {
    const info = native.parseInfo(JSON.parse(readFileSync(MCNS_SPEC, "utf8")));
    const scale = info.scales[1]!;
    expect(new native.ScaleGeometry(scale).backend).toBe(native.core);
    expect(new wasm.ScaleGeometry(scale).backend).toBe(wasm.core);
    expect(new wasm.ScaleGeometry(scale).chunkId([3, 5, 7])).toBe(new native.ScaleGeometry(scale).chunkId([3, 5, 7]));
  });
});

describe("the backend option", () => {
  it("runs an export and the reads of its output on the backend given, not the entry's", async () => {
    const dest = tempDir("backend-option");
    const source = realSource();
    dirs.push(dest, source);
    const spy = spying(wasm.core);
    const spec = JSON.parse(readFileSync(MCNS_SPEC, "utf8"));
    const result = await native.exportVolume({ source, dest, spec, scales: [1], workers: 0, backend: spy.backend });
    expect(result.summary?.ok).toBe(true);
    expect(result.summary?.chunks).toBeGreaterThan(200);
    // The records were decoded and transcoded through the spied (wasm) bindings.
    expect(spy.calls).toContain("ArrowBatchDecoder");
    expect(spy.calls).toContain("parseCsvIndex");
    expect(spy.calls).toContain("ShardWriter");

    const reads = spying(native.core);
    const volume = await wasm.openPrecomputed(dest, { backend: reads.backend });
    expect(volume.backend).toBe(reads.backend);
    const s1 = volume.scale(1);
    const origin = firstBlockOrigin();
    const voxels = await s1.readRegion({ origin, shape: [64, 64, 64] });
    expect(voxels.some((v) => v !== 0n)).toBe(true);
    expect([...reads.calls].some((k) => k.startsWith("decodeCompressedSegmentation"))).toBe(true);
    // The same read on the wasm entry's own backend gives the same voxels.
    const own = await (await wasm.openPrecomputed(dest)).scale(1).readRegion({ origin, shape: [64, 64, 64] });
    expect(sha256(own)).toBe(sha256(voxels));
  });

  it("refuses what is not a backend", async () => {
    await expect(native.openPrecomputed(join(tempDir("none"), "x"), { backend: "wasm" as never })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});

/**
 * Chunks/s and MB/s (decoded 64³ uint64 voxels, 10^6 bytes) of each codec call over the 258
 * real records, native and WebAssembly measured in one process through their two entry points
 * (`braid-seg/native`, `braid-seg/wasm`), which keep their own backends: passes alternate
 * between them round by round, so load from other processes hits both alike, and the best pass
 * of each counts. Reports each backend and the WASM/native ratio (target: at least 40%).
 * Both backends must produce identical bytes.
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import type { BackendName } from "braid-seg";
import * as native from "braid-seg/native";
import * as wasm from "braid-seg/wasm";
import { CHUNK_BYTES, loadCodecInputs, OPS, outputBytes } from "./codec.fixture.js";
import { report } from "./report.js";

const ROUNDS = Number(process.env.BRAID_BENCH_ROUNDS ?? 7);
const TARGET_RATIO = 0.4;

const entries = { native, wasm };

const inputs = loadCodecInputs(native);
const n = inputs.blocks.length;

for (const [name, op] of Object.entries(OPS)) {
  it(`${name}: native vs WebAssembly`, () => {
    // Warm-up pass per backend (JIT, wasm memory growth) that also checks parity.
    const digests: Partial<Record<BackendName, string>> = {};
    let bytes = 0;
    for (const b of ["native", "wasm"] as const) {
      const hash = createHash("sha256");
      bytes = 0;
      for (let i = 0; i < n; i++) {
        const out = outputBytes(op(inputs, i, entries[b]));
        bytes += out.byteLength;
        hash.update(out);
      }
      digests[b] = hash.digest("hex");
    }
    expect(digests.wasm, `${name} differs between backends`).toBe(digests.native);

    const passes: Record<BackendName, number[]> = { native: [], wasm: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const b of round % 2 === 0 ? (["native", "wasm"] as const) : (["wasm", "native"] as const)) {
        const api = entries[b];
        const t0 = performance.now();
        for (let i = 0; i < n; i++) op(inputs, i, api);
        passes[b].push((performance.now() - t0) / 1000);
      }
    }

    const rate: Partial<Record<BackendName, number>> = {};
    for (const b of ["native", "wasm"] as const) {
      const sorted = [...passes[b]].sort((p, q) => p - q);
      const best = sorted[0]!;
      rate[b] = n / best;
      report(`codec ${name}`, {
        "chunks/s": rate[b],
        "MB/s": (n * CHUNK_BYTES) / 1e6 / best,
        "best ms/pass": best * 1000,
        "median ms/pass": sorted[sorted.length >> 1]! * 1000,
        // What a stored chunk costs (gzip'd cseg for the +gzip transcode at the default level).
        "output bytes/chunk": bytes / n,
        passes: ROUNDS,
      }, b);
    }
    const ratio = rate.wasm! / rate.native!;
    report(`codec ${name}`, {
      ratio: `${(100 * ratio).toFixed(0)}%`,
      target: `${100 * TARGET_RATIO}%`,
      met: ratio >= TARGET_RATIO ? "yes" : "NO",
    }, "wasm/native");
  });
}

import { describe, expect, it } from "vitest";
import { BraidError, downsampleMode } from "braid-seg";
import { readGzVolume, rng, sha256 } from "./helpers/data.js";

const u64 = (v: number[]) => BigUint64Array.from(v.map(BigInt));

describe("mode downsampling (§4.5)", () => {
  it("1-D factor 4 with ties and partial windows", () => {
    expect(downsampleMode(u64([100, 99, 99, 99, 3, 3, 2, 2]), [8, 1, 1], [4, 1, 1]).data).toEqual(u64([99, 2]));
    expect(downsampleMode(u64([100, 99, 99, 99, 3, 3, 2]), [7, 1, 1], [4, 1, 1]).data).toEqual(u64([99, 3]));
  });

  it("windows anchored at absolute 0 with a non-zero origin", () => {
    // 2-D example with x = columns (origin 8, factor 3) and y = rows (origin 3, factor 2).
    const rows = [1, 2, 3, 3, 5, 6, 4, 5, 5, 10, 11, 6, 6, 6, 15];
    const out = downsampleMode(u64(rows), [5, 3, 1], [3, 2, 1], { origin: [8, 3, 0] });
    expect(out.origin).toEqual([2, 1, 0]);
    expect(out.shape).toEqual([3, 2, 1]);
    expect(out.data).toEqual(u64([1, 3, 5, 6, 6, 10]));
  });

  it("mode vs mode-nonzero on 2×2×2 windows", () => {
    const cases: Array<[number[], number, number]> = [
      [[0, 0, 0, 0, 0, 7, 7, 7], 0, 7],
      [[0, 0, 0, 0, 7, 7, 7, 7], 0, 7],
      [[7, 0, 0, 0, 0, 0, 0, 0], 0, 7],
      [[5, 5, 9, 9, 3, 3, 8, 8], 3, 3],
      [[2, 2, 1, 1, 1, 2, 0, 0], 1, 1],
    ];
    for (const [win, ts, dvid] of cases) {
      expect(downsampleMode(u64(win), [2, 2, 2], [2, 2, 2]).data).toEqual(u64([ts]));
      expect(downsampleMode(u64(win), [2, 2, 2], [2, 2, 2], { method: "mode-nonzero" }).data).toEqual(u64([dvid]));
      expect(downsampleMode(Uint32Array.from(win), [2, 2, 2], [2, 2, 2]).data).toEqual(Uint32Array.of(ts));
    }
  });

  it("odd volume (3,2,2) → (2,1,1) = 1, 4", () => {
    const v = new BigUint64Array(12);
    const planes = [
      [1, 1, 1, 2],
      [2, 2, 2, 1],
      [3, 4, 4, 4],
    ];
    planes.forEach((vals, x) => {
      // values listed as (y0z0, y0z1, y1z0, y1z1)
      const [y0z0, y0z1, y1z0, y1z1] = vals;
      v[x + 3 * (0 + 2 * 0)] = BigInt(y0z0!);
      v[x + 3 * (0 + 2 * 1)] = BigInt(y0z1!);
      v[x + 3 * (1 + 2 * 0)] = BigInt(y1z0!);
      v[x + 3 * (1 + 2 * 1)] = BigInt(y1z1!);
    });
    const out = downsampleMode(v, [3, 2, 2], [2, 2, 2]);
    expect(out.shape).toEqual([2, 1, 1]);
    expect(out.data).toEqual(u64([1, 4]));
  });

  it("agrees with a naive sort-and-count on random volumes", () => {
    const next = rng(5n);
    for (let t = 0; t < 20; t++) {
      const shape: [number, number, number] = [1 + Number(next() % 9n), 1 + Number(next() % 9n), 1 + Number(next() % 9n)];
      const factors: [number, number, number] = [1 + Number(next() % 4n), 1 + Number(next() % 4n), 1 + Number(next() % 4n)];
      const origin: [number, number, number] = [Number(next() % 7n) - 3, Number(next() % 7n) - 3, Number(next() % 7n) - 3];
      const v = BigUint64Array.from({ length: shape[0] * shape[1] * shape[2] }, () => next() % 3n);
      const out = downsampleMode(v, shape, factors, { origin });
      for (let z = 0; z < out.shape[2]; z++)
        for (let y = 0; y < out.shape[1]; y++)
          for (let x = 0; x < out.shape[0]; x++) {
            const counts = new Map<bigint, number>();
            const o = [x + out.origin[0], y + out.origin[1], z + out.origin[2]];
            for (let k = 0; k < shape[2]; k++)
              for (let j = 0; j < shape[1]; j++)
                for (let i = 0; i < shape[0]; i++) {
                  const a = [i + origin[0], j + origin[1], k + origin[2]];
                  if ([0, 1, 2].every((d) => Math.floor(a[d]! / factors[d]!) === o[d])) {
                    const val = v[i + shape[0] * (j + shape[1] * k)]!;
                    counts.set(val, (counts.get(val) ?? 0) + 1);
                  }
                }
            const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
            expect(out.data[x + out.shape[0] * (y + out.shape[1] * z)]).toBe(best);
          }
    }
  });

  it("matches TensorStore's mode on fib19 and rejects bad factors", () => {
    const v = readGzVolume("fib19-64x64x64-sample1.dat.gz");
    const out = downsampleMode(v, [64, 64, 64], [2, 2, 2]);
    expect(out.shape).toEqual([32, 32, 32]);
    // Digest of ts.downsample(fib19 sample1, [2,2,2], "mode") (test/oracle/downsample_reference.py).
    expect(sha256(out.data)).toBe("3b19b4440d872cdf66790a765eb5ab964dbff3c263e33786fddf63bc94df6d45");
    expect(() => downsampleMode(v, [64, 64, 64], [5, 1, 1])).toThrow(BraidError);
    expect(() => downsampleMode(v, [64, 64, 63], [2, 2, 2])).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    // A shape far larger than the input is refused before any output is allocated.
    for (const data of [new BigUint64Array(8), new Uint32Array(8)]) {
      expect(() => downsampleMode(data, [1 << 20, 1 << 20, 1 << 10], [1, 1, 1])).toThrowError(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
    }
  });
});

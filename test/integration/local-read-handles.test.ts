/**
 * Local reads share one open handle while reads of a file overlap, and hold none after:
 * ranges stay exact, a file replaced between bursts is read afresh, and no descriptor leaks.
 */
import { readdirSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStorage } from "../../ts/storage/local.js";
import { tempDir } from "../helpers/temp.js";

const dir = tempDir("handles");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openDescriptors = () => readdirSync("/proc/self/fd").length;
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe.runIf(process.platform === "linux")("local storage read handles", () => {
  it("serves many overlapping range reads of one file exactly, then closes the handle", async () => {
    const storage = new LocalStorage(dir);
    const data = bytes(1 << 16, 7);
    await storage.write("shard", data);
    const before = openDescriptors();
    const ranges = Array.from({ length: 64 }, (_, i) => ({ offset: i * 1000, length: 1 + ((i * 37) % 900) }));
    const reads = await Promise.all(ranges.map((r) => storage.read("shard", r)));
    reads.forEach((got, i) => expect(Buffer.from(got!).equals(data.subarray(ranges[i]!.offset, ranges[i]!.offset + ranges[i]!.length))).toBe(true));
    expect(openDescriptors()).toBe(before);
  });

  it("reads a file replaced by another writer afresh once the earlier reads are done", async () => {
    const reader = new LocalStorage(dir);
    await new LocalStorage(dir).write("replaced", bytes(100, 1));
    expect(Buffer.from((await reader.read("replaced"))!).equals(bytes(100, 1))).toBe(true);
    await new LocalStorage(dir).write("replaced", bytes(50, 2));
    const again = await Promise.all([reader.read("replaced"), reader.read("replaced", { offset: 10, length: 5 })]);
    expect(Buffer.from(again[0]!).equals(bytes(50, 2))).toBe(true);
    expect(Buffer.from(again[1]!).equals(bytes(50, 2).subarray(10, 15))).toBe(true);
  });

  it("answers undefined to every overlapping read of a missing file or a directory", async () => {
    const storage = new LocalStorage(dir);
    await storage.write("sub/file", "x");
    const before = openDescriptors();
    const got = await Promise.all([
      ...Array.from({ length: 8 }, () => storage.read("absent")),
      ...Array.from({ length: 8 }, () => storage.read("sub")),
    ]);
    expect(got.every((g) => g === undefined)).toBe(true);
    expect(openDescriptors()).toBe(before);
  });
});

/**
 * Local reads share one open handle while reads of a file overlap, and hold none after:
 * ranges stay exact, a file replaced between bursts is read afresh, and no descriptor leaks.
 */
import { readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SharedReadHandles } from "../../ts/storage/local-handles.js";
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

  it("a read starting after a write through the same storage sees the new file, mid-burst", async () => {
    const path = join(dir, "rewritten");
    writeFileSync(path, bytes(100, 3));
    writeFileSync(join(dir, "replacement"), bytes(40, 4));
    const handles = new SharedReadHandles();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // A burst that stays in flight: it keeps the handle of the 100-byte file open.
    const burst = handles.with(path, async (file) => {
      await held;
      return file?.size;
    });
    const joined = await handles.with(path, async (file) => file?.size);
    expect(joined).toBe(100);
    renameSync(join(dir, "replacement"), path);
    handles.forget(path);
    expect(await handles.with(path, async (file) => file?.size)).toBe(40);
    release();
    expect(await burst).toBe(100);
    // And through LocalStorage: a write replaces what later reads see.
    const storage = new LocalStorage(dir);
    await storage.write("rewritten", bytes(7, 9));
    expect(Buffer.from((await storage.read("rewritten"))!).equals(bytes(7, 9))).toBe(true);
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

/**
 * A killed writer's temporary file does not outlive the next write of its key, nor a later
 * process's first write into its directory: resuming after a SIGKILL leaves only finished
 * objects. Temporaries of live processes, of other hosts and of older braid versions are never
 * touched, those of other pid namespaces only once stale, and `list` never shows any of them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStorage } from "../../ts/storage/local.js";
import { STALE_TEMP_MS, tempPath } from "../../ts/storage/local-temp.js";
import { repoRoot } from "../helpers/data.js";
import { requireBuilt } from "../helpers/export.js";
import { tempDir } from "../helpers/temp.js";

const dir = tempDir("temp");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const temps = (sub: string) => readdirSync(join(dir, sub)).filter((n) => n.includes(".braid-tmp-"));
const host = hostname().replace(/[^A-Za-z0-9_]/g, "_").slice(0, 32) || "host";

async function writeShard(storage: LocalStorage, key: string, body: Uint8Array): Promise<void> {
  const w = await storage.createWriter(key);
  await w.append(body);
  await w.commit();
}

describe.runIf(process.platform === "linux")("local temporaries", () => {
  it("the next writer of a key removes what a SIGKILLed writer left, at once", async () => {
    requireBuilt();
    const script = `
      import { LocalStorage } from ${JSON.stringify(pathToFileURL(join(repoRoot, "dist/storage/local.js")).href)};
      const w = await new LocalStorage(process.argv[1]).createWriter("s/shard");
      await w.append(new Uint8Array(1 << 20).fill(7));
      process.kill(process.pid, "SIGKILL");
    `;
    expect(() => execFileSync(process.execPath, ["--input-type=module", "-e", script, dir], { stdio: "pipe" })).toThrow();
    expect(temps("s")).toHaveLength(1);
    const [left] = temps("s");
    // The hex starts with a token of the kernel boot and pid namespace, then 12 random digits.
    expect(left).toMatch(new RegExp(`^\\.shard\\.braid-tmp-${host}-\\d+-[0-9a-f]{20}$`));
    const storage = new LocalStorage(dir);
    // Same host, same pid namespace, pid gone: the writer is dead, whatever the file's age.
    await writeShard(storage, "s/shard", new Uint8Array([4]));
    expect(temps("s")).toEqual([]);

    // The same dead pid seen from another pid namespace (another token) could be a live
    // writer there: kept while fresh, removed once untouched for longer than a writer pauses.
    const token = left!.slice(-20, -12);
    const foreign = left!.slice(0, -20) + [...token].map((c) => (c === "0" ? "1" : "0")).join("") + left!.slice(-12);
    writeFileSync(join(dir, "s", foreign), "partial");
    await writeShard(storage, "s/shard", new Uint8Array([5]));
    expect(temps("s")).toEqual([foreign]);
    const past = (Date.now() - STALE_TEMP_MS - 1000) / 1000;
    utimesSync(join(dir, "s", foreign), past, past);
    await writeShard(storage, "s/shard", new Uint8Array([1, 2, 3]));
    expect(temps("s")).toEqual([]);
    expect(readdirSync(join(dir, "s"))).toEqual(["shard"]);
    expect(Array.from((await storage.read("s/shard"))!)).toEqual([1, 2, 3]);
  });

  it("a process's first write into a directory sweeps abandoned temporaries of every key there", async () => {
    mkdirSync(join(dir, "d"));
    // What a killed run leaves next to small objects: this host and namespace, a pid that is gone.
    const mine = basename(tempPath(join(dir, "d", "info")));
    const dead = mine.replace(`-${process.pid}-`, "-999999999-");
    const running = mine.replace(`-${process.pid}-`, `-${process.ppid}-`);
    for (const name of [dead, running]) writeFileSync(join(dir, "d", name), "partial");
    await new LocalStorage(dir).write("d/other", "x");
    expect(temps("d")).toEqual([running]);
  });

  it("keeps temporaries of running processes, other hosts and older versions, hidden from list", async () => {
    const storage = new LocalStorage(dir);
    await storage.write("k/other", "x");
    const kept = [
      `.shard.braid-tmp-${host}-${process.pid}-0123456789ab`, // a writer of this very process
      `.shard.braid-tmp-${host}-${process.ppid}-0123456789ab`, // a running process
      `.shard.braid-tmp-elsewhere_host-1-0123456789ab`, // pid 1 of another machine
      `.shard.braid-tmp-4242-0123456789ab`, // an older braid's name, without the host
      `.other.braid-tmp-${host}-999999999-0123456789ab`, // another key's
    ];
    const past = (Date.now() - 2 * STALE_TEMP_MS) / 1000;
    for (const name of kept) {
      writeFileSync(join(dir, "k", name), "partial");
      utimesSync(join(dir, "k", name), past, past);
    }
    await writeShard(storage, "k/shard", new Uint8Array([9]));
    expect(temps("k").sort()).toEqual([...kept].sort());
    const listed: string[] = [];
    for await (const key of storage.list("k/")) listed.push(key);
    expect(listed.sort()).toEqual(["k/other", "k/shard"]);
  });
});

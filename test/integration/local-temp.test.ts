/**
 * A killed writer's temporary file does not outlive the next write of its key: resuming
 * after a SIGKILL leaves only the finished object. Temporaries of live processes, of other
 * hosts and of older braid versions are never touched, and `list` never shows any of them.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LocalStorage } from "../../ts/storage/local.js";
import { STALE_TEMP_MS } from "../../ts/storage/local-temp.js";
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
  it("the next writer of a key removes what a SIGKILLed writer left", async () => {
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
    expect(left).toMatch(new RegExp(`^\\.shard\\.braid-tmp-${host}-\\d+-[0-9a-f]{12}$`));
    const storage = new LocalStorage(dir);
    // Written seconds ago, it could still be a live writer in another pid namespace: kept.
    await writeShard(storage, "s/shard", new Uint8Array([4]));
    expect(temps("s")).toEqual([left]);
    // Untouched for longer than a writer ever pauses: removed by the next writer.
    const past = (Date.now() - STALE_TEMP_MS - 1000) / 1000;
    utimesSync(join(dir, "s", left!), past, past);
    await writeShard(storage, "s/shard", new Uint8Array([1, 2, 3]));
    expect(temps("s")).toEqual([]);
    expect(readdirSync(join(dir, "s"))).toEqual(["shard"]);
    expect(Array.from((await storage.read("s/shard"))!)).toEqual([1, 2, 3]);
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

/**
 * GCS faults, against fake-gcs-server behind a fault-injecting proxy (test/helpers/fault-proxy.ts):
 * `braid export` and `braid downres` to gs:// through 503s, 429s, resets, lost answers and
 * stalls end with every object byte-identical to a clean run and no temporary left; a fault
 * that persists ends in UNREACHABLE naming the object, within the retry budget; a create whose
 * answer was lost is recognised as its own; and a run killed (SIGKILL) at a seeded request,
 * then resumed with --only-missing, ends identical to the clean run with nothing temporary
 * listed. Each seed is in its test's name; the proxy draws faults from it in arrival order.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBraidError } from "../../ts/errors.js";
import { GcsStorage, type GcsStorageOptions } from "../../ts/storage/gcs.js";
import { backoff, DEFAULT_POLICY, isTransientStatus, parseRetryAfter, retryPolicy } from "../../ts/storage/gcs-retry.js";
import { LocalStorage } from "../../ts/storage/local.js";
import { braidChild, cycledExport, exited, storageSnapshot, tempDir } from "../helpers/export.js";
import { type FakeGcs, startFakeGcs } from "../helpers/fake-gcs.js";
import { FAULTS, type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";

let gcs: FakeGcs;
let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;
/** The clean run's objects (sha256) after the export, and after export + downres. */
let cleanExport: Map<string, string>;
let clean: Map<string, string>;
/** The clean export's objects, to give a downres its source without running an export. */
const exported = new Map<string, Uint8Array>();
/** Requests a clean export and a clean downres make. */
const cleanRequests = { export: 0, downres: 0 };
const cleanup: string[] = [];

/** Retries quick enough for tests; a stalled request is given up after 0.5 s. */
const FAST = { BRAID_GCS_RETRY_DELAY: "0.01", BRAID_GCS_MAX_RETRY_DELAY: "0.1", BRAID_GCS_TIMEOUT: "0.5" };
/** Small parts, so shards (~40 KB) go out as parts + header + compose. */
const PART_SIZE = "16384";
const STALL_MS = 2500;
const SOURCE = "gs://src/export";

/** Storage straight on fake-gcs-server (no proxy): what the bucket really holds. */
const direct = (url: string) => new GcsStorage(url, { apiEndpoint: gcs.url });
/** Storage through the proxy. */
const proxied = (url: string, options: GcsStorageOptions = {}) =>
  new GcsStorage(url, { apiEndpoint: proxy.url, retryDelay: 0.01, maxRetryDelay: 0.1, timeout: 0.5, ...options });

const exportArgs = (dest: string) => ["export", "--source", SOURCE, "--dest", dest, "--spec", `${SOURCE}/spec.json`, "--workers", "2"];
const downresArgs = (dest: string) => ["downres", "--dest", dest, "--scales", "1,2", "--workers", "2"];

/**
 * Runs `braid` against the proxy, asynchronously: the proxy lives in this process, so a
 * blocking spawn would stall every request.
 */
async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const from = proxy.requests.length;
  const r = await exited(braidChild(args, { ...env, ...extraEnv }));
  return { ...r, requests: proxy.requests.length - from };
}

const temporaries = async (prefix: string) => (await gcs.objects("dst", prefix)).filter((n) => n.includes(".braid-tmp/"));

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket("src");
  await gcs.createBucket("dst");
  proxy = await startFaultProxy(gcs.url);
  env = { STORAGE_EMULATOR_HOST: proxy.host, BRAID_GCS_PART_SIZE: PART_SIZE, ...FAST };
  // 4³ blocks in 8 DVID files of 2³ blocks: 8 shards at scale 0, then 1 at scales 1 and 2.
  const local = tempDir("gcs-faults-src");
  cleanup.push(local);
  await cycledExport(local, 4, 2, 64);
  const src = direct(SOURCE);
  const from = new LocalStorage(local);
  for await (const key of from.list("")) await src.write(key, (await from.read(key))!);

  const e = await run(exportArgs("gs://dst/clean"));
  expect(e.code, e.stderr).toBe(0);
  cleanExport = await storageSnapshot(direct("gs://dst/clean"));
  for (const key of cleanExport.keys()) exported.set(key, (await direct("gs://dst/clean").read(key))!);
  const d = await run(downresArgs("gs://dst/clean"));
  expect(d.code, d.stderr).toBe(0);
  cleanRequests.export = e.requests;
  cleanRequests.downres = d.requests;
  clean = await storageSnapshot(direct("gs://dst/clean"));
  expect([...clean.keys()].filter((k) => k.endsWith(".shard"))).toHaveLength(10);
  expect(await temporaries("clean/")).toEqual([]);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await gcs?.stop();
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

describe("retry policy", () => {
  const policy = { retries: 8, retryDelay: 0.5, maxRetryDelay: 16, timeout: 60 };
  const transient = { reason: "503", connect: false };

  it("full jitter under a doubling ceiling, at least Retry-After, never past maxRetryDelay", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoff(policy, n, transient, () => 0.999999))).toEqual([0.5, 1, 2, 4, 8, 16, 16].map((x) => x * 0.999999));
    expect(backoff(policy, 3, transient, () => 0)).toBe(0);
    expect(backoff(policy, 0, { ...transient, retryAfter: 3 }, () => 0.5)).toBe(3);
    expect(backoff(policy, 0, { ...transient, retryAfter: 300 }, () => 0.5)).toBe(16);
  });

  it("Retry-After as seconds or an HTTP date; which statuses are transient", () => {
    expect(parseRetryAfter("2")).toBe(2);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect([408, 429, 500, 503, 504].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404, 412, 416].some(isTransientStatus)).toBe(false);
  });

  it("options over BRAID_GCS_* over defaults; bad values are INVALID_ARGUMENT naming the variable", () => {
    const saved = { ...process.env };
    try {
      process.env.BRAID_GCS_RETRIES = "3";
      process.env.BRAID_GCS_TIMEOUT = "2.5";
      expect(retryPolicy({})).toEqual({ ...DEFAULT_POLICY, retries: 3, timeout: 2.5 });
      expect(retryPolicy({ retries: 1 }).retries).toBe(1);
      process.env.BRAID_GCS_RETRIES = "many";
      expect(() => retryPolicy({})).toThrow(/BRAID_GCS_RETRIES="many"/);
      delete process.env.BRAID_GCS_RETRIES;
      expect(() => retryPolicy({ timeout: 0 })).toThrow(/timeout/);
      expect(retryPolicy({}).retries).toBe(DEFAULT_POLICY.retries);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe("export and downres through faults", () => {
  it.each([3, 17])("through faults on 15 in 100 requests (seed %i): identical to a clean run, nothing temporary left", async (seed) => {
    const before = { ...proxy.counts };
    proxy.configure({ seed, rate: 0.15, stallMs: STALL_MS });
    const dest = `gs://dst/faulty-${seed}`;
    try {
      const e = await run(exportArgs(dest));
      expect(e.code, e.stdout + e.stderr).toBe(0);
      const d = await run(downresArgs(dest));
      expect(d.code, d.stdout + d.stderr).toBe(0);
    } finally {
      proxy.configure({ seed: 0, rate: 0 });
    }
    const injected = Object.fromEntries(FAULTS.map((f) => [f, proxy.counts[f] - before[f]]));
    // Every kind of fault was met, and survived.
    for (const f of FAULTS) expect(injected[f], `${f} faults injected: ${JSON.stringify(injected)}`).toBeGreaterThan(0);
    expect(await storageSnapshot(direct(dest))).toEqual(clean);
    expect(await temporaries(`faulty-${seed}/`)).toEqual([]);
  }, 120_000);
});

describe("faults that persist, and answers that were lost", () => {
  it("503 on every request: UNREACHABLE naming the object after exactly the retry budget", async () => {
    proxy.configure({ seed: 1, rate: 1, weights: { "503": 1 } });
    try {
      const s = proxied("gs://dst/down", { retries: 3 });
      const ops: Array<[string, () => Promise<unknown>]> = [
        ["read", () => s.read("a/b")],
        ["write", () => s.write("a/b", "x")],
        ["stat", () => s.size("a/b")],
        ["list", async () => { for await (const key of s.list("a/")) void key; }],
      ];
      for (const [op, call] of ops) {
        const from = proxy.requests.length;
        const e = await call().then(() => undefined, (x: unknown) => x);
        expect(isBraidError(e, "UNREACHABLE"), `${op}: ${String(e)}`).toBe(true);
        expect((e as Error).message).toContain(op === "list" ? "gs://dst/down/a/" : "gs://dst/down/a/b");
        expect((e as Error).message).toContain("503");
        expect((e as Error).message).toContain("4 attempts");
        expect(proxy.requests.length - from, op).toBe(4);
      }

      const t0 = performance.now();
      const r = await run(["export", "--source", SOURCE, "--dest", "gs://dst/down", "--spec", `${SOURCE}/spec.json`, "--workers", "1"], {
        BRAID_GCS_RETRIES: "2",
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\[UNREACHABLE\][^\n]*gs:\/\/src\/export\/[^\n]*503/);
      expect(performance.now() - t0).toBeLessThan(30_000);
    } finally {
      proxy.configure({ seed: 0, rate: 0 });
    }
  });

  it("stalls are cut off by the timeout, and give UNREACHABLE when every attempt stalls", async () => {
    const s = proxied("gs://dst/stall", { retries: 1, timeout: 0.5 });
    await direct("gs://dst/stall").write("k", "stalled bytes");
    for (const weights of [{ stall: 1 }, { "stall-response": 1 }]) {
      proxy.configure({ seed: 2, rate: 1, weights, stallMs: 10_000 });
      const t0 = performance.now();
      const e = await s.read("k").then(() => undefined, (x: unknown) => x);
      const ms = performance.now() - t0;
      expect(isBraidError(e, "UNREACHABLE"), String(e)).toBe(true);
      expect((e as Error).message).toContain("no progress within 0.5 s");
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThan(5000);
      // One stall, then an answer: the retry gets it.
      let n = 0;
      proxy.configure({ seed: 2, rate: 1, weights, stallMs: 10_000, eligible: () => n++ === 0 });
      expect(new TextDecoder().decode(await s.read("k"))).toBe("stalled bytes");
    }
    proxy.configure({ seed: 0, rate: 0 });
  });

  it("Retry-After is waited for (capped at maxRetryDelay)", async () => {
    const s = proxied("gs://dst/later", { maxRetryDelay: 5 });
    await direct("gs://dst/later").write("k", "x");
    let n = 0;
    proxy.configure({ seed: 4, rate: 1, weights: { "429": 1 }, retryAfter: 1, eligible: () => n++ === 0 });
    const t0 = performance.now();
    expect(await s.exists("k")).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
    n = 0;
    const capped = proxied("gs://dst/later", { maxRetryDelay: 0.2 });
    const t1 = performance.now();
    expect(await capped.exists("k")).toBe(true);
    expect(performance.now() - t1).toBeLessThan(900);
    proxy.configure({ seed: 0, rate: 0 });
  });

  it("an ifAbsent create whose answer was lost is its own success; a real conflict is still ALREADY_EXISTS", async () => {
    const s = proxied("gs://dst/lost");
    let n = 0;
    proxy.configure({ seed: 5, rate: 1, weights: { "lost-response": 1 }, eligible: (r) => r.method === "POST" && n++ === 0 });
    await s.write("info", '{"a":1}', { ifAbsent: true, contentType: "application/json" });
    proxy.configure({ seed: 0, rate: 0 });
    expect(n).toBeGreaterThan(1); // the upload was sent again after its answer was lost
    expect(new TextDecoder().decode(await direct("gs://dst/lost").read("info"))).toBe('{"a":1}');
    const e = await s.write("info", '{"a":2}', { ifAbsent: true }).then(() => undefined, (x: unknown) => x);
    expect(isBraidError(e, "ALREADY_EXISTS"), String(e)).toBe(true);
    expect((e as Error).message).toContain("gs://dst/lost/info");
  });

  it("a 33-source object (header + 32 parts) composes in two rounds through faults on 20 in 100 requests", async () => {
    const s = proxied("gs://dst/parts", { partSize: 1024 });
    const body = new Uint8Array(32 * 1024).map((_, i) => (i * 7 + (i >> 10)) & 0xff);
    const header = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);
    proxy.configure({ seed: 6, rate: 0.2, stallMs: STALL_MS });
    const from = proxy.requests.length;
    try {
      const w = await s.createWriter("big", { headerLength: 8, contentType: "application/octet-stream" });
      for (let at = 0; at < body.byteLength; at += 1024) await w.append(body.subarray(at, at + 1024));
      await w.commit(header);
    } finally {
      proxy.configure({ seed: 0, rate: 0 });
    }
    // Two composes of 32 and 1 sources, then the final one of 2 (and retries of faulted ones).
    const composes = proxy.requests.slice(from).filter((r) => r.url.includes("/compose") && r.fault === undefined);
    expect(composes.map((r) => decodeURIComponent(r.url.split("/o/")[1]!.split("/compose")[0]!).replace(/.*\//, ""))).toEqual(["c0-0.braid-tmp", "c0-1.braid-tmp", "big"]);
    const got = (await direct("gs://dst/parts").read("big"))!;
    expect(Buffer.from(got).equals(Buffer.concat([header, body]))).toBe(true);
    expect(await gcs.objects("dst", "parts/")).toEqual(["parts/big"]);
  });
});

describe("SIGKILL at a seeded request, then --only-missing", () => {
  /** Runs `args`, killed when the proxy receives the `at`-th request of the run. */
  async function killedAt(args: string[], at: number) {
    const from = proxy.requests.length;
    const child = braidChild(args, env);
    proxy.onRequest((r) => {
      if (r.n - from === at) child.kill("SIGKILL");
    });
    const end = await exited(child);
    proxy.onRequest(undefined);
    return end;
  }

  /** Whatever a killed run left at a final key is complete: the bytes of one of the clean states. */
  async function expectComplete(dest: string, ...states: Array<Map<string, string>>) {
    for (const [key, sha] of await storageSnapshot(proxied(dest))) expect(states.map((s) => s.get(key)), key).toContain(sha);
  }

  /** Whatever temporaries the kill left end in `.braid-tmp`, which the documented lifecycle rule matches. */
  async function expectLifecycleCatches(dest: string) {
    for (const name of await temporaries(`${dest.slice("gs://dst/".length)}/`)) expect(name).toMatch(/\.braid-tmp\/[0-9a-f-]+\/[^/]+\.braid-tmp$/);
  }

  /** A request number in the middle 80% of a clean run's, drawn from `seed`. */
  const pick = (seed: number, total: number) => Math.floor(total * 0.1 + (((seed * 2654435761) >>> 0) / 2 ** 32) * total * 0.8);

  it.each([5, 29])("export killed at a seeded request (seed %i): the rerun equals a clean run, no temporary listed", async (seed) => {
    const dest = `gs://dst/kill-export-${seed}`;
    const end = await killedAt(exportArgs(dest), pick(seed, cleanRequests.export));
    expect(end.signal, end.stderr).toBe("SIGKILL");
    await expectComplete(dest, cleanExport);
    const resumed = await run([...exportArgs(dest), "--only-missing"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // `list` shows exactly the clean run's objects: temporaries a kill left are hidden (a
    // lifecycle rule on the suffix `.braid-tmp` removes them from real buckets).
    expect(await storageSnapshot(proxied(dest))).toEqual(cleanExport);
    await expectLifecycleCatches(dest);
  }, 60_000);

  it.each([8])("downres killed at a seeded request (seed %i): the rerun equals a clean run, no temporary listed", async (seed) => {
    const dest = `gs://dst/kill-downres-${seed}`;
    for (const [key, bytes] of exported) await direct(dest).write(key, bytes);
    const end = await killedAt(downresArgs(dest), pick(seed, cleanRequests.downres));
    expect(end.signal, end.stderr).toBe("SIGKILL");
    await expectComplete(dest, cleanExport, clean); // info: before or after the downres updated it
    const resumed = await run([...downresArgs(dest), "--only-missing"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await storageSnapshot(proxied(dest))).toEqual(clean);
    await expectLifecycleCatches(dest);
  }, 60_000);
});

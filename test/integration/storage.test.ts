/**
 * The Storage contract, run against every writable backend (local files, memory, GCS through
 * fake-gcs-server), plus the read-only HTTP backend against a local static server, and
 * `openStorage`'s dispatch.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isBraidError } from "../../ts/errors.js";
import { GcsStorage } from "../../ts/storage/gcs.js";
import { HttpStorage, joinKey, MemoryStorage, openStorage, type Storage } from "../../ts/storage/index.js";
import { LocalStorage } from "../../ts/storage/local.js";
import { type FakeGcs, freePort, startFakeGcs } from "../helpers/fake-gcs.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { serveDirectory, type StaticServer } from "../helpers/http-server.js";

const MiB = 1 << 20;
const text = new TextDecoder();

/** Deterministic bytes, different per seed. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Exact bytes, as a plain Uint8Array (not a Buffer); fast on MiBs, unlike deep equality. */
function expectBytes(got: Uint8Array | undefined, want: Uint8Array): void {
  expect(got?.constructor).toBe(Uint8Array);
  expect(got!.byteLength).toBe(want.byteLength);
  const a = Buffer.from(got!.buffer, got!.byteOffset, got!.byteLength);
  const b = Buffer.from(want.buffer, want.byteOffset, want.byteLength);
  if (!a.equals(b)) expect.fail(`bytes differ, first at offset ${a.findIndex((x, i) => x !== b[i])}`);
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out.sort();
}

/** Rejects with a BraidError of `code` whose message mentions `mention`. */
async function expectCode(p: Promise<unknown>, code: string, mention?: string): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isBraidError(e, code), `expected [${code}], got ${String(e)}`).toBe(true);
  if (mention !== undefined) expect((e as Error).message).toContain(mention);
  return e as Error;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"));
}

interface Fixture {
  /** A fresh, empty storage for one test. */
  fresh(): Promise<Storage>;
  /** Every object physically under `s`'s root, writers' temporaries included. */
  raw(s: Storage): Promise<string[]>;
  teardown(): Promise<void>;
  /**
   * Whether the backend can show `ifAbsent` holding at commit for streamed (multi-MiB) writers.
   * Real GCS does (ifGenerationMatch=0 on the compose of the parts), but the
   * fake-gcs-server we test against (1.54) ignores preconditions on
   * compose (fsouza/fake-gcs-server#1967, #2343); it honours them on the one-request uploads
   * used below the threshold, which the test covers on every backend.
   */
  streamedPreconditions: boolean;
}

interface Backend {
  name: string;
  setup(): Promise<Fixture>;
}

const GCS_BUCKET = "braid-test";
/** Small, so the contract's multi-MiB writers exercise part uploads and compose. */
const GCS_THRESHOLD = 256 << 10;

async function localFixture(): Promise<Fixture> {
  const base = await mkdtemp(join(tmpdir(), "braid-storage-"));
  let n = 0;
  return {
    fresh: async () => new LocalStorage(join(base, `t${++n}`)),
    raw: async (s) => (await walk(fileURLToPath(s.url))).sort(),
    teardown: () => rm(base, { recursive: true, force: true }),
    streamedPreconditions: true,
  };
}

async function gcsFixture(): Promise<Fixture & { gcs: FakeGcs }> {
  const gcs = await startFakeGcs();
  await gcs.createBucket(GCS_BUCKET);
  let n = 0;
  return {
    gcs,
    fresh: async () => new GcsStorage(`gs://${GCS_BUCKET}/t${++n}`, { apiEndpoint: gcs.url, partSize: GCS_THRESHOLD }),
    raw: async (s) => {
      const prefix = `${(s as GcsStorage).prefix}/`;
      const res = await fetch(`${gcs.url}/storage/v1/b/${GCS_BUCKET}/o?prefix=${encodeURIComponent(prefix)}`);
      const body = (await res.json()) as { items?: Array<{ name: string }> };
      return (body.items ?? []).map((i) => i.name.slice(prefix.length)).sort();
    },
    teardown: () => gcs.stop(),
    streamedPreconditions: false,
  };
}

const writable: Backend[] = [
  { name: "local", setup: localFixture },
  {
    name: "memory",
    setup: async () => ({
      fresh: async () => new MemoryStorage(),
      raw: (s) => collect(s.list()),
      teardown: async () => {},
      streamedPreconditions: true,
    }),
  },
  { name: "gcs", setup: gcsFixture },
];

describe.each(writable)("$name storage: the contract", ({ setup }) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setup();
  });
  afterAll(() => fx?.teardown());

  it("writes, reads, overwrites, sizes and deletes objects", async () => {
    const s = await fx.fresh();
    expect(s.writable).toBe(true);
    expect(await s.read("a/b/c.bin")).toBeUndefined();
    expect(await s.size("a/b/c.bin")).toBeUndefined();
    expect(await s.exists("a/b/c.bin")).toBe(false);

    const data = pattern(10_000);
    await s.write("a/b/c.bin", data);
    expectBytes(await s.read("a/b/c.bin"), data);
    expect(await s.size("a/b/c.bin")).toBe(10_000);
    expect(await s.exists("a/b/c.bin")).toBe(true);

    await s.write("a/b/c.bin", "replaced ✓");
    expect(text.decode(await s.read("a/b/c.bin"))).toBe("replaced ✓");
    expect(await s.size("a/b/c.bin")).toBe(new TextEncoder().encode("replaced ✓").byteLength);

    await s.write("empty", new Uint8Array(0));
    expect(await s.read("empty")).toEqual(new Uint8Array(0));
    expect(await s.size("empty")).toBe(0);
    expect(await s.exists("empty")).toBe(true);

    await s.delete("a/b/c.bin");
    expect(await s.read("a/b/c.bin")).toBeUndefined();
    expect(await s.exists("a/b/c.bin")).toBe(false);
    await s.delete("a/b/c.bin"); // deleting a missing object is fine
    await s.delete("never/was");
    expect(await fx.raw(s)).toEqual(["empty"]);
  });

  it("reads byte ranges, clamped like HTTP ranges", async () => {
    const s = await fx.fresh();
    const data = pattern(1000, 7);
    await s.write("obj", data);
    expectBytes(await s.read("obj", { offset: 10, length: 20 }), data.subarray(10, 30));
    expect(await s.read("obj", { offset: 990 })).toEqual(data.subarray(990));
    expect(await s.read("obj", { offset: 0 })).toEqual(data);
    expect(await s.read("obj", { suffix: 24 })).toEqual(data.subarray(976));
    expect(await s.read("obj", { offset: 995, length: 100 })).toEqual(data.subarray(995)); // runs past the end
    expect(await s.read("obj", { suffix: 5000 })).toEqual(data); // longer than the object
    expect(await s.read("obj", { offset: 1000, length: 4 })).toEqual(new Uint8Array(0)); // at the end
    expect(await s.read("obj", { offset: 5000 })).toEqual(new Uint8Array(0)); // past the end
    expect(await s.read("obj", { offset: 3, length: 0 })).toEqual(new Uint8Array(0));
    expect(await s.read("obj", { suffix: 0 })).toEqual(new Uint8Array(0));

    await s.write("empty", new Uint8Array(0));
    expect(await s.read("empty", { offset: 0, length: 8 })).toEqual(new Uint8Array(0));
    expect(await s.read("empty", { suffix: 8 })).toEqual(new Uint8Array(0));

    for (const r of [{ offset: 0, length: 4 }, { suffix: 4 }, { offset: 0, length: 0 }, { suffix: 0 }]) {
      expect(await s.read("missing", r)).toBeUndefined();
    }
    await expectCode(s.read("obj", { offset: -1 }), "INVALID_ARGUMENT", "obj");
    await expectCode(s.read("obj", { offset: 1.5, length: 2 }), "INVALID_ARGUMENT");
    await expectCode(s.read("obj", { suffix: -3 }), "INVALID_ARGUMENT");
  });

  it("ifAbsent refuses to replace an existing object", async () => {
    const s = await fx.fresh();
    await s.write("info", "first", { ifAbsent: true, contentType: "application/json" });
    await expectCode(s.write("info", "second", { ifAbsent: true }), "ALREADY_EXISTS", s.describe("info"));
    expect(text.decode(await s.read("info"))).toBe("first");
    // Racing writers: exactly one wins.
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => s.write("race", `w${i}`, { ifAbsent: true })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(isBraidError(r.reason, "ALREADY_EXISTS")).toBe(true);
    expect(await fx.raw(s)).toEqual(["info", "race"]);
  });

  it("lists keys relative to the root, by string prefix", async () => {
    const s = await fx.fresh();
    expect(await collect(s.list())).toEqual([]);
    for (const k of ["info", "s0/0-64_0-64_0-64", "s0/64-128_0-64_0-64", "s1/x/y/z", "s10/q"]) await s.write(k, k);
    expect(await collect(s.list())).toEqual(["info", "s0/0-64_0-64_0-64", "s0/64-128_0-64_0-64", "s1/x/y/z", "s10/q"]);
    expect(await collect(s.list("s0/"))).toEqual(["s0/0-64_0-64_0-64", "s0/64-128_0-64_0-64"]);
    expect(await collect(s.list("s1"))).toEqual(["s1/x/y/z", "s10/q"]);
    expect(await collect(s.list("s1/"))).toEqual(["s1/x/y/z"]);
    expect(await collect(s.list("s0/64"))).toEqual(["s0/64-128_0-64_0-64"]);
    expect(await collect(s.list("nothing/"))).toEqual([]);
    await s.delete("s10/q");
    expect(await collect(s.list("s1"))).toEqual(["s1/x/y/z"]);
  });

  it("child() roots a storage below this one; describe() names objects", async () => {
    const s = await fx.fresh();
    const c = s.child("vol/s0");
    expect(c.url).toBe(`${s.url}/vol/s0`);
    expect(s.child("/vol/s0/").url).toBe(c.url);
    expect(s.child("")).toBe(s);
    await c.write("chunk", "payload");
    expect(text.decode(await s.read("vol/s0/chunk"))).toBe("payload");
    expect(await collect(s.list())).toEqual(["vol/s0/chunk"]);
    expect(await collect(c.list())).toEqual(["chunk"]);
    expect(await collect(c.child("deeper").list())).toEqual([]);
    // A sibling whose name extends the child's prefix is not inside the child.
    await s.write("vol/s00/other", "x");
    expect(await collect(s.child("vol/s0").list())).toEqual(["chunk"]);
    expect(c.describe("chunk")).toBe(s.describe("vol/s0/chunk"));
    expect(c.describe("chunk")).toMatch(/vol[/\\]s0[/\\]chunk$/);
  });

  it("rejects keys that are not portable relative paths", async () => {
    const s = await fx.fresh();
    for (const key of ["", "../escape", "a/../../b", "a//b", "/abs", "a/", "./a", "back\\slash"]) {
      await expectCode(s.write(key, "x"), "INVALID_ARGUMENT", JSON.stringify(key));
      await expectCode(s.read(key), "INVALID_ARGUMENT");
    }
    expect(() => s.child("a/../..")).toThrow(/invalid storage key/);
    expect(await fx.raw(s)).toEqual([]);
  });

  it("createWriter without header: invisible until commit, exact afterwards", async () => {
    const s = await fx.fresh();
    const parts = [pattern(100, 1), pattern(0), pattern(70_000, 2), pattern(5, 3)];
    const w = await s.createWriter("plain.bin", { contentType: "application/octet-stream" });
    for (const p of parts) await w.append(p);
    expect(w.bytesWritten).toBe(70_105);
    expect(await s.exists("plain.bin")).toBe(false);
    expect(await collect(s.list())).toEqual([]);
    expect(await fx.raw(s)).not.toContain("plain.bin");
    await w.commit();
    const expected = new Uint8Array(70_105);
    expected.set(parts[0]!, 0);
    expected.set(parts[2]!, 100);
    expected.set(parts[3]!, 70_100);
    expectBytes(await s.read("plain.bin"), expected);
    expect(await fx.raw(s)).toEqual(["plain.bin"]);
    await expectCode(w.append(pattern(1)), "INVALID_ARGUMENT", "committed");
    await w.abort(); // after commit: nothing to undo
    expect(await s.read("plain.bin")).toEqual(expected);
  });

  it("createWriter with header: the header lands in front of the body at commit", async () => {
    const s = await fx.fresh();
    const header = pattern(16, 9);
    const body = pattern(3000, 4);
    const w = await s.createWriter("shard.shard", { headerLength: 16 });
    await w.append(body.subarray(0, 1000));
    await w.append(body.subarray(1000));
    expect(w.bytesWritten).toBe(3000);
    expect(await s.exists("shard.shard")).toBe(false);
    expect(await collect(s.list())).toEqual([]);
    await w.commit(header);
    const got = await s.read("shard.shard");
    expect(got?.subarray(0, 16)).toEqual(header);
    expect(got?.subarray(16)).toEqual(body);
    expect(await s.read("shard.shard", { offset: 0, length: 16 })).toEqual(header);
    expect(await fx.raw(s)).toEqual(["shard.shard"]);

    // A header-only object (no body at all).
    const empty = await s.createWriter("index-only", { headerLength: 4 });
    await empty.commit(new Uint8Array([1, 2, 3, 4]));
    expect(await s.read("index-only")).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it("createWriter streams multi-MiB bodies (parts and compose on GCS)", async () => {
    const s = await fx.fresh();
    const body = pattern(3 * MiB + 123, 5);
    const header = pattern(40, 6);
    const withHeader = await s.createWriter("big/with-header", { headerLength: 40 });
    const plain = await s.createWriter("big/plain");
    for (let at = 0; at < body.byteLength; at += 64 << 10) {
      const piece = body.subarray(at, at + (64 << 10));
      await Promise.all([withHeader.append(piece), plain.append(piece)]);
    }
    expect(await collect(s.list())).toEqual([]);
    await Promise.all([withHeader.commit(header), plain.commit()]);
    const got = await s.read("big/with-header");
    expectBytes(got?.subarray(0, 40), header);
    expectBytes(got?.subarray(40), body);
    expectBytes(await s.read("big/plain"), body);
    expectBytes(await s.read("big/with-header", { suffix: 10 }), body.subarray(body.byteLength - 10));
    expectBytes(await s.read("big/with-header", { offset: 40 + MiB, length: MiB }), body.subarray(MiB, 2 * MiB));
    expect(await fx.raw(s)).toEqual(["big/plain", "big/with-header"]);
  });

  it("abort leaves nothing behind, at any stage", async () => {
    const s = await fx.fresh();
    for (const headerLength of [0, 8]) {
      const fresh = await s.createWriter(`untouched-${headerLength}`, { headerLength });
      await fresh.abort();
      const w = await s.createWriter(`gone-${headerLength}`, { headerLength });
      await w.append(pattern(1000));
      await w.append(pattern(2 * MiB, 2)); // past the GCS part size: parts are uploaded
      await w.abort();
      await w.abort(); // idempotent
      await expectCode(w.append(pattern(1)), "INVALID_ARGUMENT", "aborted");
      await expectCode(w.commit(new Uint8Array(headerLength)), "INVALID_ARGUMENT", "aborted");
    }
    expect(await collect(s.list())).toEqual([]);
    expect(await fx.raw(s)).toEqual([]);
  });

  it("a commit with the wrong header length fails and cleans up", async () => {
    const s = await fx.fresh();
    const w = await s.createWriter("bad", { headerLength: 8 });
    await w.append(pattern(500));
    await expectCode(w.commit(new Uint8Array(7)), "INVALID_ARGUMENT", "exactly 8 bytes");
    const noHeader = await s.createWriter("bad2");
    await expectCode(noHeader.commit(new Uint8Array(1)), "INVALID_ARGUMENT");
    await expectCode(s.createWriter("bad3", { headerLength: -1 }), "INVALID_ARGUMENT");
    expect(await fx.raw(s)).toEqual([]);
  });

  it("writers honour ifAbsent: refused up front, and at commit if the key appeared meanwhile", async () => {
    const s = await fx.fresh();
    await s.write("taken", "original");
    for (const headerLength of [0, 4]) {
      await expectCode(s.createWriter("taken", { headerLength, ifAbsent: true }), "ALREADY_EXISTS", s.describe("taken"));
    }
    expect(text.decode(await s.read("taken"))).toBe("original");

    const sizes = fx.streamedPreconditions ? [100, MiB] : [100];
    for (const headerLength of [0, 4]) {
      for (const size of sizes) {
        const key = `late-${headerLength}-${size}`;
        const w = await s.createWriter(key, { headerLength, ifAbsent: true });
        await w.append(pattern(size));
        await s.write(key, "got there first");
        await expectCode(w.commit(new Uint8Array(headerLength)), "ALREADY_EXISTS", s.describe(key));
        expect(text.decode(await s.read(key))).toBe("got there first");
      }
    }
    const late = sizes.flatMap((size) => [0, 4].map((h) => `late-${h}-${size}`));
    expect(await fx.raw(s)).toEqual([...late, "taken"].sort());

    const a = await s.createWriter("contested", { headerLength: 2, ifAbsent: true });
    const b = await s.createWriter("contested", { headerLength: 2, ifAbsent: true });
    await Promise.all([a.append(pattern(10, 1)), b.append(pattern(10, 2))]);
    const results = await Promise.allSettled([a.commit(new Uint8Array([1, 1])), b.commit(new Uint8Array([2, 2]))]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await fx.raw(s)).toEqual([...late, "contested", "taken"].sort());
  });

  it("runs concurrent writers to different keys, and appends copy the caller's buffer", async () => {
    const s = await fx.fresh();
    const n = 8;
    const writers = await Promise.all(Array.from({ length: n }, (_, i) => s.createWriter(`c/${i}`, { headerLength: i % 2 ? 4 : 0 })));
    const scratch = new Uint8Array(10);
    for (let round = 0; round < 5; round++) {
      // Every writer's append in flight at once.
      await Promise.all(writers.map((w, i) => w.append(new Uint8Array(1000 * (i + 1)).fill(round * 16 + i))));
      // One buffer, overwritten as soon as each append resolves.
      for (const w of writers) {
        scratch.fill(200 + round);
        await w.append(scratch);
        scratch.fill(0xee);
      }
    }
    await Promise.all(writers.map((w, i) => w.commit(i % 2 ? new Uint8Array([i, i, i, i]) : undefined)));
    for (let i = 0; i < n; i++) {
      const got = (await s.read(`c/${i}`))!;
      const head = i % 2 ? 4 : 0;
      expect(got.byteLength).toBe(head + 5 * (1000 * (i + 1) + 10));
      expect(got.subarray(0, head)).toEqual(new Uint8Array(head).fill(i));
      let at = head;
      for (let round = 0; round < 5; round++) {
        expect(got.subarray(at, at + 1000 * (i + 1)).every((b) => b === round * 16 + i)).toBe(true);
        at += 1000 * (i + 1);
        expect(got.subarray(at, at + 10).every((b) => b === 200 + round)).toBe(true);
        at += 10;
      }
    }
    expect(await collect(s.list("c/"))).toHaveLength(n);
  });
});

describe.each(writable.filter((b) => b.name !== "memory"))("$name storage: large streamed writes", ({ setup }) => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setup();
  });
  afterAll(() => fx?.teardown());

  // Well past anything a backend may buffer (GCS: its 256 KiB parts, two at a time),
  // so buffering the body would show as memory growth of the object's size.
  const SIZE = 256 * MiB;

  it.each([0, 4096])("256 MiB in 1 MiB appends (header %i bytes) with flat memory", async (headerLength) => {
    const s = await fx.fresh();
    const header = pattern(headerLength, 3);
    const chunk = new Uint8Array(MiB);
    const fill = (i: number) => {
      chunk.fill(i & 0xff);
      new DataView(chunk.buffer).setUint32(0, i);
    };
    // Warm up (client, connections, code paths) before taking the baseline.
    await s.write("warmup", pattern(MiB));
    const rss0 = process.memoryUsage().rss;
    let peak = 0;
    const w = await s.createWriter("huge", { headerLength });
    for (let i = 0; i < SIZE / MiB; i++) {
      fill(i);
      await w.append(chunk);
      peak = Math.max(peak, process.memoryUsage().rss - rss0);
    }
    expect(await s.exists("huge")).toBe(false);
    await w.commit(header);
    peak = Math.max(peak, process.memoryUsage().rss - rss0);
    expect(peak, `peak RSS growth ${(peak / MiB).toFixed(1)} MiB`).toBeLessThan(SIZE / 2);

    expect(await s.size("huge")).toBe(headerLength + SIZE);
    expectBytes(await s.read("huge", { offset: 0, length: headerLength }), header);
    // Every chunk checked through 8 MiB ranged reads, so verification stays small too.
    for (let at = 0; at < SIZE; at += 8 * MiB) {
      const got = (await s.read("huge", { offset: headerLength + at, length: 8 * MiB }))!;
      expect(got.byteLength).toBe(8 * MiB);
      for (let k = 0; k < 8; k++) {
        fill(at / MiB + k);
        const piece = got.subarray(k * MiB, (k + 1) * MiB);
        expect(Buffer.compare(piece, chunk), `chunk ${at / MiB + k}`).toBe(0);
      }
    }
    await s.delete("huge");
    expect(await fx.raw(s)).toEqual(["warmup"]);
  });
});

describe("gcs storage: endpoints and failures", () => {
  let gcs: FakeGcs;
  beforeAll(async () => {
    gcs = await startFakeGcs();
    await gcs.createBucket("braid-env");
  });
  afterAll(() => gcs?.stop());

  it("honours STORAGE_EMULATOR_HOST (with or without scheme) when no apiEndpoint is given", async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    try {
      for (const host of [gcs.host, gcs.url, `${gcs.url}/storage/v1/`]) {
        process.env.STORAGE_EMULATOR_HOST = host;
        const s = await openStorage("gs://braid-env/via-env");
        await s.write("k", host);
        expect(text.decode(await s.read("k"))).toBe(host);
        const w = await s.createWriter("w", { headerLength: 1 });
        await w.append(pattern(MiB * 9)); // past the default 8 MiB part size: parts + compose
        await w.commit(new Uint8Array([7]));
        expect(await s.size("w")).toBe(9 * MiB + 1);
      }
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });

  it("sets content types, also on composed objects", async () => {
    const s = new GcsStorage("gs://braid-env/types", { apiEndpoint: gcs.url, partSize: 1024 });
    await s.write("info", "{}", { contentType: "application/json" });
    const w = await s.createWriter("shard", { headerLength: 2, contentType: "application/x-shard" });
    await w.append(pattern(5000));
    await w.commit(new Uint8Array(2));
    for (const [key, type] of [
      ["info", "application/json"],
      ["shard", "application/x-shard"],
    ]) {
      const meta = (await (await fetch(`${gcs.url}/storage/v1/b/braid-env/o/${encodeURIComponent(`types/${key}`)}`)).json()) as {
        contentType: string;
      };
      expect(meta.contentType).toBe(type);
    }
  });

  it("sends clientOptions' credentials with useAuthWithCustomEndpoint, and none to an emulator otherwise", async () => {
    const proxy = await startFaultProxy(gcs.url);
    try {
      // What @google-cloud/storage's auth client is asked for: the headers of each request.
      const authClient = { getRequestHeaders: async () => ({ Authorization: "Bearer test-token" }) };
      const clientOptions = { useAuthWithCustomEndpoint: true, authClient: authClient as never };
      const s = new GcsStorage("gs://braid-env/auth", { apiEndpoint: proxy.url, clientOptions });
      await s.write("k", "x");
      expect(text.decode(await s.read("k"))).toBe("x");
      expect(proxy.requests.map((r) => r.headers.authorization)).toEqual(["Bearer test-token", "Bearer test-token"]);
      expect(await new GcsStorage("gs://braid-env/auth", { apiEndpoint: proxy.url }).exists("k")).toBe(true);
      expect(proxy.requests.at(-1)!.headers.authorization).toBeUndefined();
    } finally {
      await proxy.stop();
    }
  });

  it("reports a missing bucket as NOT_FOUND naming the object", async () => {
    const s = new GcsStorage("gs://no-such-bucket/p", { apiEndpoint: gcs.url });
    await expectCode(s.write("k", "x"), "NOT_FOUND", "gs://no-such-bucket/p/k");
    expect(await s.read("k")).toBeUndefined();
  });

  it("fails fast with UNREACHABLE, naming the endpoint, when nothing listens", async () => {
    const port = await freePort();
    const s = new GcsStorage("gs://b/p", { apiEndpoint: `http://127.0.0.1:${port}` });
    const t0 = Date.now();
    await expectCode(s.read("k"), "UNREACHABLE", `127.0.0.1:${port}`);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const e = await expectCode(s.write("k", "x"), "UNREACHABLE", "gs://b/p/k");
    expect(e.message).toContain(`http://127.0.0.1:${port}`);
    const w = await s.createWriter("big");
    await w.append(pattern(9 * MiB)).catch(() => {});
    await expectCode(w.commit(), "UNREACHABLE");

    const noRetry = new GcsStorage("gs://b/p", { apiEndpoint: `127.0.0.1:${port}`, retries: 0 });
    const t1 = Date.now();
    await expectCode(noRetry.size("k"), "UNREACHABLE", `http://127.0.0.1:${port}`);
    expect(Date.now() - t1).toBeLessThan(1000);
  });
});

describe("http storage (read-only)", () => {
  let dir: string;
  let server: StaticServer;
  let ignoring: StaticServer;
  let forbidding: StaticServer;
  const data = pattern(200_000, 11);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "braid-http-"));
    // Written through LocalStorage, read back over http: the two backends agree on layout.
    const local = new LocalStorage(dir);
    await local.write("vol/s0/chunk", data);
    await local.write("vol/info", '{"type":"segmentation"}');
    await local.write("vol/empty", new Uint8Array(0));
    await writeFile(join(dir, "vol", "with space"), "spaced");
    server = await serveDirectory(dir);
    ignoring = await serveDirectory(dir, { ignoreRange: true, noHead: true });
    forbidding = await serveDirectory(dir, { missingStatus: 403 });
  });
  afterAll(async () => {
    await Promise.all([server, ignoring, forbidding].map((s) => s?.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it("reads whole objects, ranges and suffixes, downloading only the range", async () => {
    const s = new HttpStorage(`${server.url}/vol/`);
    expect(s.url).toBe(`${server.url}/vol`);
    expect(s.writable).toBe(false);
    expectBytes(await s.read("s0/chunk"), data);
    const before = server.bytesSent;
    expect(await s.read("s0/chunk", { offset: 1000, length: 24 })).toEqual(data.subarray(1000, 1024));
    expect(await s.read("s0/chunk", { suffix: 16 })).toEqual(data.subarray(data.byteLength - 16));
    expect(await s.read("s0/chunk", { offset: 199_990 })).toEqual(data.subarray(199_990));
    expect(await s.read("s0/chunk", { offset: 199_990, length: 100 })).toEqual(data.subarray(199_990));
    expectBytes(await s.read("s0/chunk", { suffix: 1_000_000 }), data);
    expect(server.bytesSent - before).toBe(24 + 16 + 10 + 10 + data.byteLength);
    expect(server.requests.at(-1)?.range).toBe("bytes=-1000000");
    expect(await s.read("s0/chunk", { offset: 200_000, length: 5 })).toEqual(new Uint8Array(0));
    expect(await s.read("s0/chunk", { offset: 5, length: 0 })).toEqual(new Uint8Array(0));
    expect(await s.read("empty")).toEqual(new Uint8Array(0));
    expect(await s.read("empty", { suffix: 4 })).toEqual(new Uint8Array(0));
    expect(text.decode(await s.read("info"))).toBe('{"type":"segmentation"}');
    expect(text.decode(await s.read("with space"))).toBe("spaced");
    expect(s.describe("with space")).toBe(`${server.url}/vol/with%20space`);
  });

  it("reports missing objects as undefined, and sizes from HEAD", async () => {
    const s = new HttpStorage(server.url).child("vol");
    expect(await s.read("nope")).toBeUndefined();
    expect(await s.read("nope", { offset: 0, length: 4 })).toBeUndefined();
    expect(await s.read("nope", { suffix: 0 })).toBeUndefined();
    expect(await s.size("nope")).toBeUndefined();
    expect(await s.exists("nope")).toBe(false);
    expect(await s.size("s0/chunk")).toBe(200_000);
    expect(await s.size("empty")).toBe(0);
    expect(await s.exists("info")).toBe(true);
    expect(await s.child("s0").read("chunk", { offset: 0, length: 3 })).toEqual(data.subarray(0, 3));
  });

  it("treats 403 as missing only when told to", async () => {
    const strict = new HttpStorage(`${forbidding.url}/vol`);
    await expectCode(strict.read("nope"), "STORAGE_ERROR", "HTTP 403");
    const lenient = new HttpStorage(`${forbidding.url}/vol`, { missingStatuses: [403, 404] });
    expect(await lenient.read("nope")).toBeUndefined();
    expect(await lenient.size("nope")).toBeUndefined();
    expect(await lenient.read("info")).toEqual(new TextEncoder().encode('{"type":"segmentation"}'));
  });

  it("copes with servers that ignore Range and refuse HEAD, within maxUnrangedBytes", async () => {
    const s = new HttpStorage(`${ignoring.url}/vol`, { maxUnrangedBytes: 256 << 10 });
    expect(await s.read("s0/chunk", { offset: 100, length: 50 })).toEqual(data.subarray(100, 150));
    expect(await s.read("s0/chunk", { suffix: 7 })).toEqual(data.subarray(data.byteLength - 7));
    expect(await s.size("s0/chunk")).toBe(200_000); // HEAD refused, the probe got the whole object
    expect(await s.size("nope")).toBeUndefined();
    const small = new HttpStorage(`${ignoring.url}/vol`, { maxUnrangedBytes: 64 << 10 });
    await expectCode(small.read("s0/chunk", { offset: 0, length: 10 }), "STORAGE_ERROR", "ignores Range");
    expect(await small.read("info", { offset: 1, length: 4 })).toEqual(new TextEncoder().encode('"typ'));
  });

  it("is read-only and cannot list", async () => {
    const s = new HttpStorage(`${server.url}/vol`);
    await expectCode(s.write("x", "y"), "STORAGE_ERROR", "read-only");
    await expectCode(s.createWriter("x"), "STORAGE_ERROR", "read-only");
    await expectCode(s.delete("info"), "STORAGE_ERROR", "read-only");
    await expectCode(collect(s.list()), "STORAGE_ERROR", "no listing");
    expect(await s.exists("info")).toBe(true);
    expect(() => new HttpStorage(`${server.url}/vol?x=1`)).toThrow(/without query/);
  });

  it("reports a closed port as UNREACHABLE, quickly", async () => {
    const port = await freePort();
    const s = new HttpStorage(`http://127.0.0.1:${port}/vol`);
    const t0 = Date.now();
    await expectCode(s.read("info"), "UNREACHABLE", `127.0.0.1:${port}`);
    await expectCode(s.size("info"), "UNREACHABLE");
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe("openStorage", () => {
  let gcs: FakeGcs;
  let dir: string;
  beforeAll(async () => {
    [gcs, dir] = await Promise.all([startFakeGcs(), mkdtemp(join(tmpdir(), "braid-open-"))]);
    await gcs.createBucket("braid-open");
  });
  afterAll(async () => {
    await gcs?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("dispatches on the URL scheme", async () => {
    const byPath = await openStorage(join(dir, "vol"));
    expect(byPath).toBeInstanceOf(LocalStorage);
    await byPath.write("info", "local");
    const byUrl = await openStorage(`${byPath.url}/`);
    expect(byUrl.url).toBe(byPath.url);
    expect(text.decode(await byUrl.read("info"))).toBe("local");

    const g = await openStorage("gs://braid-open/a/b", { gcs: { apiEndpoint: gcs.url } });
    expect(g).toBeInstanceOf(GcsStorage);
    expect(g.url).toBe("gs://braid-open/a/b");
    await g.write("k", "gcs");
    expect(g.describe("k")).toBe("gs://braid-open/a/b/k");
    expect(text.decode(await (await openStorage("gs://braid-open", { gcs: { apiEndpoint: gcs.url } })).read("a/b/k"))).toBe("gcs");

    const h = await openStorage("https://example.invalid/data/", { http: { timeoutMs: 1000 } });
    expect(h).toBeInstanceOf(HttpStorage);
    expect(h.url).toBe("https://example.invalid/data");
  });

  it("memory:// names a process-wide store", async () => {
    const a = await openStorage("memory://shared-test/vol");
    await a.write("info", "mem");
    const b = await openStorage("memory://shared-test");
    expect(b).toBeInstanceOf(MemoryStorage);
    expect(text.decode(await b.read("vol/info"))).toBe("mem");
    expect(a.url).toBe("memory://shared-test/vol");
    expect(a.describe("info")).toBe("memory://shared-test/vol/info");
    expect(await (await openStorage("memory://other-test")).exists("vol/info")).toBe(false);
    MemoryStorage.forget("shared-test");
    expect(await (await openStorage("memory://shared-test")).exists("vol/info")).toBe(false);
  });

  it("rejects unknown schemes and bad URLs", async () => {
    await expectCode(openStorage("s3://bucket/x"), "INVALID_ARGUMENT", "s3://bucket/x");
    await expectCode(openStorage("gs://Bad_Bucket!"), "INVALID_ARGUMENT");
    await expectCode(openStorage("memory://"), "INVALID_ARGUMENT");
  });

  it("joinKey joins with single slashes", () => {
    expect(joinKey("s0/", "/0-64_0-64_0-64")).toBe("s0/0-64_0-64_0-64");
    expect(joinKey("", "a", "", "b/c/")).toBe("a/b/c");
    expect(joinKey()).toBe("");
  });
});

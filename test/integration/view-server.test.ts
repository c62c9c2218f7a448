/**
 * The `braid view` server at the HTTP level, without a browser: Range requests return exactly
 * the file's bytes (random ranges against a read of the file, suffixes, open ends, across the
 * 4 MiB read pieces), HEAD, 416 and ignored ranges, content types and caching, refusal of
 * everything outside the served roots (`..`, encoded dot segments and slashes, absolute
 * paths, symlinks out, foreign Host headers), volumes proxied from `gs://` (fake-gcs-server)
 * and http(s), where the viewer opens a volume, and the `braid-seg/view` entry's names.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as view from "braid-seg/view";
import { openStorage } from "braid-seg";
import { serveVolume, viewerState, type VolumeServer } from "braid-seg/view";
import { omeUnit } from "../../ts/view/zarr-layer.js";
import { dvidData, rng } from "../helpers/data.js";
import { braid, MCNS_SPEC, REAL_NAME, realSource, tempDir } from "../helpers/export.js";
import { startFakeGcs, type FakeGcs } from "../helpers/fake-gcs.js";
import { serveDirectory, type StaticServer } from "../helpers/http-server.js";

const SHARD = "16x16x16/0fe9.shard";
const BIG = "extra/big.bin";
const BIG_SIZE = 9 * (1 << 20) + 12345;

let volume: string;
let client: string;
let server: VolumeServer;
let shard: Buffer;
let big: Buffer;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path is sent exactly as given (fetch would fold `..` away). */
function get(origin: string, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(() => {
  const source = realSource();
  volume = tempDir("view-server");
  const r = braid(["export", "--source", source, "--dest", volume, "--spec", MCNS_SPEC, "--scales", "1", "--workers", "0"]);
  expect(r.code, r.stderr).toBe(0);
  shard = readFileSync(join(volume, SHARD));
  const next = rng(5n);
  big = Buffer.from(Uint8Array.from({ length: BIG_SIZE }, () => Number(next() & 0xffn)));
  mkdirSync(join(volume, "extra"));
  writeFileSync(join(volume, BIG), big);
  // Symlinks: one out of the volume (a file and a directory), one inside it.
  const outside = tempDir("view-outside");
  writeFileSync(join(outside, "secret.txt"), "not yours");
  symlinkSync(join(outside, "secret.txt"), join(volume, "extra/secret-link"));
  symlinkSync(outside, join(volume, "extra/outside-dir"));
  symlinkSync(join(volume, SHARD), join(volume, "extra/shard-link"));

  client = tempDir("view-client");
  writeFileSync(join(client, "index.html"), "<!doctype html><title>client</title>");
  writeFileSync(join(client, "main.0123abcd.js"), "console.log(1)");
  writeFileSync(join(client, "x.89abcdef.wasm"), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(client, ".build-stamp"), "{}");
}, 120_000);

beforeAll(async () => {
  server = await serveVolume({ volumes: [volume], clientDir: client });
});

afterAll(async () => {
  await server?.close();
});

describe("Range requests", () => {
  it("return exactly the requested bytes of a shard, for random ranges", async () => {
    const next = rng(9n);
    const size = shard.byteLength;
    for (let i = 0; i < 150; i++) {
      const start = Number(next() % BigInt(size));
      const end = start + Number(next() % 70_000n);
      const r = await get(server.origin, `/volumes/0/${SHARD}`, { range: `bytes=${start}-${end}` });
      const last = Math.min(end, size - 1);
      expect(r.status).toBe(206);
      expect(r.headers["content-range"]).toBe(`bytes ${start}-${last}/${size}`);
      expect(Number(r.headers["content-length"])).toBe(last - start + 1);
      expect(r.body.equals(shard.subarray(start, last + 1)), `bytes=${start}-${end}`).toBe(true);
    }
  });

  it("serve suffixes, open ends and whole files, across the server's read pieces", async () => {
    const size = shard.byteLength;
    const suffix = await get(server.origin, `/volumes/0/${SHARD}`, { range: "bytes=-1000" });
    expect([suffix.status, suffix.headers["content-range"]]).toEqual([206, `bytes ${size - 1000}-${size - 1}/${size}`]);
    expect(suffix.body.equals(shard.subarray(size - 1000))).toBe(true);
    const longSuffix = await get(server.origin, `/volumes/0/${SHARD}`, { range: `bytes=-${size + 5}` });
    expect([longSuffix.status, longSuffix.body.equals(shard)]).toEqual([206, true]);
    const open = await get(server.origin, `/volumes/0/${SHARD}`, { range: "bytes=1000-" });
    expect([open.status, open.body.equals(shard.subarray(1000))]).toEqual([206, true]);
    const whole = await get(server.origin, `/volumes/0/${SHARD}`);
    expect([whole.status, whole.headers["accept-ranges"], whole.body.equals(shard)]).toEqual([200, "bytes", true]);

    const bigWhole = await get(server.origin, `/volumes/0/${BIG}`);
    expect([bigWhole.status, bigWhole.body.byteLength, bigWhole.body.equals(big)]).toEqual([200, BIG_SIZE, true]);
    const across = await get(server.origin, `/volumes/0/${BIG}`, { range: `bytes=${(4 << 20) - 7}-${(8 << 20) + 9}` });
    expect([across.status, across.body.equals(big.subarray((4 << 20) - 7, (8 << 20) + 10))]).toEqual([206, true]);
    const bigSuffix = await get(server.origin, `/volumes/0/${BIG}`, { range: `bytes=-${5 << 20}` });
    expect(bigSuffix.body.equals(big.subarray(BIG_SIZE - (5 << 20)))).toBe(true);
  });

  it("answers HEAD with the headers only", async () => {
    const head = await get(server.origin, `/volumes/0/${SHARD}`, {}, "HEAD");
    expect([head.status, Number(head.headers["content-length"]), head.body.byteLength]).toEqual([200, shard.byteLength, 0]);
    const ranged = await get(server.origin, `/volumes/0/${SHARD}`, { range: "bytes=10-19" }, "HEAD");
    expect([ranged.status, ranged.headers["content-range"], ranged.body.byteLength]).toEqual([206, `bytes 10-19/${shard.byteLength}`, 0]);
  });

  it("refuses unsatisfiable ranges with 416 and ignores ones it does not serve", async () => {
    const size = shard.byteLength;
    for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, "bytes=-0"]) {
      const r = await get(server.origin, `/volumes/0/${SHARD}`, { range });
      expect([r.status, r.headers["content-range"]], range).toEqual([416, `bytes */${size}`]);
    }
    // Several ranges, another unit, a reversed range, junk: the whole file, as RFC 9110 allows.
    for (const range of ["bytes=0-1,5-9", "items=0-10", "bytes=9-2", "bytes=abc"]) {
      const r = await get(server.origin, `/volumes/0/${SHARD}`, { range });
      expect([r.status, r.body.equals(shard)], range).toEqual([200, true]);
    }
  });
});

describe("what is served, and how", () => {
  it("labels content types and never lets volume metadata be cached", async () => {
    const info = await get(server.origin, "/volumes/0/info");
    expect([info.status, info.headers["content-type"], info.headers["cache-control"]]).toEqual([200, "application/json", "no-store"]);
    expect(JSON.parse(info.body.toString()).scales).toHaveLength(10);
    const data = await get(server.origin, `/volumes/0/${SHARD}`, { range: "bytes=0-15" });
    expect([data.headers["content-type"], data.headers["cache-control"]]).toEqual(["application/octet-stream", "no-cache"]);
    const page = await get(server.origin, "/");
    expect([page.status, page.headers["content-type"], page.headers["cache-control"]]).toEqual([200, "text/html; charset=utf-8", "no-cache"]);
    const js = await get(server.origin, "/main.0123abcd.js");
    expect([js.headers["content-type"], js.headers["cache-control"]]).toEqual(["text/javascript; charset=utf-8", "public, max-age=31536000, immutable"]);
    expect((await get(server.origin, "/x.89abcdef.wasm")).headers["content-type"]).toBe("application/wasm");
  });

  it("serves zarr.json uncached, and opens a zarr v3 array at its centre", async () => {
    const dir = tempDir("view-zarr");
    const meta = { zarr_format: 3, node_type: "array", shape: [40, 60, 80], data_type: "uint32", dimension_names: ["z", "y", "x"] };
    writeFileSync(join(dir, "zarr.json"), JSON.stringify(meta));
    const s = await serveVolume({ volumes: dir, clientDir: client });
    try {
      const r = await get(s.origin, "/volumes/0/zarr.json");
      expect([r.headers["content-type"], r.headers["cache-control"]]).toEqual(["application/json", "no-store"]);
      expect(s.layers[0]).toMatchObject({ format: "zarr v3", type: "segmentation", source: `zarr3://${s.volumeUrl(0)}`, position: [20, 30, 40] });
      expect(s.layers[0]!.dimensions).toEqual({ z: [1, ""], y: [1, ""], x: [1, ""] });
    } finally {
      await s.close();
    }
  });

  it("opens a precomputed volume where its chunks are stored, not at the empty centre of the spec's box", () => {
    // The real shard's blocks (64³ at scale 1, 16 nm) from its CSV index; positions are in scale-0 (8 nm) voxels.
    const rows = readFileSync(dvidData(`${REAL_NAME}-newformat.csv`), "utf8").split("\n").filter((l) => /^\d/.test(l));
    const blocks = rows.map((l) => l.split(",").slice(0, 3).map(Number));
    const centre = [0, 1, 2].map((d) => {
      const lo = Math.min(...blocks.map((b) => b[d]!)) * 64;
      const hi = (Math.max(...blocks.map((b) => b[d]!)) + 1) * 64;
      return (lo + hi); // (lo + hi) / 2 at scale 1, × 2 at scale 0
    });
    expect(server.layers[0]).toMatchObject({ format: "precomputed", type: "segmentation", position: centre });
    expect(server.layers[0]!.dimensions).toEqual({ x: [8e-9, "m"], y: [8e-9, "m"], z: [8e-9, "m"] });
  });

  it("builds neuroglancer state from the layers", () => {
    const state = viewerState(server.layers);
    expect(state).toMatchObject({
      dimensions: server.layers[0]!.dimensions,
      position: server.layers[0]!.position,
      layers: [{ type: "segmentation", source: `precomputed://${server.origin}/volumes/0`, name: volume.split("/").pop() }],
    });
    expect(JSON.parse(decodeURIComponent(new URL(server.url).hash.slice(2)))).toEqual(state);
  });

  it("maps OME-Zarr units to neuroglancer's", () => {
    expect(omeUnit("nanometer")).toEqual([1e-9, "m"]);
    expect(omeUnit("micrometer")).toEqual([1e-6, "m"]);
    expect(omeUnit("angstrom")).toEqual([1e-10, "m"]);
    expect(omeUnit("millisecond")).toEqual([1e-3, "s"]);
    expect(omeUnit(undefined)).toEqual([1, ""]);
    expect(() => omeUnit("furlong")).toThrow(/furlong/);
  });
});

describe("paths outside the served roots", () => {
  it("are refused: dot segments raw and encoded, encoded slashes, NUL, absolute paths, other volumes", async () => {
    const forbidden = [
      "/volumes/0/../../../../etc/passwd",
      "/volumes/0/%2e%2e/%2e%2e/etc/passwd",
      "/volumes/0/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
      "/volumes/0/16x16x16/..%2f..%2finfo",
      "/volumes/0/.%2e/info",
      "/volumes/0/./info",
      "/volumes/0/%00",
      "/volumes/0/%5c..%5cinfo",
      "/%2e%2e/etc/passwd",
      "/volumes/0/%zz",
    ];
    for (const path of forbidden) expect((await get(server.origin, path)).status, path).toBe(403);
    const missing = ["/etc/passwd", "/volumes/0//etc/passwd", "/volumes/1/info", "/volumes/00/info", "/volumes/-1/info", "/volumes/0/", "/volumes/0/nope", "/.build-stamp", "/volumes"];
    for (const path of missing) expect((await get(server.origin, path)).status, path).toBe(404);
    for (const path of [...forbidden, ...missing]) expect((await get(server.origin, path)).body.toString()).not.toContain("root:");
  });

  it("refuse symlinks that lead out of the volume and follow ones that stay inside", async () => {
    expect((await get(server.origin, "/volumes/0/extra/secret-link")).status).toBe(403);
    expect((await get(server.origin, "/volumes/0/extra/outside-dir/secret.txt")).status).toBe(403);
    const inside = await get(server.origin, "/volumes/0/extra/shard-link", { range: "bytes=0-99" });
    expect([inside.status, inside.body.equals(shard.subarray(0, 100))]).toEqual([206, true]);
  });

  it("refuse other methods and requests for another host name (DNS rebinding)", async () => {
    expect((await get(server.origin, "/volumes/0/info", {}, "PUT")).status).toBe(405);
    expect((await get(server.origin, "/volumes/0/info", { host: "evil.example:80" })).status).toBe(403);
    const port = new URL(server.origin).port;
    expect((await get(server.origin, "/volumes/0/info", { host: `localhost:${port}` })).status).toBe(200);
  });
});

describe("remote volumes, proxied through the storage layer", () => {
  let gcs: FakeGcs;
  let http: StaticServer;

  beforeAll(async () => {
    gcs = await startFakeGcs();
    await gcs.createBucket("view");
    const bucket = await openStorage("gs://view/vol", { gcs: { apiEndpoint: gcs.url } });
    for (const key of ["info", SHARD, BIG]) await bucket.write(key, readFileSync(join(volume, key)));
    http = await serveDirectory(volume);
  }, 60_000);

  afterAll(async () => {
    await http?.stop();
    await gcs?.stop();
  });

  it("serve gs:// (fake-gcs-server) and http(s) volumes byte for byte, with the local volume's view", async () => {
    const s = await serveVolume({ volumes: ["gs://view/vol", `${http.url}/`], storage: { gcs: { apiEndpoint: gcs.url } }, clientDir: client });
    try {
      expect(s.layers.map((l) => [l.name, l.format])).toEqual([["vol", "precomputed"], [http.url.split("/").pop(), "precomputed"]]);
      // A bucket lists, so the view opens at the data; plain http cannot, so at the box's centre.
      expect(s.layers[0]!.position).toEqual(server.layers[0]!.position);
      const { size, voxel_offset: offset } = JSON.parse(readFileSync(join(volume, "info"), "utf8")).scales[0];
      expect(s.layers[1]!.position).toEqual([0, 1, 2].map((d) => offset[d] + size[d] / 2));
      const next = rng(13n);
      for (const i of [0, 1]) {
        const info = await get(s.origin, `/volumes/${i}/info`);
        expect([info.status, info.headers["cache-control"], info.body.equals(readFileSync(join(volume, "info")))]).toEqual([200, "no-store", true]);
        for (let k = 0; k < 20; k++) {
          const start = Number(next() % BigInt(shard.byteLength));
          const end = start + Number(next() % 30_000n);
          const r = await get(s.origin, `/volumes/${i}/${SHARD}`, { range: `bytes=${start}-${end}` });
          expect([r.status, r.body.equals(shard.subarray(start, Math.min(end, shard.byteLength - 1) + 1))]).toEqual([206, true]);
        }
        const suffix = await get(s.origin, `/volumes/${i}/${SHARD}`, { range: "bytes=-4096" });
        expect(suffix.body.equals(shard.subarray(shard.byteLength - 4096))).toBe(true);
        const whole = await get(s.origin, `/volumes/${i}/${BIG}`);
        expect([whole.status, whole.body.equals(big)]).toEqual([200, true]);
        expect((await get(s.origin, `/volumes/${i}/16x16x16/0000.shard`)).status).toBe(404);
      }
    } finally {
      await s.close();
    }
  });
});

describe("errors and the entry point", () => {
  it("names what is wrong with a volume or a port", async () => {
    const empty = tempDir("view-empty");
    await expect(serveVolume({ volumes: empty, clientDir: client })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const v2 = tempDir("view-v2");
    writeFileSync(join(v2, ".zarray"), "{}");
    await expect(serveVolume({ volumes: v2, clientDir: client })).rejects.toMatchObject({ code: "UNSUPPORTED" });
    await expect(serveVolume({ volumes: volume, clientDir: empty })).rejects.toMatchObject({ code: "NOT_FOUND", message: /pnpm build:viewer/ });
    const port = Number(new URL(server.origin).port);
    await expect(serveVolume({ volumes: volume, clientDir: client, port })).rejects.toMatchObject({ code: "UNREACHABLE" });
    await expect(serveVolume({ volumes: [], clientDir: client })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("braid-seg/view exports the server and the state builders only", () => {
    expect(Object.keys(view).sort()).toEqual(["serveVolume", "viewerState", "viewerUrl"]);
  });
});

/**
 * The published package, as a user gets it: `pnpm pack` of the built tree, `npm install` of the
 * tarball into an empty folder with no Rust toolchain reachable, then fresh Node processes that
 * import it by name. Checks the native-first default, the forced WebAssembly entry points and
 * the one-line fallback when the binary is missing, and `braid-seg/view` serving the packaged
 * neuroglancer client. Needs `pnpm build` to have run; it never builds anything itself.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dvidData, repoRoot } from "../helpers/data.js";

const NATIVE_BINARY = "native/braid.linux-x64-gnu.node";
const BUILT = [
  "dist/entry/node.js",
  "dist/entry/browser.js",
  "dist/entry/view.js",
  "dist/neuroglancer/index.html",
  "native/index.cjs",
  NATIVE_BINARY,
  "wasm/braid_wasm_bg.wasm",
];
// sha256 of the decoded fib19 sample block, as in test/codec.test.ts.
const FIB19_SHA = "112f124dbf2c5256389d1481e41e6d436e201c0a7fcff0ea3e0880f809373304";

/** Imports SPEC, decodes the real block and reports what it used. */
const PROBE = `
const spec = process.env.SPEC;
const m = await import(spec);
const { readFileSync } = await import("node:fs");
const { gunzipSync } = await import("node:zlib");
const { createHash } = await import("node:crypto");
const v = m.decodeDvidBlock(gunzipSync(readFileSync(process.env.BLOCK)));
const sha = createHash("sha256").update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength)).digest("hex");
const addons = readFileSync("/proc/self/maps", "utf8").split("\\n").filter((l) => l.endsWith(".node")).map((l) => l.split(/\\s+/).pop());
console.log(JSON.stringify({ backend: m.backend, entry: import.meta.resolve(spec), shape: v.shape, sha, addons: [...new Set(addons)] }));
`;

interface Probe {
  backend: string;
  entry: string;
  shape: number[];
  sha: string;
  addons: string[];
  stderr: string;
}

let work: string;
let bin: string;
let app: string;
let tarball: string;

/** The test's environment minus anything that could lead a child to Rust, pnpm or a backend. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(PATH|npm_|PNPM|BRAID_|CARGO|RUSTUP|NODE_OPTIONS|VITEST)/i.test(k)) env[k] = v;
  }
  return { ...env, PATH: bin, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

function probe(spec: string, extra: Record<string, string> = {}): Probe {
  const env = cleanEnv({ SPEC: spec, BLOCK: dvidData("fib19-64x64x64-sample1-block.dat.gz"), ...extra });
  const r = run(join(bin, "node"), ["--input-type=module", "-e", PROBE], app, env);
  expect(r.status, `node exited ${r.status}: ${r.stderr}`).toBe(0);
  return { ...(JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<Probe, "stderr">), stderr: r.stderr };
}

beforeAll(() => {
  const missing = BUILT.filter((f) => !existsSync(join(repoRoot, f)));
  if (missing.length > 0) {
    throw new Error(`package.test.ts tests the built package, but ${missing.join(", ")} are missing: run \`pnpm build\` first`);
  }
  work = mkdtempSync(join(tmpdir(), "braid-package-"));

  // A PATH with node and npm only: whatever the install needs beyond them is a bug.
  bin = join(work, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, "node"));
  const npm = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).stdout.trim();
  symlinkSync(realpathSync(npm), join(bin, "npm"));

  const pack = run("pnpm", ["pack", "--pack-destination", work], repoRoot, process.env);
  expect(pack.status, pack.stderr).toBe(0);
  tarball = join(work, pack.stdout.trim().split("\n").pop()!.split("/").pop()!);
  expect(existsSync(tarball), `pnpm pack output: ${pack.stdout}`).toBe(true);

  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "braid-install-test", private: true, type: "module" }));
  const install = run(
    join(bin, "npm"),
    ["install", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline", tarball],
    app,
    cleanEnv(),
  );
  expect(install.status, `npm install failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed braid-seg tarball", () => {
  it("holds the built JavaScript, the napi loader, the linux-x64-gnu binary and the wasm module, nothing else", () => {
    const list = run("tar", ["-tzf", tarball], work, process.env);
    const files = list.stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    for (const f of [...BUILT, "native/index.d.cts", "wasm/braid_wasm.js", "wasm/braid_wasm.d.ts", "dist/index.d.ts", "package.json"]) {
      expect(files, f).toContain(f);
    }
    const stray = files.filter((f) => !/^(dist\/|native\/|wasm\/|package\.json$|README|LICEN[CS]E)/.test(f));
    expect(stray).toEqual([]);
  });

  it("ships the built neuroglancer client (no build stamp) and serves it from braid-seg/view", () => {
    const list = run("tar", ["-tzf", tarball], work, process.env).stdout.split("\n");
    const client = list.filter((f) => f.startsWith("package/dist/neuroglancer/")).map((f) => f.slice("package/dist/neuroglancer/".length));
    expect(client).toContain("THIRD-PARTY-NOTICES.txt");
    expect(client.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(2);
    expect(client.filter((f) => f.startsWith("."))).toEqual([]);

    const volume = join(work, "volume");
    mkdirSync(volume);
    const scale = { key: "s0", size: [64, 64, 64], voxel_offset: [0, 0, 0], resolution: [8, 8, 8], chunk_sizes: [[64, 64, 64]], encoding: "raw" };
    writeFileSync(join(volume, "info"), JSON.stringify({ "@type": "neuroglancer_multiscale_volume", type: "segmentation", data_type: "uint64", num_channels: 1, scales: [scale] }));
    const script = `
      const { serveVolume } = await import("braid-seg/view");
      const server = await serveVolume({ volumes: process.env.VOLUME });
      const page = await (await fetch(server.origin + "/")).text();
      const assets = [...page.matchAll(/(?:src|href)="([^":]+)"/g)].map((m) => m[1]);
      const answers = [];
      for (const a of assets) {
        const r = await fetch(server.origin + "/" + a);
        answers.push([a, r.status, r.headers.get("content-type"), (await r.arrayBuffer()).byteLength > 1000]);
      }
      const info = await fetch(server.volumeUrl(0) + "/info");
      console.log(JSON.stringify({ assets: answers, info: info.status, layer: server.layers[0], url: server.url }));
      await server.close();`;
    const r = run(join(bin, "node"), ["--input-type=module", "-e", script], app, cleanEnv({ VOLUME: volume }));
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(out.assets.length).toBeGreaterThanOrEqual(2);
    for (const [name, status, type, big] of out.assets) expect([name, status, type, big]).toEqual([name, 200, name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", true]);
    expect(out.info).toBe(200);
    expect(out.layer).toMatchObject({ type: "segmentation", format: "precomputed", position: [32, 32, 32] });
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#!/);
  });

  it("installs with npm from a PATH on which cargo and rustc cannot be found", () => {
    const which = run("/bin/sh", ["-c", "command -v cargo; command -v rustc; command -v node; command -v npm"], app, cleanEnv());
    expect(which.stdout.trim().split("\n")).toEqual([join(bin, "node"), join(bin, "npm")]);
    expect(existsSync(join(app, "node_modules/braid-seg", NATIVE_BINARY))).toBe(true);
  });

  it("loads the native linux-x64-gnu addon by default and decodes the real block", () => {
    const p = probe("braid-seg");
    expect(p.entry).toBe(`file://${realpathSync(app)}/node_modules/braid-seg/dist/entry/node.js`);
    expect(p.backend).toBe("native");
    expect(p.addons).toEqual([realpathSync(join(app, "node_modules/braid-seg", NATIVE_BINARY))]);
    expect(p.shape).toEqual([64, 64, 64]);
    expect(p.sha).toBe(FIB19_SHA);
    expect(p.stderr).toBe("");
  });

  it("serves WebAssembly from braid-seg/wasm with the same result and no addon loaded", () => {
    const p = probe("braid-seg/wasm");
    expect(p.entry.endsWith("/node_modules/braid-seg/dist/entry/wasm-node.js")).toBe(true);
    expect(p.backend).toBe("wasm");
    expect(p.addons).toEqual([]);
    expect(p.sha).toBe(FIB19_SHA);
    expect(p.stderr).toBe("");
  });

  it("switches the default import to WebAssembly with BRAID_BACKEND=wasm", () => {
    const p = probe("braid-seg", { BRAID_BACKEND: "wasm" });
    expect(p.backend).toBe("wasm");
    expect(p.addons).toEqual([]);
    expect(p.sha).toBe(FIB19_SHA);
    expect(p.stderr).toBe("");
  });

  it("falls back to WebAssembly with exactly one warning line when the binary is gone", () => {
    rmSync(join(app, "node_modules/braid-seg", NATIVE_BINARY));
    const p = probe("braid-seg");
    expect(p.backend).toBe("wasm");
    expect(p.sha).toBe(FIB19_SHA);
    const lines = p.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^braid: native addon unavailable \(.+\); using WebAssembly$/);
  });
});

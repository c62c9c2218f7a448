/**
 * The WebAssembly build in a real browser: headless Debian Chromium loads the built browser
 * entry exactly as a page would from an installed package (`node_modules/braid-seg/dist` and
 * `wasm`, resolved through an import map), awaits `init()` with no arguments so the module is
 * found by its packaged relative URL, decodes the real fib19 block and transcodes every record
 * of the real Arrow export. The SHA-256 digests must equal the native addon's in Node.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as braid from "braid-seg";
import { collectProblems, launchChromium, serveStatic, type StaticServer } from "../helpers/browser.js";
import { dvidData, repoRoot, sha256 } from "../helpers/data.js";
import { REAL_SHARD } from "../helpers/arrow.js";

const PKG = "/node_modules/braid-seg";
const WASM_URL = `${PKG}/wasm/braid_wasm_bg.wasm`;

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>braid browser test</title>
<link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "braid-seg": "${PKG}/dist/entry/browser.js" } }</script>
<script type="module">
  import * as braid from "braid-seg";
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const digest = async (v) => hex(await crypto.subtle.digest("SHA-256", new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  window.braidRun = async () => {
    const before = braid.backend ?? null;
    const backend = await braid.init();
    const block = braid.decodeDvidBlock(await bytes("/data/fib19-block"));
    const decoder = new braid.ArrowStreamDecoder();
    const records = decoder.push(await bytes("/data/${REAL_SHARD}"));
    const summary = decoder.finish();
    const payloads = [];
    for (let i = 0; i < records.length; i++) {
      const p = records.transcode(i);
      payloads.push(p === null ? null : await digest(p));
    }
    return { before, backend, shape: block.shape, block: await digest(block.data), summary, payloads };
  };
  window.braid = braid;
  window.braidReady = true;
</script>`;

interface PageResult {
  before: string | null;
  backend: string;
  shape: number[];
  block: string;
  summary: { batches: number; records: number };
  payloads: (string | null)[];
}

let server: StaticServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  const missing = ["dist/entry/browser.js", "wasm/braid_wasm_bg.wasm"].filter((f) => !existsSync(join(repoRoot, f)));
  if (missing.length > 0) throw new Error(`browser.test.ts serves the built package: ${missing.join(", ")} missing, run \`pnpm build\``);
  server = await serveStatic(
    { [`${PKG}/dist/`]: join(repoRoot, "dist"), [`${PKG}/wasm/`]: join(repoRoot, "wasm") },
    {
      "/index.html": { body: PAGE, type: "text/html; charset=utf-8" },
      "/data/fib19-block": {
        body: gunzipSync(readFileSync(dvidData("fib19-64x64x64-sample1-block.dat.gz"))),
        type: "application/octet-stream",
      },
      [`/data/${REAL_SHARD}`]: { body: readFileSync(dvidData(REAL_SHARD)), type: "application/octet-stream" },
    },
  );
  browser = await launchChromium();
  page = await browser.newPage();
  collectProblems(page, problems);
  await page.goto(`${server.origin}/index.html`);
  await page.waitForFunction(() => (window as unknown as { braidReady?: boolean }).braidReady === true, null, {
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The same work in Node, on the native addon. */
function nodeResult(): Omit<PageResult, "before"> {
  const block = braid.decodeDvidBlock(gunzipSync(readFileSync(dvidData("fib19-64x64x64-sample1-block.dat.gz"))));
  const decoder = new braid.ArrowStreamDecoder();
  const records = decoder.push(readFileSync(dvidData(REAL_SHARD)));
  const summary = decoder.finish();
  const payloads = Array.from({ length: records.length }, (_, i) => {
    const p = records.transcode(i);
    return p === null ? null : sha256(p);
  });
  return { backend: braid.backend!, shape: block.shape, block: sha256(block.data), summary, payloads };
}

describe("the browser entry in headless Chromium", () => {
  it("initialises WebAssembly from its packaged relative URL and matches the native addon digest for digest", async () => {
    const inBrowser = await page.evaluate(() => (window as unknown as { braidRun: () => Promise<PageResult> }).braidRun());
    const inNode = nodeResult();
    expect(inNode.backend).toBe("native");

    expect(inBrowser.before).toBeNull();
    expect(inBrowser.backend).toBe("wasm");
    expect(inBrowser.shape).toEqual([64, 64, 64]);
    expect(inBrowser.block).toBe("112f124dbf2c5256389d1481e41e6d436e201c0a7fcff0ea3e0880f809373304");
    expect(inBrowser.block).toBe(inNode.block);
    expect(inBrowser.summary).toEqual(inNode.summary);
    expect(inBrowser.payloads).toHaveLength(258);
    expect(inBrowser.payloads.filter((p) => p !== null).length).toBeGreaterThan(0);
    expect(inBrowser.payloads).toEqual(inNode.payloads);

    // init() found the module beside the glue, streamed with the right type, fetched once.
    const wasm = server.requests.filter((r) => r.path.endsWith(".wasm"));
    expect(wasm).toEqual([{ path: WASM_URL, status: 200, type: "application/wasm" }]);
    expect(server.requests.filter((r) => r.status !== 200)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("keeps init() idempotent once loaded", async () => {
    // Through the page's own module: a dynamic import here would be rewritten by vitest.
    const again = await page.evaluate(async () => {
      const m = (window as unknown as { braid: typeof braid }).braid;
      return [await m.init(), await m.init()];
    });
    expect(again).toEqual(["wasm", "wasm"]);
    expect(server.requests.filter((r) => r.path.endsWith(".wasm"))).toHaveLength(1);
  });
});

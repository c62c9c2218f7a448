/** A loopback static server and a headless Debian Chromium for the browser tests. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { parseRange } from "./http-server.js";

export const CHROMIUM = "/usr/bin/chromium";

// Chromium stays hermetic: no GPU, no network side channels, nothing phoning home.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  // instantiateStreaming insists on this type; anything else means a slower fallback path.
  ".wasm": "application/wasm",
};

export interface ServedRequest {
  path: string;
  status: number;
  type: string;
  /** The Range header, when the request had one. */
  range?: string;
}

export interface StaticServer {
  origin: string;
  /** Every request answered so far, in order. */
  requests: ServedRequest[];
  close(): Promise<void>;
}

/**
 * Serves `mounts` (URL prefix → directory) and `pages` (exact path → bytes or text) on
 * 127.0.0.1 with a random port. Paths outside the mounted directories are 404s, so a page
 * that reaches for a file the package does not ship fails visibly. Mounted files honour a
 * single `Range` (206 with `Content-Range`), as static hosts and buckets do.
 */
export async function serveStatic(
  mounts: Record<string, string>,
  pages: Record<string, { body: string | Uint8Array; type: string }> = {},
): Promise<StaticServer> {
  const requests: ServedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const range = req.headers.range;
    const answer = (status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      requests.push({ path, status, type, ...(range === undefined ? {} : { range }) });
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      res.end(body);
    };
    const page = pages[path];
    if (page) return answer(200, page.type, page.body);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(root, `.${path.slice(prefix.length - 1)}`);
      if ((file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile()) {
        const body = readFileSync(file);
        const type = MIME[extname(file)] ?? "application/octet-stream";
        const r = parseRange(range, body.byteLength);
        if (r === "unsatisfiable") return answer(416, type, "", { "content-range": `bytes */${body.byteLength}` });
        if (r === undefined) return answer(200, type, body, { "accept-ranges": "bytes" });
        return answer(206, type, body.subarray(r[0], r[1] + 1), { "content-range": `bytes ${r[0]}-${r[1]}/${body.byteLength}` });
      }
    }
    answer(404, "text/plain", `not found: ${path}`);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}

/** Launches the system Chromium headless; fails with a setup hint when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (or apt-get install -y chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Records a page's uncaught errors and console errors and warnings into `problems`. */
export function collectProblems(page: Page, problems: string[]): void {
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
}

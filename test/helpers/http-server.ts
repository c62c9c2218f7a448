/**
 * A static file server on 127.0.0.1 for tests of http(s) reading: serves a directory with
 * single `Range` support, or misbehaves on request (ignores Range, refuses HEAD, answers 403
 * for missing files) the way real servers and buckets do.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve, sep } from "node:path";

export interface StaticServerOptions {
  /** Answer every GET with the whole file (200), as servers without range support do. */
  ignoreRange?: boolean;
  /** Answer HEAD with 405, so clients must find sizes another way. */
  noHead?: boolean;
  /** Status for missing files (default 404; S3 and some GCS buckets say 403). */
  missingStatus?: number;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>`, serving the directory at its root. */
  readonly url: string;
  /** Body bytes sent so far, to check that range reads download only the range. */
  readonly bytesSent: number;
  /** Requests so far: method, path and Range header. */
  readonly requests: ReadonlyArray<{ method: string; path: string; range: string | undefined }>;
  stop(): Promise<void>;
}

/** `[start, end]` inclusive for a single `bytes=` range, `"unsatisfiable"`, or `undefined` (ignore it). */
export function parseRange(header: string | undefined, size: number): [number, number] | "unsatisfiable" | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return [start, end];
}

export async function serveDirectory(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  let bytesSent = 0;
  const requests: Array<{ method: string; path: string; range: string | undefined }> = [];

  const fail = (res: ServerResponse, status: number) => res.writeHead(status, { "content-length": 0 }).end();

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://x");
      const range = req.headers.range;
      requests.push({ method: req.method ?? "", path: url.pathname, range });
      if (req.method === "HEAD" && options.noHead) return fail(res, 405);
      if (req.method !== "GET" && req.method !== "HEAD") return fail(res, 405);
      const path = join(base, ...decodeURIComponent(url.pathname).split("/").filter(Boolean));
      if (!path.startsWith(base + sep)) return fail(res, 403);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return fail(res, options.missingStatus ?? 404);

      const size = info.size;
      const r = options.ignoreRange ? undefined : parseRange(range, size);
      if (r === "unsatisfiable") {
        return res.writeHead(416, { "content-range": `bytes */${size}`, "content-length": 0 }).end();
      }
      const [start, end] = r ?? [0, size - 1];
      const length = end - start + 1;
      res.writeHead(r ? 206 : 200, {
        "content-length": String(Math.max(0, length)),
        "content-type": "application/octet-stream",
        ...(options.ignoreRange ? {} : { "accept-ranges": "bytes" }),
        ...(r ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
      });
      if (req.method === "HEAD" || length <= 0) return res.end();
      const stream = createReadStream(path, { start, end });
      stream.on("data", (chunk) => (bytesSent += chunk.length));
      stream.on("error", () => res.destroy());
      stream.pipe(res);
    })().catch(() => res.destroy());
  });

  await new Promise<void>((done, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => done());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get bytesSent() {
      return bytesSent;
    },
    requests,
    stop: () =>
      new Promise<void>((done, reject) => {
        server.close((e) => (e ? reject(e) : done()));
        server.closeAllConnections();
      }),
  };
}

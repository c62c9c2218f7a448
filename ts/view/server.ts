/**
 * `serveVolume`: one loopback http server for the neuroglancer client and the volumes, so
 * the viewer reads them from its own origin (no CORS, no mixed content). Volume `i` is under
 * `/volumes/<i>/`, read through the storage layer (local files, `gs://`, http(s)) with Range
 * support; everything else is the client's directory. Node only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backend } from "../backend/backend.js";
import { BraidError, isBraidError } from "../errors.js";
import { openStorage, type OpenStorageOptions } from "../storage/index.js";
import { LocalStorage } from "../storage/local.js";
import type { Storage } from "../storage/types.js";
import { clientDirectory, clientFiles, type ClientFiles } from "./client.js";
import { clientCacheControl, contentType, volumeCacheControl } from "./content.js";
import { confined, localRoot, type LocalRoot } from "./confine.js";
import { volumeLayer } from "./detect.js";
import type { VolumeLayer } from "./layer.js";
import { parseRange } from "./range.js";
import { viewerUrl } from "./state.js";

export interface ServeVolumeOptions {
  /** Volumes to show: paths, `file://`, `gs://` or `http(s)://` URLs (precomputed or zarr v3 / OME-Zarr). */
  volumes: string | readonly string[];
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). Anything but loopback exposes the volumes. */
  host?: string;
  /** Options for opening `gs://` and http(s) volumes. */
  storage?: OpenStorageOptions;
  /** The built neuroglancer client (default: the package's `dist/neuroglancer`). */
  clientDir?: string;
  /** Called with a line for every failed request (default: nothing is logged). */
  onError?: (line: string) => void;
}

export interface VolumeServer {
  /** The page to open: the client with every volume as a layer, at its data. */
  readonly url: string;
  /** `http://host:port`. */
  readonly origin: string;
  readonly layers: readonly VolumeLayer[];
  /** Where volume `i` is served (`<origin>/volumes/<i>`). */
  volumeUrl(i: number): string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Bytes read from storage per step of a response: a whole shard is never held in memory. */
const PIECE = 4 << 20;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

interface Served {
  storage: Storage;
  /** Local directory, for the symlink check; undefined for remote storage. */
  root: LocalRoot | undefined;
}

/** Layer names from the volumes' last path segments, made unique. */
function layerNames(urls: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return urls.map((url) => {
    const base = url.replace(/[/\\]+$/, "").split(/[/\\]/).pop() || "volume";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/**
 * The path's segments, decoded, or why not: `..`, `.`, empty segments, and encoded `/`, `\`
 * or NUL are refused before anything looks at storage (the URL parser would otherwise fold
 * `..` and `%2e%2e` away silently).
 */
function pathSegments(rawUrl: string): string[] | "bad" {
  const path = rawUrl.split(/[?#]/, 1)[0]!;
  if (!path.startsWith("/")) return "bad";
  const segments: string[] = [];
  for (const raw of path.slice(1).split("/")) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return "bad";
    }
    if (s === "." || s === ".." || /[/\\\0]/.test(s)) return "bad";
    segments.push(s);
  }
  return segments;
}

function plain(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...extra });
  res.end(`${message}\n`);
}

/** Waits for room in the socket's buffer, or for the client to go away. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Answers GET/HEAD of one object with Range support, streaming it piece by piece. */
async function sendObject(req: IncomingMessage, res: ServerResponse, storage: Storage, key: string, cacheControl: string): Promise<void> {
  const size = await storage.size(key);
  if (size === undefined) return plain(res, 404, `not found: ${key}`);
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string> = { "content-type": contentType(key), "cache-control": cacheControl, "accept-ranges": "bytes" };
  if (range === "unsatisfiable") return plain(res, 416, `range not satisfiable: ${req.headers.range}`, { "content-range": `bytes */${size}` });
  const [start, end] = range ? [range.start, range.end] : [0, size - 1];
  if (range) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  headers["content-length"] = String(end - start + 1);
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD") return void res.end();
  for (let offset = start; offset <= end; offset += PIECE) {
    // neuroglancer cancels requests it no longer needs: stop reading for a closed connection.
    if (res.destroyed) return;
    const length = Math.min(PIECE, end - offset + 1);
    const bytes = await storage.read(key, { offset, length });
    // Replaced or truncated since its size was read: the promised length cannot be kept.
    if (bytes === undefined || bytes.byteLength !== length) throw new BraidError("STORAGE_ERROR", `${storage.describe(key)} changed while being served`);
    if (!res.write(bytes)) await drainedOrClosed(res);
  }
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse, served: Served[], client: ClientFiles): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return plain(res, 405, `method ${req.method} not allowed`, { allow: "GET, HEAD" });
  const segments = pathSegments(req.url ?? "/");
  if (segments === "bad") return plain(res, 403, "forbidden path");
  if (segments[0] === "volumes") {
    const volume = /^(0|[1-9]\d*)$/.test(segments[1] ?? "") ? served[Number(segments[1])] : undefined;
    const key = segments.slice(2).join("/");
    if (!volume || key === "" || segments.slice(2).some((s) => s === "")) return plain(res, 404, "not found");
    if (volume.root !== undefined && !(await confined(volume.root, key))) return plain(res, 403, "outside the served volume");
    return sendObject(req, res, volume.storage, key, volumeCacheControl(key));
  }
  const name = segments.length === 1 && segments[0] === "" ? "index.html" : segments.join("/");
  if (!client.names.has(name)) return plain(res, 404, `not found: /${name}`);
  return sendObject(req, res, client.storage, name, clientCacheControl(name));
}

/** The `host:port` values a browser sends for this server (DNS-rebinding guard). */
function allowedHosts(host: string, port: number): Set<string> | undefined {
  if (host === "0.0.0.0" || host === "::" || host === "") return undefined;
  const names = LOOPBACK.has(host) ? ["127.0.0.1", "localhost", "[::1]"] : [host.includes(":") ? `[${host}]` : host];
  return new Set(names.map((n) => `${n}:${port}`));
}

export async function serveVolume(backend: Backend, options: ServeVolumeOptions): Promise<VolumeServer> {
  const urls = typeof options.volumes === "string" ? [options.volumes] : [...options.volumes];
  if (urls.length === 0) throw new BraidError("INVALID_ARGUMENT", "serveVolume needs at least one volume");
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BraidError("INVALID_ARGUMENT", `port must be an integer in 0..65535, got ${port}`);
  const client = await clientFiles(options.clientDir ?? clientDirectory());
  const served: Served[] = await Promise.all(
    urls.map(async (url) => {
      const storage = await openStorage(url, options.storage);
      const root = storage instanceof LocalStorage ? await localRoot(storage.root) : undefined;
      return { storage, root };
    }),
  );

  let allowed: Set<string> | undefined;
  const server: Server = createServer((req, res) => {
    if (allowed && !allowed.has(req.headers.host ?? "")) return plain(res, 403, `unexpected Host ${req.headers.host ?? "(none)"}`);
    handle(req, res, served, client).catch((e: unknown) => {
      const message = isBraidError(e) ? `[${e.code}] ${e.message}` : String(e);
      options.onError?.(`${req.method} ${req.url}: ${message}`);
      if (res.headersSent) res.destroy();
      else plain(res, isBraidError(e) && e.code === "INVALID_ARGUMENT" ? 403 : 502, message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(new BraidError("UNREACHABLE", `cannot listen on ${host}:${port}: ${e.message}`, { cause: e })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  allowed = allowedHosts(host, address.port);
  // A wildcard address is not a place to browse to; its loopback is.
  const shown = address.address === "0.0.0.0" || address.address === "::" ? "127.0.0.1" : address.address;
  const origin = `http://${shown.includes(":") ? `[${shown}]` : shown}:${address.port}`;
  const volumeUrl = (i: number) => `${origin}/volumes/${i}`;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeAllConnections();
    });
  let layers: VolumeLayer[];
  try {
    const names = layerNames(urls);
    layers = await Promise.all(served.map((s, i) => volumeLayer(backend, s.storage, { name: names[i]!, url: volumeUrl(i) })));
  } catch (e) {
    await close();
    throw e;
  }
  return { url: viewerUrl(origin, layers), origin, layers, volumeUrl, close };
}

/**
 * A fault-injecting HTTP proxy for tests: sits on 127.0.0.1 in front of a real server
 * (fake-gcs-server) and, for a seeded fraction of requests, misbehaves the way networks and
 * cloud front ends do — 503s, 429s (some with `Retry-After`), connections reset before or
 * while the request is sent, responses lost after the server acted on the request, responses
 * cut off half way, and requests or responses that stall longer than any client should wait.
 *
 * Faults are drawn from one seeded generator in request arrival order, so a seed fixes the
 * sequence of decisions (which request of a run gets which fault depends on the arrival
 * order the client's concurrency produces).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { rng } from "./data.js";

export const FAULTS = ["503", "429", "reset-request", "lost-response", "reset-response", "stall", "stall-response"] as const;
/**
 * - `503`, `429`: answered by the proxy, the request never reaches the server.
 * - `reset-request`: the connection is reset while the request is being sent.
 * - `lost-response`: the server acts on the request; the client gets a reset instead of its answer.
 * - `reset-response`: the server's answer is cut off half way by a reset.
 * - `stall`: nothing comes back for `stallMs`, then the connection is reset.
 * - `stall-response`: the server's answer stops half way for `stallMs`, then is reset.
 */
export type Fault = (typeof FAULTS)[number];

export interface FaultOptions {
  seed: number;
  /** Fraction of (eligible) requests that get a fault, 0 to 1. */
  rate: number;
  /** Relative weights of the faults drawn (default: all equally likely). */
  weights?: Partial<Record<Fault, number>>;
  /** How long stalls last, in ms, before the connection is reset (default 5000). */
  stallMs?: number;
  /** `Retry-After` seconds on every 429 (default: `1` on about half of them, none on the rest). */
  retryAfter?: number;
  /** Which requests may be faulted (default: all). */
  eligible?: (req: { method: string; url: string }) => boolean;
}

export interface RequestInfo {
  /** 1-based arrival number. */
  n: number;
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  fault: Fault | undefined;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>` (for `STORAGE_EMULATOR_HOST`). */
  readonly host: string;
  /** Requests passed through unharmed and faults injected, by kind. */
  readonly counts: Readonly<Record<Fault | "passed", number>>;
  /** Every request so far, in arrival order. */
  readonly requests: readonly RequestInfo[];
  /** Replaces the fault plan (counts and the request log are kept). */
  configure(options: FaultOptions): void;
  /** Called for each request before it is handled (after its fault is drawn). */
  onRequest(hook: ((info: RequestInfo) => void) | undefined): void;
  stop(): Promise<void>;
}

/** Uniform numbers in [0, 1) fixed by `seed` (the shared xorshift64 generator). */
function generator(seed: number): () => number {
  const next = rng(BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
  return () => Number(next() >> 11n) / 2 ** 53;
}

const NO_FAULTS: FaultOptions = { seed: 0, rate: 0 };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export async function startFaultProxy(target: string, initial: FaultOptions = NO_FAULTS): Promise<FaultProxy> {
  const upstream = new URL(target);
  let options = initial;
  let random = generator(options.seed);
  let hook: ((info: RequestInfo) => void) | undefined;
  const counts = Object.fromEntries([...FAULTS, "passed"].map((k) => [k, 0])) as Record<Fault | "passed", number>;
  const requests: RequestInfo[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let self = "";

  const draw = (req: IncomingMessage): Fault | undefined => {
    if (options.eligible && !options.eligible({ method: req.method ?? "GET", url: req.url ?? "/" })) return undefined;
    if (random() >= options.rate) return undefined;
    const weights = FAULTS.map((f) => options.weights?.[f] ?? (options.weights ? 0 : 1));
    let x = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < FAULTS.length; i++) if ((x -= weights[i]!) < 0) return FAULTS[i];
    return FAULTS[FAULTS.length - 1];
  };

  /** The request sent on to the server, answered in full. */
  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host, "content-length": String(body.byteLength) };
      delete headers["transfer-encoding"];
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
        void readBody(res).then((b) => {
          const h: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = v;
          // Links the server hands out (resumable sessions, media links) must lead back here.
          for (const k of ["location"]) if (typeof h[k] === "string") h[k] = (h[k] as string).split(upstream.origin).join(self);
          delete h["transfer-encoding"];
          h["content-length"] = String(b.byteLength);
          resolve({ status: res.statusCode ?? 502, headers: h, body: b });
        }, reject);
      });
      out.on("error", reject);
      out.end(body);
    });

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const reset = (req: IncomingMessage) => {
    if (!req.socket.destroyed) req.socket.resetAndDestroy();
  };

  const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
    const body = JSON.stringify({ error: { code: status, message: `injected ${status}`, errors: [{ reason: "injected", message: "injected" }] } });
    res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };

  /** Sends the head and the first half of `up`'s body; `then` runs once that is flushed. */
  const half = (res: ServerResponse, up: Upstream, then: () => void) => {
    res.writeHead(up.status, up.headers);
    const cut = up.body.subarray(0, Math.floor(up.body.byteLength / 2));
    if (cut.byteLength === 0) res.flushHeaders();
    res.write(cut, () => then());
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined) => {
    const stallMs = options.stallMs ?? 5000;
    switch (fault) {
      case "503":
        await readBody(req);
        return answer(res, 503);
      case "429":
        await readBody(req);
        if (options.retryAfter !== undefined) return answer(res, 429, { "retry-after": String(options.retryAfter) });
        return answer(res, 429, random() < 0.5 ? { "retry-after": "1" } : {});
      case "reset-request": {
        // Part of the body may already have arrived; nothing reaches the server.
        const length = Number(req.headers["content-length"] ?? 0);
        if (length === 0) return reset(req);
        req.once("data", () => reset(req));
        req.once("end", () => reset(req));
        return;
      }
      case "stall":
        req.resume();
        return later(stallMs, () => reset(req));
      case undefined:
      case "lost-response":
      case "reset-response":
      case "stall-response": {
        const up = await forward(req, await readBody(req));
        if (fault === undefined) {
          res.writeHead(up.status, up.headers);
          return res.end(up.body);
        }
        if (fault === "lost-response") return reset(req);
        if (fault === "reset-response") return half(res, up, () => reset(req));
        return half(res, up, () => later(stallMs, () => reset(req)));
      }
    }
  };

  const server = createServer((req, res) => {
    const fault = draw(req);
    const info: RequestInfo = { n: requests.length + 1, method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, fault };
    requests.push(info);
    counts[fault ?? "passed"]++;
    hook?.(info);
    handle(req, res, fault).catch(() => reset(req));
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  self = `http://127.0.0.1:${port}`;

  return {
    url: self,
    host: `127.0.0.1:${port}`,
    counts,
    requests,
    configure(next) {
      options = next;
      random = generator(next.seed);
    },
    onRequest(h) {
      hook = h;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

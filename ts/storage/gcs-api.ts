/**
 * The requests {@link GcsStorage} makes, on the GCS JSON API over `fetch`: every one bounded
 * by an idle timeout and retried by {@link GcsApi.send} under the {@link RetryPolicy}. A reply
 * is read in full inside its attempt, so a body cut short or stalled is retried like any other
 * failure, and callers only ever see complete answers.
 */
import { BraidError } from "../errors.js";
import { concatBytes } from "./bytes.js";
import { alreadyExists } from "./errors.js";
import { backoff, CONNECT_RETRIES, isTransientStatus, networkFailure, parseRetryAfter, sleep, type RetryPolicy, type Transient } from "./gcs-retry.js";

export interface Reply {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** Attempts it took (1 = first try): a request retried may have been applied before. */
  attempts: number;
}

export interface Request {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

/** Credentials for a request: headers to add (none against an emulator). */
export type Authorize = () => Promise<Record<string, string>>;

export const GOOGLE = "https://storage.googleapis.com";

class AttemptFailed extends Error {
  constructor(readonly transient: Transient) {
    super(transient.reason);
  }
}

const text = new TextDecoder();

/** The `message` of a JSON API error body, else its text. */
function errorMessage(reply: Reply): string {
  const raw = text.decode(reply.body).trim();
  try {
    const message = (JSON.parse(raw) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON
  }
  return raw.slice(0, 200) || `HTTP ${reply.status}`;
}

export class GcsApi {
  constructor(
    readonly bucket: string,
    /** Base URL without `/storage/v1`; `undefined` for Google. */
    readonly endpoint: string | undefined,
    readonly policy: RetryPolicy,
    private readonly authorize: Authorize,
  ) {}

  /** Where requests go, for messages. */
  get host(): string {
    return this.endpoint ?? GOOGLE;
  }

  /** JSON API URL of object `name` (or of the bucket's object list, for `""`), with `query`. */
  objectUrl(name: string, query: Record<string, string | number | undefined> = {}, action = ""): string {
    const path = name === "" ? "" : `/${encodeURIComponent(name)}${action}`;
    return this.#url(`/storage/v1/b/${encodeURIComponent(this.bucket)}/o${path}`, query);
  }

  uploadUrl(query: Record<string, string | number | undefined>): string {
    return this.#url(`/upload/storage/v1/b/${encodeURIComponent(this.bucket)}/o`, query);
  }

  /**
   * Sends `request` until it gets an answer that is not transient (which may be an error status:
   * callers decide what a 404 or 412 means), or the retry budget runs out: then `UNREACHABLE`,
   * naming `where` (`gs://bucket/key`).
   */
  async send(op: string, where: string, request: Request): Promise<Reply> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let failure: Transient;
      try {
        const reply = await this.#attempt(request, attempt + 1);
        if (!isTransientStatus(reply.status)) return reply;
        failure = {
          reason: `${reply.status} ${errorMessage(reply)}`,
          connect: false,
          ...(reply.headers.has("retry-after") ? { retryAfter: parseRetryAfter(reply.headers.get("retry-after")) } : {}),
        };
      } catch (e) {
        if (!(e instanceof AttemptFailed)) throw this.#broken(e, op, where);
        failure = e.transient;
      }
      const budget = failure.connect ? Math.min(this.policy.retries, CONNECT_RETRIES) : this.policy.retries;
      if (attempt >= budget) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        throw new BraidError(
          "UNREACHABLE",
          `cannot ${op} ${where}: GCS endpoint ${this.host} is unreachable (${failure.reason}; ${attempt + 1} attempt${attempt ? "s" : ""} over ${seconds} s)`,
          { file: where },
        );
      }
      await sleep(backoff(this.policy, attempt, failure));
    }
  }

  /** The error for an answer the caller did not expect. */
  fail(reply: Reply, op: string, where: string): BraidError {
    if (reply.status === 412) return alreadyExists(where);
    const message = errorMessage(reply);
    if (reply.status === 404) return new BraidError("NOT_FOUND", `cannot ${op} ${where}: not found (${message})`, { file: where });
    return new BraidError("STORAGE_ERROR", `cannot ${op} ${where}: ${reply.status} ${message}`, { file: where });
  }

  /** One attempt, read to its end; network failures and stalls become {@link AttemptFailed}. */
  async #attempt(request: Request, attempts: number): Promise<Reply> {
    const controller = new AbortController();
    const ms = this.policy.timeout * 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // An idle timeout: restarted by every piece of the answer, so only a stall trips it.
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), ms);
    };
    try {
      const headers = { ...(await this.authorize()), ...request.headers };
      arm();
      const res = await fetch(request.url, {
        method: request.method,
        headers,
        ...(request.body ? { body: request.body } : {}),
        signal: controller.signal,
      });
      arm();
      const pieces: Uint8Array[] = [];
      const reader = res.body?.getReader();
      for (let piece = await reader?.read(); piece && !piece.done; piece = await reader!.read()) {
        pieces.push(piece.value);
        arm();
      }
      const body = concatBytes(pieces);
      const declared = res.headers.get("content-length");
      if (declared !== null && !res.headers.has("content-encoding") && Number(declared) !== body.byteLength) {
        throw new AttemptFailed({ reason: `answer cut short (${body.byteLength} of ${declared} bytes)`, connect: false });
      }
      return { status: res.status, headers: res.headers, body, attempts };
    } catch (e) {
      if (e instanceof AttemptFailed) throw e;
      if (controller.signal.aborted) throw new AttemptFailed({ reason: `no progress within ${this.policy.timeout} s`, connect: false });
      // fetch reports every network failure as an error with a cause; anything else is ours.
      if (e instanceof Error && e.cause !== undefined) throw new AttemptFailed(networkFailure(e));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  #broken(e: unknown, op: string, where: string): BraidError {
    if (e instanceof BraidError) return e;
    return new BraidError("STORAGE_ERROR", `cannot ${op} ${where}: ${e instanceof Error ? e.message : String(e)}`, { file: where, cause: e });
  }

  #url(path: string, query: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return `${this.host}${path}${s ? `?${s}` : ""}`;
  }
}

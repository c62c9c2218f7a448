/**
 * How {@link GcsStorage} retries: which failures are worth another attempt, how long to wait
 * before it (exponential backoff with full jitter, at least what `Retry-After` asks), and when
 * to give up. The settings come from the storage's options, else from `BRAID_GCS_*`
 * environment variables (so the CLI, its worker threads and array-job workers all see them),
 * else from the defaults below.
 */
import { BraidError } from "../errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt of a request. */
  retries: number;
  /** Seconds: the backoff ceiling before the first retry; it doubles with every retry. */
  retryDelay: number;
  /** Seconds: the longest wait between two attempts, `Retry-After` included. */
  maxRetryDelay: number;
  /** Seconds an attempt may go without progress (no answer yet, or no body bytes) before it is abandoned. */
  timeout: number;
}

export const DEFAULT_POLICY: RetryPolicy = { retries: 8, retryDelay: 0.5, maxRetryDelay: 16, timeout: 60 };

/**
 * Retries for an endpoint that cannot be connected to at all (refused, no DNS name): that is
 * a wrong address far more often than an outage, and should not take a minute to report.
 */
export const CONNECT_RETRIES = 2;

const ENV: Record<keyof RetryPolicy, string> = {
  retries: "BRAID_GCS_RETRIES",
  retryDelay: "BRAID_GCS_RETRY_DELAY",
  maxRetryDelay: "BRAID_GCS_MAX_RETRY_DELAY",
  timeout: "BRAID_GCS_TIMEOUT",
};

/** A non-negative number from the environment variable `name`, if set. */
export function envNumber(name: string, integer = false): number | undefined {
  const raw = typeof process === "undefined" ? undefined : process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new BraidError("INVALID_ARGUMENT", `${name}=${JSON.stringify(raw)}: expected a non-negative ${integer ? "integer" : "number"}`);
  }
  return n;
}

/** The policy: explicit options first, then the environment, then {@link DEFAULT_POLICY}. */
export function retryPolicy(options: Partial<RetryPolicy>): RetryPolicy {
  const pick = (k: keyof RetryPolicy) => options[k] ?? envNumber(ENV[k], k === "retries") ?? DEFAULT_POLICY[k];
  const policy = { retries: pick("retries"), retryDelay: pick("retryDelay"), maxRetryDelay: pick("maxRetryDelay"), timeout: pick("timeout") };
  for (const [k, v] of Object.entries(policy)) {
    if (!Number.isFinite(v) || v < 0 || (k === "retries" && !Number.isInteger(v)) || (k === "timeout" && v === 0)) {
      throw new BraidError("INVALID_ARGUMENT", `GCS option ${k} must be a non-negative ${k === "retries" ? "integer" : "number"}${k === "timeout" ? " above 0" : ""}, not ${v}`);
    }
  }
  return policy;
}

/** Why an attempt failed, when another attempt may succeed. */
export interface Transient {
  /** For messages: `503 Service Unavailable`, `ECONNRESET`, `no answer within 60 s`. */
  reason: string;
  /** The connection could not be made at all (see {@link CONNECT_RETRIES}). */
  connect: boolean;
  /** Seconds the server asked to wait (`Retry-After`). */
  retryAfter?: number;
}

/** Statuses Google documents as retryable: timeouts, rate limits, server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` as seconds: a delay or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

const CONNECT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The error code of a failed `fetch` (undici wraps it in `cause`, happy eyeballs in `errors`). */
function networkCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 4; depth++) {
    const o = x as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof o.code === "string") return o.code;
    if (Array.isArray(o.errors) && o.errors.length > 0) x = o.errors[0];
    else x = o.cause;
  }
  return undefined;
}

/**
 * A failure of `fetch` or of reading its body: always the network's (a refused or dropped
 * connection, a reset, a body cut short), never a verdict of the server, so always worth
 * another attempt.
 */
export function networkFailure(e: unknown): Transient {
  const code = networkCode(e);
  const message = e instanceof Error ? e.message : String(e);
  return { reason: code ?? message, connect: code !== undefined && CONNECT.has(code) };
}

/** Seconds to wait before retry number `retry` (0-based): full jitter, then `Retry-After`, capped. */
export function backoff(policy: RetryPolicy, retry: number, failure: Transient, random = Math.random): number {
  const ceiling = Math.min(policy.maxRetryDelay, policy.retryDelay * 2 ** retry);
  return Math.min(policy.maxRetryDelay, Math.max(random() * ceiling, failure.retryAfter ?? 0));
}

export const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

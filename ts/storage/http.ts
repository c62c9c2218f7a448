/**
 * Read-only storage over http(s) with Range requests: a static file server, a CDN, or a
 * public bucket (`https://storage.googleapis.com/bucket/prefix`). Uses only `fetch`, so it
 * runs in browsers; there, cross-origin servers must expose `Content-Range` through CORS
 * (`Access-Control-Expose-Headers`) for range checks and size probes.
 */
import { BraidError } from "../errors.js";
import { checkRange, concatBytes, isEmptyRange, resolveRange } from "./bytes.js";
import { dirPrefix, objectKey } from "./keys.js";
import type { ByteRange, ObjectWriter, Storage, WriteOptions } from "./types.js";

export interface HttpStorageOptions {
  /** The `fetch` to use (to add authentication, retries or caching); default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * Statuses meaning "no such object" (default `[404]`). Servers that hide which objects exist
   * answer 403 instead: S3 buckets without `s3:ListBucket`, and GCS buckets whose readers hold
   * `storage.objects.get` but not `storage.objects.list` (e.g. `allUsers` as Legacy Object
   * Reader). Add 403 for those; it is not the default because it would also hide real
   * permission errors.
   */
  missingStatuses?: readonly number[];
  /**
   * A server that ignores `Range` sends the whole object; up to this many bytes (default
   * 16 MiB) are then downloaded and sliced, anything larger is an error rather than a
   * surprise download.
   */
  maxUnrangedBytes?: number;
  /** Per-request limit including the body, in milliseconds (default 60 000). */
  timeoutMs?: number;
}

const DEFAULT_MAX_UNRANGED = 16 << 20;

// `Content-Range: bytes <first>-<last>/<total>` (total may be `*`), or `bytes */<total>` for 416.
function parseContentRange(value: string | null): { first?: number; total?: number } | undefined {
  const m = value === null ? null : /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  return {
    ...(m[1] !== undefined ? { first: Number(m[1]) } : {}),
    ...(m[2] !== "*" ? { total: Number(m[2]) } : {}),
  };
}

function rangeHeader(range: ByteRange): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  return range.length === undefined ? `bytes=${range.offset}-` : `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

export class HttpStorage implements Storage {
  readonly writable = false;
  /** The base URL, without a trailing slash. */
  readonly url: string;
  readonly #options: HttpStorageOptions;

  constructor(url: string, options: HttpStorageOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (e) {
      throw new BraidError("INVALID_ARGUMENT", `invalid URL ${JSON.stringify(url)}`, { cause: e });
    }
    // Keys are appended to the path, which a query or fragment would end up after.
    if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.search !== "" || parsed.hash !== "") {
      throw new BraidError("INVALID_ARGUMENT", `HttpStorage needs an http(s) URL without query or fragment, not ${url}`);
    }
    this.url = parsed.href.replace(/\/+$/, "");
    this.#options = options;
  }

  async read(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    const url = this.#objectUrl(key);
    if (range !== undefined) checkRange(range, url);
    // `bytes=-0` and zero-length ranges are unsatisfiable by definition; only existence matters.
    if (isEmptyRange(range)) return (await this.exists(key)) ? new Uint8Array(0) : undefined;
    const res = await this.#fetch(url, "GET", range === undefined ? undefined : rangeHeader(range));
    if (this.#isMissing(res)) return this.#drop(res, undefined);
    if (range === undefined) {
      if (res.status !== 200) return this.#drop(res, this.#statusError(res, url, "read"));
      return this.#body(res, url, Infinity) as Promise<Uint8Array>;
    }
    if (res.status === 416) return this.#drop(res, new Uint8Array(0)); // starts at or past the end
    if (res.status === 206) {
      const got = parseContentRange(res.headers.get("content-range"));
      const body = (await this.#body(res, url, Infinity))!;
      if (got?.first !== undefined) {
        const want = "suffix" in range ? Math.max(0, (got.total ?? got.first + body.byteLength) - range.suffix) : range.offset;
        if (got.first !== want) {
          throw new BraidError("STORAGE_ERROR", `${url}: asked for ${rangeHeader(range)}, the server sent bytes from ${got.first}`, {
            file: url,
          });
        }
      }
      return body;
    }
    if (res.status === 200) {
      // The server ignored Range and is sending the whole object.
      const limit = this.#options.maxUnrangedBytes ?? DEFAULT_MAX_UNRANGED;
      const whole = await this.#body(res, url, limit);
      if (whole === undefined) {
        throw new BraidError(
          "STORAGE_ERROR",
          `${url}: the server ignores Range requests and the object is larger than maxUnrangedBytes (${limit})`,
          { file: url },
        );
      }
      const [start, end] = resolveRange(range, whole.byteLength);
      return whole.subarray(start, end);
    }
    return this.#drop(res, this.#statusError(res, url, "read"));
  }

  async size(key: string): Promise<number | undefined> {
    const url = this.#objectUrl(key);
    const head = await this.#fetch(url, "HEAD");
    if (this.#isMissing(head)) return undefined;
    const length = head.headers.get("content-length");
    // A compressed response's length is not the object's; probe with a range instead.
    if (head.status === 200 && length !== null && !head.headers.get("content-encoding")) return Number(length);
    if (head.status !== 200 && head.status !== 405 && head.status !== 501) throw this.#statusError(head, url, "stat");

    const probe = await this.#fetch(url, "GET", "bytes=0-0");
    if (this.#isMissing(probe)) return this.#drop(probe, undefined);
    if (probe.status === 206 || probe.status === 416) {
      const total = parseContentRange(probe.headers.get("content-range"))?.total;
      if (total !== undefined) return this.#drop(probe, total);
      return this.#drop(
        probe,
        new BraidError("STORAGE_ERROR", `${url}: cannot tell the object's size (no readable Content-Range; check CORS)`, {
          file: url,
        }),
      );
    }
    if (probe.status === 200) {
      const limit = this.#options.maxUnrangedBytes ?? DEFAULT_MAX_UNRANGED;
      const whole = await this.#body(probe, url, limit);
      if (whole !== undefined) return whole.byteLength;
      throw new BraidError("STORAGE_ERROR", `${url}: cannot tell the object's size (no Content-Length, Range ignored)`, { file: url });
    }
    return this.#drop(probe, this.#statusError(probe, url, "stat"));
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async write(key: string, _data?: Uint8Array | string, _options?: WriteOptions): Promise<void> {
    throw this.#readOnly(key);
  }

  async createWriter(key: string, _options?: { headerLength?: number } & WriteOptions): Promise<ObjectWriter> {
    throw this.#readOnly(key);
  }

  async delete(key: string): Promise<void> {
    throw this.#readOnly(key);
  }

  // eslint-disable-next-line require-yield
  async *list(): AsyncIterable<string> {
    throw new BraidError("STORAGE_ERROR", `cannot list ${this.url}: plain http has no listing`, { file: this.url });
  }

  child(prefix: string): Storage {
    const p = dirPrefix(prefix);
    return p === "" ? this : new HttpStorage(`${this.url}/${encodePath(p)}`, this.#options);
  }

  describe(key: string): string {
    return `${this.url}/${encodePath(key)}`;
  }

  #objectUrl(key: string): string {
    return this.describe(objectKey(key));
  }

  #isMissing(res: Response): boolean {
    return (this.#options.missingStatuses ?? [404]).includes(res.status);
  }

  async #fetch(url: string, method: "GET" | "HEAD", range?: string): Promise<Response> {
    const headers = new Headers(this.#options.headers);
    if (range !== undefined) headers.set("Range", range);
    const timeout = this.#options.timeoutMs ?? 60_000;
    try {
      return await (this.#options.fetch ?? globalThis.fetch)(url, { method, headers, signal: AbortSignal.timeout(timeout) });
    } catch (e) {
      throw unreachable(e, url, timeout);
    }
  }

  /** The body, or `undefined` once it exceeds `limit` bytes (the rest is not downloaded). */
  async #body(res: Response, url: string, limit: number): Promise<Uint8Array | undefined> {
    try {
      const declared = Number(res.headers.get("content-length") ?? NaN);
      if (declared > limit) return this.#drop(res, undefined);
      if (res.body === null) return new Uint8Array(await res.arrayBuffer());
      const reader = res.body.getReader();
      const parts: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return concatBytes(parts, total);
        total += value.byteLength;
        if (total > limit) {
          await reader.cancel().catch(() => {});
          return undefined;
        }
        parts.push(value);
      }
    } catch (e) {
      throw new BraidError("STORAGE_ERROR", `${url}: reading the response failed: ${describeCause(e)}`, { file: url, cause: e });
    }
  }

  /** Releases an unread body (so the connection is reused), then returns or throws `outcome`. */
  async #drop<T>(res: Response, outcome: T): Promise<T extends Error ? never : T> {
    await res.body?.cancel().catch(() => {});
    if (outcome instanceof Error) throw outcome;
    return outcome as T extends Error ? never : T;
  }

  #statusError(res: Response, url: string, op: string): BraidError {
    return new BraidError("STORAGE_ERROR", `cannot ${op} ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd(), { file: url });
  }

  #readOnly(key: string): BraidError {
    const where = this.describe(key);
    return new BraidError("STORAGE_ERROR", `cannot write ${where}: ${this.url} is read-only (http storage)`, { file: where });
  }
}

function encodePath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

function describeCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const base = e instanceof Error ? e.message : String(e);
  return cause?.code ?? cause?.message ?? base;
}

function unreachable(e: unknown, url: string, timeout: number): BraidError {
  const name = (e as { name?: string } | undefined)?.name;
  const reason = name === "TimeoutError" ? `no answer within ${timeout} ms` : describeCause(e);
  return new BraidError("UNREACHABLE", `cannot reach ${new URL(url).origin} for ${url} (${reason})`, { file: url, cause: e });
}

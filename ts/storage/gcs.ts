/**
 * Storage in a Google Cloud Storage bucket (`gs://bucket/prefix`), through
 * `@google-cloud/storage`, which is imported on first use so that nobody else loads it.
 * Honours `STORAGE_EMULATOR_HOST` and an explicit `apiEndpoint` (fake-gcs-server, tests).
 *
 * Atomicity comes from GCS itself: an upload (simple or resumable) creates its object only
 * when it completes. A writer with a header streams its body to a temporary object and, at
 * commit, composes `[header, body]` into the key (one request, so the key never holds a
 * partial object). Temporaries live at `<key>.braid-tmp/<id>/…`, are hidden from `list`, and
 * are deleted on commit and abort; a crashed writer can leave some behind (a lifecycle rule on
 * `.braid-tmp/` cleans those up).
 */
import type { Bucket, File, StorageOptions } from "@google-cloud/storage";
import { BraidError } from "../errors.js";
import { checkRange, isEmptyRange, toBytes } from "./bytes.js";
import { alreadyExists } from "./errors.js";
import { asBuffer, ComposeWriter, StreamWriter, TEMP, Upload, uploadOptions } from "./gcs-writers.js";
import { dirPrefix, listPrefix, objectKey, under } from "./keys.js";
import type { ByteRange, ObjectWriter, Storage, WriteOptions } from "./types.js";
import { checkHeaderLength } from "./writer.js";

export interface GcsStorageOptions {
  /**
   * The JSON API endpoint, e.g. `http://127.0.0.1:4443` for fake-gcs-server (no scheme means
   * `http://`, as emulators speak plain http). Default: `STORAGE_EMULATOR_HOST` when set, else
   * Google's. A custom endpoint is used without credentials unless `clientOptions` sets
   * `useAuthWithCustomEndpoint`.
   */
  apiEndpoint?: string;
  projectId?: string;
  /**
   * How often a failed request is retried (transient HTTP errors, dropped connections, and
   * connections that fail outright). Default 2: an unreachable endpoint fails within ~5 s.
   */
  retries?: number;
  /** Cap on the wait between retries, in seconds (default 2). */
  maxRetryDelay?: number;
  /**
   * Objects up to this many bytes are uploaded in one request; larger writes stream through a
   * resumable upload (default 8 MiB, also the most a writer buffers).
   */
  resumableThreshold?: number;
  /** Anything else the client takes (credentials, keyFilename, …); the options above win. */
  clientOptions?: StorageOptions;
}

const GOOGLE = "https://storage.googleapis.com";
/** Errors meaning the endpoint could not be reached at all. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);
/** Errors of a connection dropped under a request (e.g. a reused keep-alive socket). */
const DROPPED = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** `http://host:port` from `STORAGE_EMULATOR_HOST` or an option, in the form the client needs. */
function normalizeEndpoint(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`;
  return withScheme.replace(/\/+$/, "").replace(/\/storage\/v1$/, "");
}

/** The client and bucket, created on first use and shared by a storage and its children. */
class Connection {
  readonly endpoint: string | undefined;
  #bucket: Promise<Bucket> | undefined;

  constructor(
    readonly bucketName: string,
    readonly options: GcsStorageOptions,
  ) {
    const raw = options.apiEndpoint ?? (typeof process === "undefined" ? undefined : process.env.STORAGE_EMULATOR_HOST);
    this.endpoint = raw === undefined || raw === "" ? undefined : normalizeEndpoint(raw);
  }

  /** Where requests go, for messages. */
  get host(): string {
    return this.endpoint ?? GOOGLE;
  }

  bucket(): Promise<Bucket> {
    this.#bucket ??= this.#connect().catch((e: unknown) => {
      this.#bucket = undefined;
      throw new BraidError("STORAGE_ERROR", `cannot load @google-cloud/storage for gs://${this.bucketName}: ${String(e)}`, { cause: e });
    });
    return this.#bucket;
  }

  async #connect(): Promise<Bucket> {
    const { Storage } = await import("@google-cloud/storage");
    const { retries = 2, maxRetryDelay = 2, projectId, clientOptions = {} } = this.options;
    const client = new Storage({
      ...clientOptions,
      ...(this.endpoint !== undefined ? { apiEndpoint: this.endpoint } : {}),
      ...(projectId !== undefined ? { projectId } : {}),
      retryOptions: {
        ...clientOptions.retryOptions,
        // maxRetries: 0 means "default" to the client; turning retries off is autoRetry's job.
        autoRetry: retries > 0,
        maxRetries: Math.max(1, retries),
        maxRetryDelay,
        retryDelayMultiplier: 2,
      },
    });
    // The client takes STORAGE_EMULATOR_HOST verbatim as its JSON API base (without the
    // `/storage/v1` the emulators serve), and lets it override apiEndpoint for that base
    // only; pinning both to one normalized endpoint keeps API calls and uploads together.
    if (this.endpoint !== undefined) client.baseUrl = `${this.endpoint}/storage/v1`;
    return client.bucket(this.bucketName);
  }

  /** A BraidError for a failed `op` on `where` (`gs://bucket/key`). */
  error(e: unknown, op: string, where: string): BraidError {
    if (e instanceof BraidError) return e;
    const code = (e as { code?: unknown } | undefined)?.code;
    const message = e instanceof Error ? e.message : String(e);
    if (code === 412) return alreadyExists(where, e);
    if (code === 404) return new BraidError("NOT_FOUND", `cannot ${op} ${where}: not found (${message})`, { file: where, cause: e });
    if (typeof code === "string" && UNREACHABLE.has(code)) {
      return new BraidError("UNREACHABLE", `cannot ${op} ${where}: GCS endpoint ${this.host} is unreachable (${code})`, {
        file: where,
        cause: e,
      });
    }
    if (typeof code === "string" && DROPPED.has(code)) {
      return new BraidError("STORAGE_ERROR", `cannot ${op} ${where}: ${this.host} dropped the connection (${code})`, {
        file: where,
        cause: e,
      });
    }
    return new BraidError("STORAGE_ERROR", `cannot ${op} ${where}: ${message}`, { file: where, cause: e });
  }
}

const statusOf = (e: unknown) => (e as { code?: unknown } | undefined)?.code;

/**
 * Runs an idempotent request, once more if its connection was dropped before any answer. A
 * keep-alive socket the server closed just as it was reused fails that way (fake-gcs-server
 * closes the connection after every 416, which the next request then hits); the client's own
 * retries do not cover every request shape (downloads, `exists`).
 */
async function idempotent<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    const code = statusOf(e);
    if (typeof code === "string" && DROPPED.has(code)) return request();
    throw e;
  }
}
/** The client hands out Buffers; the contract promises plain Uint8Arrays (same memory). */
const plain = ([b]: [Buffer]) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class GcsStorage implements Storage {
  readonly writable = true;
  readonly url: string;
  readonly bucketName: string;
  /** Key prefix within the bucket, without slashes at either end. */
  readonly prefix: string;
  readonly #conn: Connection;
  /** Set by `child()` for the constructor call it makes, to share the connection. */
  static #view: { conn: Connection; prefix: string } | undefined;

  /** `url` is `gs://bucket` or `gs://bucket/prefix`. */
  constructor(url: string, options: GcsStorageOptions = {}) {
    const view = GcsStorage.#view;
    GcsStorage.#view = undefined;
    const m = /^gs:\/\/([a-z0-9][a-z0-9._-]*)(?:\/(.*))?$/.exec(url);
    if (!m) throw new BraidError("INVALID_ARGUMENT", `not a gs:// URL: ${JSON.stringify(url)}`);
    this.bucketName = m[1]!;
    this.prefix = view?.prefix ?? dirPrefix(m[2] ?? "");
    this.#conn = view?.conn ?? new Connection(this.bucketName, options);
    this.url = `gs://${under(this.bucketName, this.prefix)}`;
  }

  async read(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    const where = this.describe(key);
    const file = await this.#file(key);
    if (range !== undefined) checkRange(range, where);
    try {
      if (isEmptyRange(range)) return (await idempotent(() => file.exists()))[0] ? new Uint8Array(0) : undefined;
      if (range === undefined) return plain(await idempotent(() => file.download()));
      if ("suffix" in range) return await this.#readSuffix(file, range.suffix);
      const end = range.length === undefined ? undefined : range.offset + range.length - 1;
      return plain(await idempotent(() => file.download({ start: range.offset, ...(end !== undefined ? { end } : {}) })));
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      if (statusOf(e) === 416) return new Uint8Array(0); // starts at or past the end
      throw this.#conn.error(e, "read", where);
    }
  }

  /**
   * A suffix through the object's size and a ranged read pinned to its generation, rather than
   * a `bytes=-N` request: that is unsatisfiable on an empty object (fake-gcs-server drops the
   * connection on it), and pinning keeps both requests about one object if it is replaced.
   */
  async #readSuffix(file: File, suffix: number): Promise<Uint8Array | undefined> {
    for (let attempt = 0; ; attempt++) {
      const [meta] = await idempotent(() => file.getMetadata());
      const size = Number(meta.size);
      if (size === 0) return new Uint8Array(0);
      const pinned = file.bucket.file(file.name, { generation: Number(meta.generation) });
      try {
        return plain(await idempotent(() => pinned.download({ start: Math.max(0, size - suffix), end: size - 1 })));
      } catch (e) {
        if (statusOf(e) !== 404 || attempt === 2) throw e; // 404: replaced meanwhile, look again
      }
    }
  }

  async size(key: string): Promise<number | undefined> {
    const file = await this.#file(key);
    try {
      return Number((await idempotent(() => file.getMetadata()))[0].size);
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.#conn.error(e, "stat", this.describe(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = await this.#file(key);
    try {
      return (await idempotent(() => file.exists()))[0];
    } catch (e) {
      throw this.#conn.error(e, "stat", this.describe(key));
    }
  }

  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const file = await this.#file(key);
    const bytes = toBytes(data);
    try {
      await file.save(asBuffer(bytes), uploadOptions(options, bytes.byteLength > this.#threshold()));
    } catch (e) {
      throw this.#conn.error(e, "write", this.describe(key));
    }
  }

  async createWriter(key: string, options: { headerLength?: number } & WriteOptions = {}): Promise<ObjectWriter> {
    const where = this.describe(key);
    const headerLength = checkHeaderLength(options.headerLength ?? 0, where);
    if (options.ifAbsent && (await this.exists(key))) throw alreadyExists(where);
    const file = await this.#file(key);
    const fail = (e: unknown, op = "write") => this.#conn.error(e, op, where);
    if (headerLength === 0) return new StreamWriter(where, new Upload(file, options, this.#threshold(), fail));
    const temp = `${file.name}.${TEMP}${crypto.randomUUID()}`;
    return new ComposeWriter(where, headerLength, file, temp, options, this.#threshold(), fail);
  }

  async *list(prefix?: string): AsyncIterable<string> {
    const p = listPrefix(prefix);
    const full = this.prefix === "" ? p : `${this.prefix}/${p}`;
    const strip = this.prefix === "" ? 0 : this.prefix.length + 1;
    const bucket = await this.#conn.bucket();
    let pageToken: string | undefined;
    do {
      let files: File[];
      try {
        const query = { prefix: full, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) };
        const [page, next] = await idempotent(() => bucket.getFiles(query));
        files = page;
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
      } catch (e) {
        throw this.#conn.error(e, "list", `gs://${this.bucketName}/${full}`);
      }
      for (const f of files) if (!f.name.includes(TEMP)) yield f.name.slice(strip);
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    const file = await this.#file(key);
    try {
      await idempotent(() => file.delete({ ignoreNotFound: true }));
    } catch (e) {
      throw this.#conn.error(e, "delete", this.describe(key));
    }
  }

  child(prefix: string): Storage {
    const p = dirPrefix(prefix);
    if (p === "") return this;
    GcsStorage.#view = { conn: this.#conn, prefix: under(this.prefix, p) };
    return new GcsStorage(`gs://${this.bucketName}`);
  }

  describe(key: string): string {
    return `gs://${this.bucketName}/${under(this.prefix, key)}`;
  }

  #threshold(): number {
    return this.#conn.options.resumableThreshold ?? 8 << 20;
  }

  async #file(key: string): Promise<File> {
    const name = under(this.prefix, objectKey(key));
    return (await this.#conn.bucket()).file(name);
  }
}

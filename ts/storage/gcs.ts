/**
 * Storage in a Google Cloud Storage bucket (`gs://bucket/prefix`), on the JSON API over
 * `fetch`. Honours `STORAGE_EMULATOR_HOST` and an explicit `apiEndpoint` (fake-gcs-server,
 * tests).
 *
 * Faults. Every request has an idle timeout (`timeout`: no answer, or no body bytes, for that
 * long) and is retried on 408, 429, 5xx, dropped or reset connections, bodies cut short and
 * timeouts, with exponential backoff and full jitter (`retryDelay` doubling per retry, capped
 * at `maxRetryDelay`, and never shorter than a `Retry-After`), `retries` times; an endpoint
 * that refuses connections or has no DNS name gets 2 retries (a wrong address, not an
 * outage). When the budget runs out the operation fails with `UNREACHABLE` naming
 * `gs://bucket/key`. Other statuses are answers: 404 is a missing object, 412 a failed
 * `ifAbsent`, 401/403/400 a `STORAGE_ERROR`. Every request is safe to repeat (see
 * gcs-objects.ts): reads, stats, lists and deletes are idempotent; an upload or compose either
 * replaces the key with the same bytes again, or (`ifAbsent`) carries `ifGenerationMatch=0`
 * and a tag in its metadata, so a retry whose first attempt succeeded unseen recognises its
 * own object. Ranged reads are retried whole.
 *
 * What braid configures and what it implements. `@google-cloud/storage` only supplies
 * credentials here (its `authClient`: Application Default Credentials or `clientOptions`),
 * loaded on first use and not at all against an emulator. Its own retries do not fit a job
 * that must survive faults and stay correct: with the default `RetryConditional` strategy it
 * does not retry uploads without a precondition, and retrying one with `ifGenerationMatch=0`
 * turns a lost success into a 412; its simple uploads run without timeout (a stalled request
 * hangs the job); a resumable upload that fails mid-stream can only resume from data it still
 * holds, and it ignores `Retry-After`. So braid sends the requests and retries them itself,
 * and writes large objects without resumable uploads: the body goes out in parts of
 * `partSize` bytes (temporary objects, each a retryable upload from memory) that the commit
 * composes into the key (gcs-writers.ts).
 *
 * Atomicity comes from GCS itself: the key only ever receives complete objects (one upload,
 * or one compose). Temporaries live at `<key>.braid-tmp/<id>/…`, are hidden from `list`, and
 * are deleted on commit and abort; a crashed writer can leave some behind (a lifecycle rule
 * matching the suffix `.braid-tmp` cleans those up, see gcs-writers.ts).
 */
import type { StorageOptions } from "@google-cloud/storage";
import { BraidError } from "../errors.js";
import { checkRange, isEmptyRange, toBytes } from "./bytes.js";
import { alreadyExists } from "./errors.js";
import { type Authorize, GcsApi, type Reply } from "./gcs-api.js";
import { deleteObject, listPage, readMedia, statObject, uploadObject } from "./gcs-objects.js";
import { envNumber, retryPolicy } from "./gcs-retry.js";
import { GcsWriter, TEMP } from "./gcs-writers.js";
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
   * How often a failed request is retried (see the module comment for which failures).
   * Default `BRAID_GCS_RETRIES`, else 8.
   */
  retries?: number;
  /** Seconds: backoff ceiling of the first retry, doubling per retry (`BRAID_GCS_RETRY_DELAY`, else 0.5). */
  retryDelay?: number;
  /** Seconds: the longest wait between attempts (`BRAID_GCS_MAX_RETRY_DELAY`, else 16). */
  maxRetryDelay?: number;
  /** Seconds a request may make no progress before it is abandoned and retried (`BRAID_GCS_TIMEOUT`, else 60). */
  timeout?: number;
  /**
   * Objects up to this many bytes are uploaded in one request; larger writes go out in parts
   * of this size, composed at commit. A writer holds at most two parts in memory.
   * Default `BRAID_GCS_PART_SIZE`, else 8 MiB.
   */
  partSize?: number;
  /** Credentials for Google's endpoint (credentials, keyFilename, authClient, …), as `@google-cloud/storage` takes them. */
  clientOptions?: StorageOptions;
}

const DEFAULT_PART_SIZE = 8 << 20;

/** `http://host:port` from `STORAGE_EMULATOR_HOST` or an option, in the form the client needs. */
function normalizeEndpoint(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `http://${raw.trim()}`;
  return withScheme.replace(/\/+$/, "").replace(/\/storage\/v1$/, "");
}

/** Headers with credentials from `@google-cloud/storage`'s auth client, loaded on first use. */
function googleCredentials(bucket: string, options: GcsStorageOptions): Authorize {
  let auth: Promise<{ getRequestHeaders(): Promise<Record<string, string> | Headers> }> | undefined;
  return async () => {
    auth ??= import("@google-cloud/storage").then(
      ({ Storage }) => new Storage({ ...options.clientOptions, ...(options.projectId !== undefined ? { projectId: options.projectId } : {}) }).authClient,
      (e: unknown) => {
        auth = undefined;
        throw new BraidError("STORAGE_ERROR", `cannot load @google-cloud/storage for gs://${bucket}: ${String(e)}`, { cause: e });
      },
    );
    // A plain object from google-auth-library 9, a Headers from 10.
    const headers = await (await auth).getRequestHeaders();
    if (!(headers instanceof Headers)) return headers;
    const plain: Record<string, string> = {};
    headers.forEach((value, name) => (plain[name] = value));
    return plain;
  };
}

function connect(bucket: string, options: GcsStorageOptions): { api: GcsApi; partSize: number } {
  const raw = options.apiEndpoint ?? (typeof process === "undefined" ? undefined : process.env.STORAGE_EMULATOR_HOST);
  const endpoint = raw === undefined || raw === "" ? undefined : normalizeEndpoint(raw);
  const policy = retryPolicy(options);
  const partSize = options.partSize ?? envNumber("BRAID_GCS_PART_SIZE", true) ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < 1) throw new BraidError("INVALID_ARGUMENT", `GCS partSize must be a positive integer, not ${partSize}`);
  const anonymous = endpoint !== undefined && !options.clientOptions?.useAuthWithCustomEndpoint;
  const authorize: Authorize = anonymous ? async () => ({}) : googleCredentials(bucket, options);
  return { api: new GcsApi(bucket, endpoint, policy, authorize), partSize };
}

export class GcsStorage implements Storage {
  readonly writable = true;
  readonly url: string;
  readonly bucketName: string;
  /** Key prefix within the bucket, without slashes at either end. */
  readonly prefix: string;
  readonly #api: GcsApi;
  readonly #partSize: number;
  /** Set by `child()` for the constructor call it makes, to share the connection. */
  static #view: { api: GcsApi; partSize: number; prefix: string } | undefined;

  /** `url` is `gs://bucket` or `gs://bucket/prefix`. */
  constructor(url: string, options: GcsStorageOptions = {}) {
    const view = GcsStorage.#view;
    GcsStorage.#view = undefined;
    const m = /^gs:\/\/([a-z0-9][a-z0-9._-]*)(?:\/(.*))?$/.exec(url);
    if (!m) throw new BraidError("INVALID_ARGUMENT", `not a gs:// URL: ${JSON.stringify(url)}`);
    this.bucketName = m[1]!;
    this.prefix = view?.prefix ?? dirPrefix(m[2] ?? "");
    const { api, partSize } = view ?? connect(this.bucketName, options);
    this.#api = api;
    this.#partSize = partSize;
    this.url = `gs://${under(this.bucketName, this.prefix)}`;
  }

  async read(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    const where = this.describe(key);
    const name = this.#name(key);
    if (range !== undefined) checkRange(range, where);
    if (isEmptyRange(range)) return (await statObject(this.#api, name, where, "read")) ? new Uint8Array(0) : undefined;
    if (range !== undefined && "suffix" in range) return this.#readSuffix(name, where, range.suffix);
    if (range === undefined) return this.#media(await readMedia(this.#api, name, where), where);
    const last = range.length === undefined ? undefined : range.offset + range.length - 1;
    return this.#media(await readMedia(this.#api, name, where, { first: range.offset, ...(last !== undefined ? { last } : {}) }), where, range);
  }

  /**
   * A suffix through the object's size and a ranged read pinned to its generation, rather than
   * a `bytes=-N` request: that is unsatisfiable on an empty object (fake-gcs-server drops the
   * connection on it), and pinning keeps both requests about one object if it is replaced.
   */
  async #readSuffix(name: string, where: string, suffix: number): Promise<Uint8Array | undefined> {
    for (let attempt = 0; ; attempt++) {
      const meta = await statObject(this.#api, name, where, "read");
      if (meta === undefined) return undefined;
      if (meta.size === 0) return new Uint8Array(0);
      const first = Math.max(0, meta.size - suffix);
      const reply = await readMedia(this.#api, name, where, { first, last: meta.size - 1 }, meta.generation);
      // 404: replaced meanwhile, look again.
      if (reply.status !== 404 || attempt === 2) return this.#media(reply, where, { offset: first });
    }
  }

  /** The bytes of a media reply; `range` is what was asked for, should the server send more. */
  #media(reply: Reply, where: string, range?: { offset: number; length?: number }): Uint8Array | undefined {
    if (reply.status === 404) return undefined;
    if (reply.status === 416) return new Uint8Array(0); // starts at or past the end
    if (reply.status === 200 && range !== undefined) {
      const end = range.length === undefined ? undefined : range.offset + range.length;
      return reply.body.subarray(range.offset, end);
    }
    if (reply.status === 200) return reply.body;
    if (reply.status !== 206) throw this.#api.fail(reply, "read", where);
    const first = /^bytes (\d+)-/.exec(reply.headers.get("content-range") ?? "")?.[1];
    if (range !== undefined && first !== undefined && Number(first) !== range.offset) {
      throw new BraidError("STORAGE_ERROR", `cannot read ${where}: asked for bytes from ${range.offset}, got ${reply.headers.get("content-range")}`, { file: where });
    }
    return reply.body;
  }

  async size(key: string): Promise<number | undefined> {
    return (await statObject(this.#api, this.#name(key), this.describe(key)))?.size;
  }

  async exists(key: string): Promise<boolean> {
    return (await statObject(this.#api, this.#name(key), this.describe(key))) !== undefined;
  }

  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const bytes = toBytes(data);
    if (bytes.byteLength <= this.#partSize) return uploadObject(this.#api, this.#name(key), this.describe(key), bytes, options);
    const writer = await this.createWriter(key, options);
    await writer.append(bytes);
    await writer.commit();
  }

  async createWriter(key: string, options: { headerLength?: number } & WriteOptions = {}): Promise<ObjectWriter> {
    const where = this.describe(key);
    const headerLength = checkHeaderLength(options.headerLength ?? 0, where);
    const name = this.#name(key);
    if (options.ifAbsent && (await this.exists(key))) throw alreadyExists(where);
    return new GcsWriter(where, headerLength, this.#api, name, options, this.#partSize);
  }

  async *list(prefix?: string): AsyncIterable<string> {
    const p = listPrefix(prefix);
    const full = this.prefix === "" ? p : `${this.prefix}/${p}`;
    const strip = this.prefix === "" ? 0 : this.prefix.length + 1;
    let pageToken: string | undefined;
    do {
      const page = await listPage(this.#api, full, `gs://${this.bucketName}/${full}`, pageToken);
      for (const name of page.names) if (!name.includes(TEMP)) yield name.slice(strip);
      pageToken = page.next;
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    await deleteObject(this.#api, this.#name(key), this.describe(key));
  }

  child(prefix: string): Storage {
    const p = dirPrefix(prefix);
    if (p === "") return this;
    GcsStorage.#view = { api: this.#api, partSize: this.#partSize, prefix: under(this.prefix, p) };
    return new GcsStorage(`gs://${this.bucketName}`);
  }

  describe(key: string): string {
    return `gs://${this.bucketName}/${under(this.prefix, key)}`;
  }

  #name(key: string): string {
    return under(this.prefix, objectKey(key));
  }
}

/**
 * The writing side of {@link GcsStorage}: an object written in pieces. Up to `partSize` bytes
 * stay in memory and become one upload at commit (header + body). Beyond that the body goes
 * out as parts — temporary objects of `partSize` bytes, each one upload that can be retried
 * from memory — and the commit composes `[header, part 0, part 1, …]` into the key (in rounds
 * of 32 sources, GCS's limit per compose), then deletes the parts. No resumable upload is
 * involved: a failed part is simply sent again, and the key only ever receives whole objects.
 */
import type { GcsApi } from "./gcs-api.js";
import { COMPOSE_LIMIT, composeObject, deleteObject, uploadObject } from "./gcs-objects.js";
import type { WriteOptions } from "./types.js";
import { WriterBase } from "./writer.js";

/** Writers' temporaries live at `<key>.braid-tmp/<id>/…`; `list` hides them. */
export const TEMP = ".braid-tmp/";
/**
 * The end of every temporary's name, so that a bucket lifecycle rule can find those a crashed
 * writer left: `{"action": {"type": "Delete"}, "condition": {"age": 1, "matchesSuffix": [".braid-tmp"]}}`.
 */
export const TEMP_SUFFIX = ".braid-tmp";

/** Temporaries deleted at once after a commit or abort. */
const DELETE_CONCURRENCY = 8;

export class GcsWriter extends WriterBase {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Temporary objects made so far (parts, header, intermediate composites), in order. */
  readonly #parts: string[] = [];
  readonly #made: string[] = [];
  /** The part upload in flight: one at a time, so memory stays within two parts. */
  #inflight: Promise<void> | undefined;
  readonly #temp = `${TEMP}${crypto.randomUUID()}/`;

  /** `name` is the object's full name in the bucket; temporaries go under `<name>.braid-tmp/<id>/`. */
  constructor(
    where: string,
    headerLength: number,
    private readonly api: GcsApi,
    private readonly name: string,
    private readonly options: WriteOptions,
    private readonly partSize: number,
  ) {
    super(where, headerLength);
  }

  protected async appendBody(data: Uint8Array): Promise<void> {
    // A copy: the caller may reuse `data` once this resolves.
    this.#pending.push(data.slice());
    this.#pendingBytes += data.byteLength;
    if (this.#pendingBytes >= this.partSize) await this.#sendPart();
  }

  protected async publish(header: Uint8Array): Promise<void> {
    await this.#inflight;
    const create = { ifAbsent: this.options.ifAbsent ?? false, ...(this.options.contentType !== undefined ? { contentType: this.options.contentType } : {}) };
    if (this.#parts.length === 0) {
      // Small enough to have stayed in memory: one upload, no temporaries.
      await uploadObject(this.api, this.name, this.where, [header, ...this.#pending], create);
      return;
    }
    if (this.#pendingBytes > 0) await this.#sendPart();
    await this.#inflight;
    let sources = [...this.#parts];
    if (header.byteLength > 0) {
      const head = this.#tempName("header");
      await uploadObject(this.api, head, this.where, header);
      sources.unshift(head);
    }
    // Rounds of composes into temporaries until one compose can make the object.
    for (let round = 0; sources.length > COMPOSE_LIMIT; round++) {
      const next: string[] = [];
      for (let i = 0; i < sources.length; i += COMPOSE_LIMIT) {
        const into = this.#tempName(`c${round}-${i / COMPOSE_LIMIT}`);
        await composeObject(this.api, sources.slice(i, i + COMPOSE_LIMIT), into, this.where);
        next.push(into);
      }
      sources = next;
    }
    await composeObject(this.api, sources, this.name, this.where, create);
    // The object is complete and visible; a failed cleanup must not fail the commit, and
    // leftovers stay hidden from `list`.
    await this.#deleteTemps().catch(() => {});
  }

  protected async discard(): Promise<void> {
    await this.#inflight?.catch(() => {});
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#deleteTemps();
  }

  async #sendPart(): Promise<void> {
    // Waits for the previous part first: its failure surfaces here, and memory stays bounded.
    await this.#inflight;
    const pieces = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const name = this.#tempName(String(this.#parts.length));
    this.#parts.push(name);
    // The upload joins the pieces into its request body and keeps only that.
    const upload = uploadObject(this.api, name, this.where, pieces);
    upload.catch(() => {}); // observed by whoever awaits #inflight next
    this.#inflight = upload;
  }

  #tempName(leaf: string): string {
    const name = `${this.name}${this.#temp}${leaf}${TEMP_SUFFIX}`;
    this.#made.push(name);
    return name;
  }

  /** Deletes every temporary made, all of them tried even when some fail. */
  async #deleteTemps(): Promise<void> {
    const names = this.#made.splice(0);
    let failure: unknown;
    for (let i = 0; i < names.length; i += DELETE_CONCURRENCY) {
      const done = await Promise.allSettled(names.slice(i, i + DELETE_CONCURRENCY).map((n) => deleteObject(this.api, n, this.where)));
      for (const d of done) if (d.status === "rejected") failure ??= d.reason;
    }
    if (failure !== undefined) throw failure;
  }
}

/**
 * The state machine every backend's {@link ObjectWriter} shares: operations run one at a time
 * in call order (so backends never see overlapping appends), the header is checked against
 * `headerLength`, a failed writer cleans up after itself and stays failed, and `abort` is
 * idempotent.
 */
import { BraidError } from "../errors.js";
import type { ObjectWriter } from "./types.js";

const EMPTY = new Uint8Array(0);

/** Validates `headerLength` (backends call it before creating anything a bad value would leak). */
export function checkHeaderLength(headerLength: number, where: string): number {
  if (!Number.isSafeInteger(headerLength) || headerLength < 0) {
    throw new BraidError("INVALID_ARGUMENT", `${where}: headerLength must be a non-negative integer, not ${headerLength}`, {
      file: where,
    });
  }
  return headerLength;
}

export abstract class WriterBase implements ObjectWriter {
  #bytes = 0;
  #state: "open" | "committed" | "aborted" | "failed" = "open";
  #error: unknown;
  #tail: Promise<void> = Promise.resolve();

  /** `where` names the object in messages (`describe(key)`). */
  protected constructor(
    protected readonly where: string,
    protected readonly headerLength: number,
  ) {
    checkHeaderLength(headerLength, where);
  }

  /** Stores body bytes; `data` may be reused by the caller once this settles. */
  protected abstract appendBody(data: Uint8Array): Promise<void>;
  /** Publishes the object with `header` (exactly `headerLength` bytes) in front of the body. */
  protected abstract publish(header: Uint8Array): Promise<void>;
  /** Removes whatever the writer left behind; must tolerate being called twice. */
  protected abstract discard(): Promise<void>;

  get bytesWritten(): number {
    return this.#bytes;
  }

  append(data: Uint8Array): Promise<void> {
    const closed = this.#closed("append to");
    if (closed) return closed;
    this.#bytes += data.byteLength;
    return this.#run(() => (data.byteLength === 0 ? Promise.resolve() : this.appendBody(data)));
  }

  commit(header?: Uint8Array): Promise<void> {
    const closed = this.#closed("commit");
    if (closed) return closed;
    this.#state = "committed";
    const h = header ?? EMPTY;
    if (h.byteLength !== this.headerLength) {
      const error = new BraidError(
        "INVALID_ARGUMENT",
        `${this.where}: commit needs a header of exactly ${this.headerLength} bytes, got ${h.byteLength}`,
        { file: this.where },
      );
      return this.#run(() => Promise.reject(error));
    }
    return this.#run(() => this.publish(h));
  }

  abort(): Promise<void> {
    if (this.#state === "committed" || this.#state === "aborted") return this.#tail.catch(() => {});
    this.#state = "aborted";
    // Waits for the operation in flight, whatever its outcome, before removing its traces.
    return this.#tail.catch(() => {}).then(() => this.discard());
  }

  /** A rejection when the writer no longer accepts `what`, else `undefined`. */
  #closed(what: string): Promise<never> | undefined {
    if (this.#state === "open") return undefined;
    if (this.#state === "failed") return Promise.reject(this.#error);
    return Promise.reject(
      new BraidError("INVALID_ARGUMENT", `cannot ${what} ${this.where}: the writer is already ${this.#state}`, { file: this.where }),
    );
  }

  #run(op: () => Promise<void>): Promise<void> {
    const result = this.#tail
      .then(() => {
        if (this.#state === "failed") throw this.#error;
        if (this.#state === "aborted") throw new BraidError("STORAGE_ERROR", `${this.where}: the write was aborted`, { file: this.where });
        return op();
      })
      .catch(async (e: unknown) => {
        // Cleaned up before the caller hears of the failure, so nothing is left behind then.
        await this.#fail(e);
        throw e;
      });
    this.#tail = result.catch(() => {});
    return result;
  }

  async #fail(e: unknown): Promise<void> {
    if (this.#state === "failed" || this.#state === "aborted") return;
    this.#state = "failed";
    this.#error = e;
    await this.discard().catch(() => {});
  }
}

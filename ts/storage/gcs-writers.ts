/**
 * The writing side of {@link GcsStorage}: uploads fed in pieces, and the two writers built on
 * them (straight to the key, or body to a temporary object then compose with the header).
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { File } from "@google-cloud/storage";
import type { BraidError } from "../errors.js";
import { concatBytes } from "./bytes.js";
import type { WriteOptions } from "./types.js";
import { WriterBase } from "./writer.js";

/** Writers' temporaries live at `<key>.braid-tmp/<id>/…`; `list` hides them. */
export const TEMP = ".braid-tmp/";

export const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function uploadOptions(options: WriteOptions, resumable: boolean) {
  return {
    resumable,
    ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
    ...(options.ifAbsent ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
  };
}

export type Fail = (e: unknown, op?: string) => BraidError;

/**
 * One object upload fed in pieces: buffered up to the threshold (then it is one simple
 * upload), streamed through a resumable upload beyond it, with backpressure so memory stays
 * bounded by the threshold plus the stream's buffers.
 */
export class Upload {
  #buffered: Uint8Array[] = [];
  #bufferedBytes = 0;
  #stream: Writable | undefined;
  #error: unknown;

  constructor(
    readonly file: File,
    private readonly options: WriteOptions,
    private readonly threshold: number,
    private readonly fail: Fail,
  ) {}

  /** Whether everything so far is still in memory (no upload started). */
  get buffered(): boolean {
    return this.#stream === undefined;
  }

  /** Takes the buffered bytes (prefixed by `header`) instead of uploading them. */
  takeBuffered(header: Uint8Array): Uint8Array {
    const all = concatBytes([header, ...this.#buffered], header.byteLength + this.#bufferedBytes);
    this.#buffered = [];
    return all;
  }

  async write(data: Uint8Array): Promise<void> {
    // A copy: the caller may reuse `data` once this resolves, while the stream still holds it.
    const chunk = Buffer.from(data);
    if (this.#stream === undefined) {
      if (this.#bufferedBytes + chunk.byteLength <= this.threshold) {
        this.#buffered.push(chunk);
        this.#bufferedBytes += chunk.byteLength;
        return;
      }
      this.#start();
    }
    await this.#push(chunk);
  }

  async finish(): Promise<void> {
    try {
      if (this.#stream === undefined) {
        await this.file.save(asBuffer(this.takeBuffered(new Uint8Array(0))), uploadOptions(this.options, false));
        return;
      }
      this.#stream.end();
      await finished(this.#stream);
    } catch (e) {
      throw this.fail(this.#error ?? e);
    }
  }

  cancel(): void {
    this.#buffered = [];
    // Destroying the stream abandons the resumable session; GCS never creates the object.
    this.#stream?.destroy();
  }

  #start(): void {
    const stream = this.file.createWriteStream(uploadOptions(this.options, true));
    // Kept so an error between writes neither crashes the process nor goes unreported.
    stream.on("error", (e: unknown) => (this.#error ??= e));
    this.#stream = stream;
    const pending = this.#buffered;
    this.#buffered = [];
    for (const chunk of pending) stream.write(chunk);
  }

  async #push(chunk: Buffer): Promise<void> {
    const stream = this.#stream!;
    if (this.#error !== undefined) throw this.fail(this.#error);
    if (stream.write(chunk)) return;
    try {
      await once(stream, "drain");
    } catch (e) {
      throw this.fail(this.#error ?? e);
    }
  }
}

/** A writer without header: the upload goes straight to the key. */
export class StreamWriter extends WriterBase {
  constructor(
    where: string,
    private readonly upload: Upload,
  ) {
    super(where, 0);
  }

  protected appendBody(data: Uint8Array): Promise<void> {
    return this.upload.write(data);
  }

  protected publish(): Promise<void> {
    return this.upload.finish();
  }

  protected async discard(): Promise<void> {
    this.upload.cancel();
  }
}

/** A writer with a header: body to a temporary object, then compose `[header, body]`. */
export class ComposeWriter extends WriterBase {
  readonly #body: Upload;
  readonly #header: File;

  constructor(
    where: string,
    headerLength: number,
    private readonly target: File,
    temp: string,
    private readonly options: WriteOptions,
    threshold: number,
    private readonly fail: Fail,
  ) {
    super(where, headerLength);
    // The body's temporary is unique, so it needs no precondition of its own.
    this.#body = new Upload(target.bucket.file(`${temp}/body`), {}, threshold, fail);
    this.#header = target.bucket.file(`${temp}/header`);
  }

  protected appendBody(data: Uint8Array): Promise<void> {
    return this.#body.write(data);
  }

  protected async publish(header: Uint8Array): Promise<void> {
    if (this.#body.buffered) {
      // Small enough to have stayed in memory: one upload of header + body, no temporaries.
      try {
        await this.target.save(asBuffer(this.#body.takeBuffered(header)), uploadOptions(this.options, false));
      } catch (e) {
        throw this.fail(e);
      }
      return;
    }
    await this.#body.finish();
    try {
      await this.#header.save(asBuffer(header), { resumable: false });
      if (this.options.contentType !== undefined) this.target.metadata = { ...this.target.metadata, contentType: this.options.contentType };
      await this.target.bucket.combine([this.#header, this.#body.file], this.target, this.options.ifAbsent ? { ifGenerationMatch: 0 } : {});
    } catch (e) {
      throw this.fail(e);
    }
    // The object is complete and visible now; a failed cleanup must not report the commit as
    // failed, and leftovers stay hidden from `list`.
    await this.#deleteTemps().catch(() => {});
  }

  protected async discard(): Promise<void> {
    this.#body.cancel();
    await this.#deleteTemps();
  }

  async #deleteTemps(): Promise<void> {
    await Promise.all([this.#header, this.#body.file].map((f) => f.delete({ ignoreNotFound: true })));
  }
}

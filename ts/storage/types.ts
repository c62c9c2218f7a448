/**
 * Where volumes and exports live. One interface, several backends: local files, `gs://`
 * buckets, read-only http(s) with Range requests, and memory. Keys are `/`-separated paths
 * relative to the storage root; a missing object reads as `undefined`, never as an error.
 */

/**
 * A byte range: `length` omitted reads to the end; `suffix` reads the last N bytes. Ranges are
 * clamped like HTTP ranges: one starting at or past the end reads as empty, one running past
 * the end is cut short, and a suffix longer than the object is the whole object.
 */
export type ByteRange = { offset: number; length?: number } | { suffix: number };

export interface WriteOptions {
  /**
   * Fail with `ALREADY_EXISTS` instead of replacing an existing object. `createWriter` checks
   * this up front (so a large body is not streamed in vain) and `commit` again, atomically.
   */
  ifAbsent?: boolean;
  contentType?: string;
}

/**
 * An object being written in pieces. Nothing is visible at the key until `commit()`
 * succeeds; `abort()` (or a crash) leaves nothing there. With `headerLength` set, the first
 * `headerLength` bytes are supplied last, to `commit` (the shard index of a sharded file).
 */
export interface ObjectWriter {
  /**
   * Appends body bytes (after the header). Appends and the commit run in call order; `data`
   * may be reused once the returned promise settles.
   */
  append(data: Uint8Array): Promise<void>;
  /** Makes the object visible, writing `header` (exactly `headerLength` bytes) first. */
  commit(header?: Uint8Array): Promise<void>;
  abort(): Promise<void>;
  /** Body bytes appended so far. */
  readonly bytesWritten: number;
}

export interface Storage {
  /** Root URL: `file:///…`, `gs://bucket/prefix`, `https://…` or `memory://…`. */
  readonly url: string;
  /** Whether writes are possible (http storage is read-only). */
  readonly writable: boolean;
  /** Reads an object or a byte range of it; `undefined` when the object does not exist. */
  read(key: string, range?: ByteRange): Promise<Uint8Array | undefined>;
  /** Object size in bytes, `undefined` when missing. */
  size(key: string): Promise<number | undefined>;
  exists(key: string): Promise<boolean>;
  /** Writes a whole object atomically. */
  write(key: string, data: Uint8Array | string, options?: WriteOptions): Promise<void>;
  /** Starts a streamed, atomic write (see {@link ObjectWriter}). */
  createWriter(key: string, options?: { headerLength?: number } & WriteOptions): Promise<ObjectWriter>;
  /** Keys under `prefix` (relative to the root), in no particular order. */
  list(prefix?: string): AsyncIterable<string>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Storage rooted at `prefix` below this one. */
  child(prefix: string): Storage;
  /** Human-readable location of a key, for messages (`gs://b/p/key`, `/abs/path/key`). */
  describe(key: string): string;
}

/** A Storage that counts the requests made through it (and its children) by kind. */
import type { ByteRange, ObjectWriter, Storage, WriteOptions } from "braid-seg";

export type RequestCounts = Record<"read" | "size" | "exists" | "write" | "createWriter" | "list" | "delete", number>;

export function countingStorage(inner: Storage, counts: RequestCounts = { read: 0, size: 0, exists: 0, write: 0, createWriter: 0, list: 0, delete: 0 }): Storage & { counts: RequestCounts } {
  return {
    counts,
    get url() {
      return inner.url;
    },
    get writable() {
      return inner.writable;
    },
    read(key: string, range?: ByteRange) {
      counts.read++;
      return inner.read(key, range);
    },
    size(key: string) {
      counts.size++;
      return inner.size(key);
    },
    exists(key: string) {
      counts.exists++;
      return inner.exists(key);
    },
    write(key: string, data: Uint8Array | string, options?: WriteOptions) {
      counts.write++;
      return inner.write(key, data, options);
    },
    createWriter(key: string, options?: { headerLength?: number } & WriteOptions): Promise<ObjectWriter> {
      counts.createWriter++;
      return inner.createWriter(key, options);
    },
    async *list(prefix?: string) {
      // One request per listing here: a local directory, or a single page on GCS.
      counts.list++;
      yield* inner.list(prefix);
    },
    delete(key: string) {
      counts.delete++;
      return inner.delete(key);
    },
    child(prefix: string) {
      return countingStorage(inner.child(prefix), counts);
    },
    describe(key: string) {
      return inner.describe(key);
    },
  };
}

export const totalRequests = (c: RequestCounts) => Object.values(c).reduce((n, v) => n + v, 0);

/**
 * A byte-bounded LRU of loaded values with in-flight de-duplication: concurrent requests for
 * the same key share one load, so a region read touching many chunks of one minishard fetches
 * its index once. Values of any type share one budget; callers key them apart.
 */
export interface Sized<V> {
  value: V;
  /** Approximate memory held by `value`, in bytes. */
  bytes: number;
}

export class ByteLru {
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU.
  readonly #entries = new Map<string, Sized<unknown>>();
  readonly #loading = new Map<string, Promise<unknown>>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value, or the result of `load` (cached unless larger than the whole budget). */
  async get<V>(key: string, load: () => Promise<Sized<V>>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value as V;
    }
    const pending = this.#loading.get(key);
    if (pending) return pending as Promise<V>;
    const promise: Promise<V> = load().then(
      (loaded) => {
        // An invalidation during the load dropped it from #loading: its value may be stale.
        if (this.#loading.get(key) === promise) {
          this.#loading.delete(key);
          this.#insert(key, loaded);
        }
        return loaded.value;
      },
      (e: unknown) => {
        if (this.#loading.get(key) === promise) this.#loading.delete(key);
        throw e;
      },
    );
    this.#loading.set(key, promise);
    return promise;
  }

  #insert(key: string, entry: Sized<unknown>): void {
    if (entry.bytes > this.maxBytes) return;
    this.#evict(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
    }
  }

  #evict(key: string): void {
    const e = this.#entries.get(key);
    if (e) {
      this.#entries.delete(key);
      this.#bytes -= e.bytes;
    }
  }

  /** Drops one entry and its pending load: a load in flight then returns its value uncached. */
  delete(key: string): void {
    this.#evict(key);
    this.#loading.delete(key);
  }

  /** Drops every entry (and pending load) whose key starts with `prefix`, e.g. of a rewritten shard. */
  invalidate(prefix: string): void {
    for (const k of [...this.#entries.keys()]) if (k.startsWith(prefix)) this.#evict(k);
    for (const k of [...this.#loading.keys()]) if (k.startsWith(prefix)) this.#loading.delete(k);
  }
}

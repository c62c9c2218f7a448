/**
 * Storage in a `Map`, for tests, the browser and demos. Named stores (`memory://name`) are
 * shared process-wide; an unnamed `new MemoryStorage()` is private to its holder.
 */
import { BraidError } from "../errors.js";
import { checkRange, concatBytes, resolveRange, toBytes } from "./bytes.js";
import { alreadyExists } from "./errors.js";
import { dirPrefix, listPrefix, objectKey, under } from "./keys.js";
import type { ByteRange, ObjectWriter, Storage, WriteOptions } from "./types.js";
import { WriterBase } from "./writer.js";

interface Store {
  readonly name: string;
  readonly objects: Map<string, Uint8Array>;
}

const named = new Map<string, Store>();
let unnamed = 0;

function namedStore(name: string): Store {
  let store = named.get(name);
  if (!store) named.set(name, (store = { name, objects: new Map() }));
  return store;
}

export class MemoryStorage implements Storage {
  readonly writable = true;
  readonly url: string;
  readonly #store: Store;
  readonly #prefix: string;
  /** Set by `child()` for the constructor call it makes (a private store has no name to pass). */
  static #view: { store: Store; prefix: string } | undefined;

  /** The process-wide store `name` (what `openStorage("memory://name")` opens), or a private one. */
  constructor(name?: string) {
    const view = MemoryStorage.#view;
    MemoryStorage.#view = undefined;
    if (name !== undefined && (name === "" || /[/\\]/.test(name))) {
      throw new BraidError("INVALID_ARGUMENT", `invalid memory store name ${JSON.stringify(name)}`);
    }
    // A private store's name is for messages only; it is deliberately not registered.
    this.#store = view?.store ?? (name === undefined ? { name: `unnamed-${++unnamed}`, objects: new Map() } : namedStore(name));
    this.#prefix = view?.prefix ?? "";
    this.url = `memory://${under(this.#store.name, this.#prefix)}`;
  }

  /** Frees the process-wide store `name` (its holders keep their objects). */
  static forget(name: string): void {
    named.delete(name);
  }

  async read(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    const data = this.#objects().get(this.#key(key));
    if (range !== undefined) checkRange(range, this.describe(key));
    if (data === undefined) return undefined;
    const [start, end] = resolveRange(range, data.byteLength);
    return data.slice(start, end);
  }

  async size(key: string): Promise<number | undefined> {
    return this.#objects().get(this.#key(key))?.byteLength;
  }

  async exists(key: string): Promise<boolean> {
    return this.#objects().has(this.#key(key));
  }

  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const k = this.#key(key);
    const bytes = toBytes(data);
    this.#put(k, typeof data === "string" ? bytes : bytes.slice(), options, key);
  }

  async createWriter(key: string, options: { headerLength?: number } & WriteOptions = {}): Promise<ObjectWriter> {
    const k = this.#key(key);
    if (options.ifAbsent && this.#store.objects.has(k)) throw alreadyExists(this.describe(key));
    return new MemoryWriter(this.describe(key), options.headerLength ?? 0, (header, body, total) =>
      this.#put(k, concatBytes([header, ...body], total), options, key),
    );
  }

  async *list(prefix?: string): AsyncIterable<string> {
    const p = listPrefix(prefix);
    const full = this.#prefix === "" ? p : `${this.#prefix}/${p}`;
    const strip = this.#prefix === "" ? 0 : this.#prefix.length + 1;
    // A snapshot, so writes during the iteration neither break it nor show up half-way.
    for (const k of [...this.#objects().keys()]) if (k.startsWith(full)) yield k.slice(strip);
  }

  async delete(key: string): Promise<void> {
    this.#objects().delete(this.#key(key));
  }

  child(prefix: string): Storage {
    const p = dirPrefix(prefix);
    if (p === "") return this;
    MemoryStorage.#view = { store: this.#store, prefix: under(this.#prefix, p) };
    return new MemoryStorage();
  }

  describe(key: string): string {
    return `memory://${this.#store.name}/${under(this.#prefix, key)}`;
  }

  #objects(): Map<string, Uint8Array> {
    return this.#store.objects;
  }

  #key(key: string): string {
    return under(this.#prefix, objectKey(key));
  }

  #put(k: string, data: Uint8Array, options: WriteOptions, key: string): void {
    if (options.ifAbsent && this.#store.objects.has(k)) {
      throw alreadyExists(this.describe(key));
    }
    this.#store.objects.set(k, data);
  }
}

type Publish = (header: Uint8Array, body: readonly Uint8Array[], total: number) => void;

class MemoryWriter extends WriterBase {
  readonly #body: Uint8Array[] = [];
  #total: number;

  constructor(where: string, headerLength: number, private readonly publishTo: Publish) {
    super(where, headerLength);
    this.#total = headerLength;
  }

  protected async appendBody(data: Uint8Array): Promise<void> {
    this.#body.push(data.slice());
    this.#total += data.byteLength;
  }

  protected async publish(header: Uint8Array): Promise<void> {
    this.publishTo(header, this.#body, this.#total);
    this.#body.length = 0;
  }

  protected async discard(): Promise<void> {
    this.#body.length = 0;
  }
}

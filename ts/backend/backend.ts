/**
 * A backend is a value: one loaded instance of the Rust core (the napi addon or the
 * WebAssembly module) that calls run on. Every function of an entry point uses that entry's
 * backend; the high-level calls (`openPrecomputed`, `exportVolume`, `downresVolume`, …) take
 * a `backend` option to pick another one per call. Nothing here is process-wide: importing
 * `braid-seg/native` and `braid-seg/wasm` in one process gives two independent backends.
 */
import { BraidError } from "../errors.js";
import type { AsyncBinding, BackendBinding } from "./binding.js";

export type BackendName = "native" | "wasm";

/** Bytes, URL or compiled module of `braid_wasm_bg.wasm`, for bundlers that relocate it. */
export type WasmSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/** What a backend calls into: the generated bindings, with the async variants where they exist. */
export type Binding = BackendBinding & Partial<AsyncBinding>;

/** Where a backend's bindings come from when they may not be loaded yet (WebAssembly). */
export interface BindingSource {
  /** The bindings if they are loaded (by `load` or by anyone else, e.g. synchronously in Node). */
  loaded(): Binding | undefined;
  /** Loads them (browsers: fetches and instantiates the `.wasm`). */
  load(input?: WasmSource): Promise<Binding>;
}

export class Backend {
  readonly #source: BindingSource;
  #loading: Promise<Binding> | undefined;

  /**
   * @param name which core this is
   * @param binding the loaded bindings, or where they come from once loaded
   */
  constructor(
    readonly name: BackendName,
    binding: Binding | BindingSource,
  ) {
    this.#source = isSource(binding) ? binding : { loaded: () => binding, load: async () => binding };
  }

  /** Whether calls can run now (false in a browser until `init()` resolved). */
  get ready(): boolean {
    return this.#source.loaded() !== undefined;
  }

  /** The bindings calls go to; `NOT_INITIALIZED` until the backend is loaded. */
  get binding(): Binding {
    const b = this.#source.loaded();
    if (b === undefined) {
      throw new BraidError("NOT_INITIALIZED", `braid is not initialised: call \`await init()\` before using the ${this.name} backend`);
    }
    return b;
  }

  /** Loads the backend if it is not loaded yet. Idempotent and safe to call concurrently. */
  async init(input?: WasmSource): Promise<this> {
    if (!this.ready) {
      this.#loading ??= this.#source.load(input);
      try {
        await this.#loading;
      } catch (e) {
        this.#loading = undefined;
        throw e;
      }
    }
    return this;
  }

  toString(): string {
    return `braid ${this.name} backend`;
  }
}

function isSource(b: Binding | BindingSource): b is BindingSource {
  return typeof (b as Partial<BindingSource>).loaded === "function" && typeof (b as Partial<BindingSource>).load === "function";
}

/** The backend a high-level call runs on: the caller's choice, else the entry point's. */
export function chooseBackend(given: Backend | undefined, fallback: Backend): Backend {
  if (given !== undefined && !(given instanceof Backend)) {
    throw new BraidError("INVALID_ARGUMENT", `the backend option must be a Backend (an entry point's \`core\`), not ${typeof given}`);
  }
  return given ?? fallback;
}
